package io.rocksmq.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shows that the {@link WakeupStress} states catch a registration wired wrongly, the way a copy of the
 * wiring kept beside the tests could drift from {@link TopicRegistry#register}: each state is driven
 * through the one interleaving jcstress reports as STALE when the wake-up is lost (the signal comes
 * after the consumer parked), once with the queue's own wiring, which must wake, and once with a broken
 * variant, which must not.
 *
 * <p>The wait for "still parked" is a liveness verdict, as jcstress's own: a lost wake-up never ends.
 */
class WakeupStressBrokenWiringTest {
    /**
     * How long a consumer of a broken wiring must stay parked after the signal to count as lost (jcstress
     * uses about 1 s). Only the broken variants are judged this quickly: a lost wake-up never ends, so
     * waiting longer would change nothing.
     */
    private static final Duration STALE_AFTER = Duration.ofSeconds(2);
    /**
     * How long a consumer of the queue's own wiring may take to finish after the signal before it counts
     * as lost; never reached unless something hangs. Not {@link #STALE_AFTER}: a woken consumer stalled
     * for two seconds on a loaded machine is late, not lost.
     */
    private static final Duration WOKEN_WITHIN = Duration.ofSeconds(30);

    /** Forgets the topic's signal: a produce advances the sequence but never unparks this consumer. */
    static ConsumerRegistration withoutTopicSignal(Topic topic, String group) {
        return topic.underAdminLock(() -> {
            ConsumerGroup g = topic.group(group);
            ConsumerRegistration r = new ConsumerRegistration(topic, g);
            g.addRegistration(r);
            return r;
        });
    }

    /** Forgets the group: a notify advances the group's count but never unparks this consumer. */
    static ConsumerRegistration withoutGroup(Topic topic, String group) {
        return topic.underAdminLock(() -> {
            ConsumerRegistration r = new ConsumerRegistration(topic, topic.group(group));
            topic.signal().add(r);
            return r;
        });
    }

    @Test
    void produceVsAwaitWakesWithTheQueuesWiringAndCatchesAMissingTopicSignal() throws Exception {
        assertThat(lostWakeUp(WakeupStress.ProduceVsAwait::new, TopicRegistry::register,
                WakeupStress.ProduceVsAwait::consumer, WakeupStress.ProduceVsAwait::produce, WOKEN_WITHIN)).isFalse();
        assertThat(lostWakeUp(WakeupStress.ProduceVsAwait::new, WakeupStressBrokenWiringTest::withoutTopicSignal,
                WakeupStress.ProduceVsAwait::consumer, WakeupStress.ProduceVsAwait::produce, STALE_AFTER)).isTrue();
    }

    @Test
    void notifyVsAwaitWakesWithTheQueuesWiringAndCatchesAMissingGroupRegistration() throws Exception {
        assertThat(lostWakeUp(WakeupStress.NotifyVsAwait::new, TopicRegistry::register,
                WakeupStress.NotifyVsAwait::consumer, WakeupStress.NotifyVsAwait::notifyGroup, WOKEN_WITHIN)).isFalse();
        assertThat(lostWakeUp(WakeupStress.NotifyVsAwait::new, WakeupStressBrokenWiringTest::withoutGroup,
                WakeupStress.NotifyVsAwait::consumer, WakeupStress.NotifyVsAwait::notifyGroup, STALE_AFTER)).isTrue();
    }

    /**
     * Runs the state's consumer actor on a thread until it parks on its registration, then the signal
     * actor; true if the consumer is still parked {@code lostAfter} later (the wake-up was lost).
     */
    private static <S extends WakeupStress.Wiring> boolean lostWakeUp(Function<WakeupStress.Registrar, S> state,
            WakeupStress.Registrar registrar, Consumer<S> consumerActor, Consumer<S> signalActor, Duration lostAfter)
            throws Exception {
        S s = state.apply(registrar);
        Thread consumer = new Thread(() -> consumerActor.accept(s), "wakeup-consumer");
        consumer.setDaemon(true);
        consumer.start();
        long deadline = System.nanoTime() + WOKEN_WITHIN.toNanos();
        while (LockSupport.getBlocker(consumer) != s.registration) {
            assertThat(System.nanoTime()).as("the consumer parks on its registration").isLessThan(deadline);
            Thread.onSpinWait();
        }
        signalActor.accept(s);
        consumer.join(lostAfter.toMillis());
        boolean lost = consumer.isAlive();
        if (lost) {
            s.registration.end(AwaitResult.GROUP_DESTROYED); // unparks it directly: the thread ends
        }
        consumer.join(WOKEN_WITHIN.toMillis());
        assertThat(consumer.isAlive()).as("consumer thread finished").isFalse();
        return lost;
    }
}
