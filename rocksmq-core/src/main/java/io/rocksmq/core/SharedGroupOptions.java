package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;

import java.time.Duration;
import java.util.List;

/**
 * Settings of a shared consumer group (a work queue: each message goes to one of the group's consumers,
 * see {@link SharedGroup}), fixed at creation and persisted with the group.
 *
 * <ul>
 *   <li>{@code lockDuration}: how long a delivery is locked to its consumer; a message whose lock
 *       expires (not acknowledged, released or renewed in time) becomes available to the others.</li>
 *   <li>{@code maxDeliveries}: the delivery that would exceed it dead-letters the message instead;
 *       {@link #UNLIMITED} never does. A release of the last allowed delivery dead-letters at once.</li>
 *   <li>{@code deadLetterTopic}: where dead letters are produced (a topic of the same queue, other than
 *       the group's), with their properties plus {@value #DEAD_LETTER_TOPIC_PROPERTY},
 *       {@value #DEAD_LETTER_ID_PROPERTY} and {@value #DEAD_LETTER_DELIVERIES_PROPERTY}; null: dead
 *       letters are archived as rejected and counted ({@link SharedGroup.Stats#rejected()}).</li>
 *   <li>{@code redeliveryDelays}: how long a released message waits before it is delivered again,
 *       by delivery attempt: the first element after the first delivery, the second after the second, the
 *       last for every later one. Empty: at once; one element: a fixed delay. A release may name its
 *       own delay instead.</li>
 *   <li>{@code maxInFlight}: most messages locked to consumers at once; an acquire past it waits for
 *       acknowledgements, releases or expiries.</li>
 * </ul>
 *
 * <p>Thread-safe (immutable).
 */
public record SharedGroupOptions(Duration lockDuration, int maxDeliveries, String deadLetterTopic,
                                 List<Duration> redeliveryDelays, int maxInFlight) {
    /** {@code maxDeliveries} meaning "deliver for ever". */
    public static final int UNLIMITED = -1;
    public static final Duration DEFAULT_LOCK_DURATION = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_DELIVERIES = 5;
    public static final int DEFAULT_MAX_IN_FLIGHT = 1000;
    /** The longest lock or redelivery delay: a week. */
    public static final Duration MAX_DURATION = Duration.ofDays(7);
    /** The most redelivery delays a backoff list may hold. */
    public static final int MAX_DELAYS = 64;
    public static final String DEAD_LETTER_TOPIC_PROPERTY = "rmq.dead-letter.topic";
    public static final String DEAD_LETTER_ID_PROPERTY = "rmq.dead-letter.id";
    public static final String DEAD_LETTER_DELIVERIES_PROPERTY = "rmq.dead-letter.deliveries";

    /** Defaults: 30 s lock, 5 deliveries, no dead-letter topic, immediate redelivery, 1,000 in flight. */
    public static final SharedGroupOptions DEFAULTS = new SharedGroupOptions(DEFAULT_LOCK_DURATION,
            DEFAULT_MAX_DELIVERIES, null, List.of(), DEFAULT_MAX_IN_FLIGHT);

    /**
     * @throws InvalidArgumentException if the lock duration is not within 1 ms .. {@link #MAX_DURATION},
     *                                  {@code maxDeliveries} is neither positive nor {@link #UNLIMITED},
     *                                  the dead-letter topic is not a valid name, a delay is null, negative
     *                                  or over {@link #MAX_DURATION}, there are more than
     *                                  {@link #MAX_DELAYS}, or {@code maxInFlight} is not positive
     */
    public SharedGroupOptions {
        if (lockDuration == null || lockDuration.toMillis() < 1 || lockDuration.compareTo(MAX_DURATION) > 0) {
            throw new InvalidArgumentException("lockDuration must be 1 ms to " + MAX_DURATION + ", was " + lockDuration);
        }
        if (maxDeliveries < 1 && maxDeliveries != UNLIMITED) {
            throw new InvalidArgumentException("maxDeliveries must be positive or UNLIMITED (-1), was " + maxDeliveries);
        }
        if (deadLetterTopic != null) {
            Names.check("dead-letter topic", deadLetterTopic);
        }
        if (redeliveryDelays == null) {
            throw new InvalidArgumentException("redeliveryDelays must not be null (empty: redeliver at once)");
        }
        if (redeliveryDelays.size() > MAX_DELAYS) {
            throw new InvalidArgumentException("at most " + MAX_DELAYS + " redelivery delays, was " + redeliveryDelays.size());
        }
        for (Duration d : redeliveryDelays) {
            if (d == null || d.isNegative() || d.compareTo(MAX_DURATION) > 0) {
                throw new InvalidArgumentException("redelivery delays must be 0 to " + MAX_DURATION + ", was " + d);
            }
        }
        redeliveryDelays = List.copyOf(redeliveryDelays);
        if (maxInFlight < 1) {
            throw new InvalidArgumentException("maxInFlight must be positive, was " + maxInFlight);
        }
    }

    public SharedGroupOptions withLockDuration(Duration lock) {
        return new SharedGroupOptions(lock, maxDeliveries, deadLetterTopic, redeliveryDelays, maxInFlight);
    }

    public SharedGroupOptions withMaxDeliveries(int max) {
        return new SharedGroupOptions(lockDuration, max, deadLetterTopic, redeliveryDelays, maxInFlight);
    }

    /** {@code topic} null: no dead-letter topic (dead letters are archived as rejected and counted). */
    public SharedGroupOptions withDeadLetterTopic(String topic) {
        return new SharedGroupOptions(lockDuration, maxDeliveries, topic, redeliveryDelays, maxInFlight);
    }

    /** A fixed delay before a released message is delivered again. */
    public SharedGroupOptions withRedeliveryDelay(Duration delay) {
        return withRedeliveryBackoff(List.of(delay));
    }

    /** Delays by delivery attempt, the last repeated (see the class comment). */
    public SharedGroupOptions withRedeliveryBackoff(List<Duration> delays) {
        return new SharedGroupOptions(lockDuration, maxDeliveries, deadLetterTopic, delays, maxInFlight);
    }

    public SharedGroupOptions withMaxInFlight(int max) {
        return new SharedGroupOptions(lockDuration, maxDeliveries, deadLetterTopic, redeliveryDelays, max);
    }

    /** The delay before redelivering a message released after its {@code attempt}-th delivery (1-based). */
    long redeliveryDelayMillis(int attempt) {
        if (redeliveryDelays.isEmpty()) {
            return 0;
        }
        return redeliveryDelays.get(Math.min(attempt, redeliveryDelays.size()) - 1).toMillis();
    }

    /** True when a message delivered {@code attempts} times may not be delivered again. */
    boolean exhausted(int attempts) {
        return maxDeliveries != UNLIMITED && attempts >= maxDeliveries;
    }
}
