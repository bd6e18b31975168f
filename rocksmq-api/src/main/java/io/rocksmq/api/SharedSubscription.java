package io.rocksmq.api;

import java.time.Duration;
import java.util.List;

/**
 * Settings of a {@link SubscriptionType#SHARED} subscription, applied when the subscription is created
 * (a consumer joining an existing one gets its settings, whatever it asks for).
 *
 * <ul>
 *   <li>{@code lockDuration}: how long a delivered message stays locked to its consumer; unanswered by
 *       then, it goes to another.</li>
 *   <li>{@code maxDeliveries}: the delivery that would exceed it dead-letters the message instead;
 *       {@link #UNLIMITED} never does.</li>
 *   <li>{@code deadLetterTopic}: where dead letters go (with their properties plus
 *       {@code rmq.dead-letter.topic}, {@code .id} and {@code .deliveries}); null: they are archived as
 *       rejected and counted.</li>
 *   <li>{@code redeliveryDelays}: the wait before a released message is delivered again, by delivery
 *       attempt (the last repeats); empty: at once.</li>
 *   <li>{@code maxInFlight}: most messages locked to the subscription's consumers at once.</li>
 * </ul>
 *
 * <p>Thread-safe (immutable).
 */
public record SharedSubscription(Duration lockDuration, int maxDeliveries, String deadLetterTopic,
                                 List<Duration> redeliveryDelays, int maxInFlight) {
    public static final int UNLIMITED = -1;
    /** 30 s lock, 5 deliveries, no dead-letter topic, immediate redelivery, 1,000 in flight. */
    public static final SharedSubscription DEFAULTS = new SharedSubscription(Duration.ofSeconds(30), 5, null,
            List.of(), 1000);

    /**
     * @throws InvalidArgumentException if the lock duration is not positive, {@code maxDeliveries} is
     *                                  neither positive nor {@link #UNLIMITED}, the dead-letter topic is not
     *                                  a valid name, a delay is null or negative, or {@code maxInFlight} is
     *                                  not positive (a backend may refuse more, when the subscription is made)
     */
    public SharedSubscription {
        if (lockDuration == null || lockDuration.isNegative() || lockDuration.isZero()) {
            throw new InvalidArgumentException("lockDuration must be positive, was " + lockDuration);
        }
        if (maxDeliveries < 1 && maxDeliveries != UNLIMITED) {
            throw new InvalidArgumentException("maxDeliveries must be positive or UNLIMITED (-1), was " + maxDeliveries);
        }
        if (deadLetterTopic != null) {
            Checks.name("dead-letter topic", deadLetterTopic);
        }
        if (redeliveryDelays == null) {
            throw new InvalidArgumentException("redeliveryDelays must not be null (empty: at once)");
        }
        for (Duration d : redeliveryDelays) {
            if (d == null || d.isNegative()) {
                throw new InvalidArgumentException("redelivery delays must be zero or positive, was " + d);
            }
        }
        redeliveryDelays = List.copyOf(redeliveryDelays);
        Checks.positive("maxInFlight", maxInFlight);
    }

    public SharedSubscription withLockDuration(Duration lock) {
        return new SharedSubscription(lock, maxDeliveries, deadLetterTopic, redeliveryDelays, maxInFlight);
    }

    public SharedSubscription withMaxDeliveries(int max) {
        return new SharedSubscription(lockDuration, max, deadLetterTopic, redeliveryDelays, maxInFlight);
    }

    public SharedSubscription withDeadLetterTopic(String topic) {
        return new SharedSubscription(lockDuration, maxDeliveries, topic, redeliveryDelays, maxInFlight);
    }

    public SharedSubscription withRedeliveryDelays(List<Duration> delays) {
        return new SharedSubscription(lockDuration, maxDeliveries, deadLetterTopic, delays, maxInFlight);
    }

    public SharedSubscription withMaxInFlight(int max) {
        return new SharedSubscription(lockDuration, maxDeliveries, deadLetterTopic, redeliveryDelays, max);
    }
}
