package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.RocksMqException;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operations of the Lincheck check of a shared group (a work queue) of a real {@link RocksMq}: acquire, ack, release,
 * reject, lock expiry (the queue's clock moved past the lock duration) and destroy / re-create of the
 * group, on a topic of two messages, linearizable against {@link Spec}, a plain model of the states in
 * {@link SharedGroupState}'s javadoc. Each scenario gets a fresh topic on its subclass's queue. Run by
 * {@link SharedGroupLincheckTest} on the real state and by {@link SharedGroupUnlockedWriteLincheckTest} on a
 * broken one, which the check must catch.
 *
 * <p>Thread-safe as {@link RocksMq} is; Lincheck makes one instance per scenario.
 */
@Param(name = "message", gen = IntGen.class, conf = "0:1")
@Param(name = "attempt", gen = IntGen.class, conf = "1:2")
public abstract class SharedGroupOperations {
    static final Duration LOCK = Duration.ofSeconds(10);
    /** Two: the second delivery is the last, so release and acquire can dead-letter within two attempts. */
    static final int MAX_DELIVERIES = 2;
    static final SharedGroupOptions OPTIONS = SharedGroupOptions.DEFAULTS.withLockDuration(LOCK)
            .withMaxDeliveries(MAX_DELIVERIES).withRedeliveryDelay(Duration.ZERO);

    private static final AtomicLong TOPICS = new AtomicLong();

    private final RocksMq mq;
    private final MutableClock clock;
    private final String topic;
    private final long[] ids;
    private final SharedGroup group;

    protected SharedGroupOperations(RocksMq mq, MutableClock clock) {
        this.mq = mq;
        this.clock = clock;
        this.topic = "t" + TOPICS.incrementAndGet();
        mq.createTopic(topic);
        ids = mq.produce(topic, List.of(ProducerMessage.of(new byte[] {0}), ProducerMessage.of(new byte[] {1})));
        mq.createSharedGroup(topic, "g", OPTIONS);
        group = mq.sharedGroup(topic, "g");
    }

    /** A queue without the retention worker (a background thread the model checker need not see). */
    static RocksMq open(Clock clock) {
        try {
            return RocksMq.open(RocksMqConfig.builder(Files.createTempDirectory("rocksmq-lincheck-shared"))
                    .retentionInterval(Duration.ZERO).clock(clock).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Operation
    public String acquire() {
        try {
            List<SharedGroup.Delivery> got = group.acquire(1, Duration.ZERO);
            if (got.isEmpty()) {
                return "none";
            }
            SharedGroup.Delivery d = got.get(0);
            return (d.id() == ids[0] ? 0 : 1) + "#" + d.attempt();
        } catch (ConsumerGroupNotFoundException e) {
            return "gone";
        }
    }

    @Operation
    public String ack(@Param(name = "message") int message, @Param(name = "attempt") int attempt) {
        return outcome(() -> group.ack(ids[message], attempt));
    }

    @Operation
    public String release(@Param(name = "message") int message, @Param(name = "attempt") int attempt) {
        return outcome(() -> group.release(ids[message], attempt, Duration.ZERO));
    }

    @Operation
    public String reject(@Param(name = "message") int message, @Param(name = "attempt") int attempt) {
        return outcome(() -> group.reject(ids[message], attempt));
    }

    /** Every lock taken so far expires: the clock moves past the lock duration. */
    @Operation
    public void expire() {
        clock.advance(LOCK.toMillis() + 1);
    }

    @Operation
    public void destroy() {
        mq.destroyConsumerGroup(topic, "g");
    }

    @Operation
    public String recreate() {
        try {
            mq.createSharedGroup(topic, "g", OPTIONS);
            return "ok";
        } catch (ConsumerGroupExistsException e) {
            return "exists";
        }
    }

    private static String outcome(Runnable operation) {
        try {
            operation.run();
            return "ok";
        } catch (ConsumerGroupNotFoundException e) {
            return "gone";
        } catch (RocksMqException e) {
            return e.getClass().getSimpleName();
        }
    }

    /** The shared group as a plain sequential model: two messages, each fresh, in flight, available or done. */
    public static class Spec {
        private enum Phase { FRESH, IN_FLIGHT, AVAILABLE, DONE }

        private boolean exists = true;
        private final Phase[] phase = {Phase.FRESH, Phase.FRESH};
        private final int[] attempts = new int[2];
        /** Available because its lock expired: the latest delivery may still be acked or rejected. */
        private final boolean[] lapsed = new boolean[2];

        public String acquire() {
            if (!exists) {
                return "gone";
            }
            for (int i = 0; i < 2; i++) { // available again first, lowest id first; a used-up one is dead-lettered
                if (phase[i] == Phase.AVAILABLE) {
                    if (attempts[i] >= MAX_DELIVERIES) {
                        phase[i] = Phase.DONE;
                        continue;
                    }
                    return take(i);
                }
            }
            for (int i = 0; i < 2; i++) {
                if (phase[i] == Phase.FRESH) {
                    return take(i);
                }
            }
            return "none";
        }

        private String take(int i) {
            attempts[i]++;
            phase[i] = Phase.IN_FLIGHT;
            lapsed[i] = false;
            return i + "#" + attempts[i];
        }

        public String ack(int message, int attempt) {
            String refused = finishable(message, attempt);
            if (refused != null) {
                return refused;
            }
            phase[message] = Phase.DONE;
            return "ok";
        }

        public String reject(int message, int attempt) {
            return ack(message, attempt); // no dead-letter topic: archived as rejected, finished all the same
        }

        public String release(int message, int attempt) {
            String refused = current(message, attempt);
            if (refused != null) {
                return refused;
            }
            if (phase[message] != Phase.IN_FLIGHT) {
                return lapsed[message] ? "LockExpiredException" : "StaleDeliveryException";
            }
            phase[message] = attempts[message] >= MAX_DELIVERIES ? Phase.DONE : Phase.AVAILABLE;
            return "ok";
        }

        public void expire() {
            for (int i = 0; i < 2; i++) {
                if (phase[i] == Phase.IN_FLIGHT) {
                    phase[i] = Phase.AVAILABLE;
                    lapsed[i] = true;
                }
            }
        }

        public void destroy() {
            exists = false;
        }

        public String recreate() {
            if (exists) {
                return "exists";
            }
            exists = true;
            for (int i = 0; i < 2; i++) {
                phase[i] = Phase.FRESH;
                attempts[i] = 0;
                lapsed[i] = false;
            }
            return "ok";
        }

        private String finishable(int message, int attempt) {
            String refused = current(message, attempt);
            if (refused == null && phase[message] != Phase.IN_FLIGHT && !lapsed[message]) {
                return "StaleDeliveryException";
            }
            return refused;
        }

        /** Why (message, attempt) names no current delivery, or null if it does. */
        private String current(int message, int attempt) {
            if (!exists) {
                return "gone";
            }
            if (phase[message] == Phase.FRESH || phase[message] == Phase.DONE) {
                return "DeliveryNotFoundException";
            }
            if (attempt < attempts[message]) {
                return "StaleDeliveryException";
            }
            if (attempt > attempts[message]) {
                return "DeliveryNotFoundException";
            }
            return null;
        }
    }
}
