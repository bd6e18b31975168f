package io.rocksmq.core;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import java.time.Duration;

/**
 * jcstress tests of the wake-up handshake alone ({@link TopicSignal}, {@link ConsumerGroup#signal},
 * {@link ConsumerRegistration#await}), without storage: a consumer that found nothing and then waits
 * with a one-day timeout must be woken by a produce, a notify or the end of its registration that
 * happens after its check. A lost wake-up shows as STALE.
 *
 * <p>The registration is made by {@link TopicRegistry#register}, the code {@link RocksMq#registerConsumer}
 * runs, not a copy of it. {@code WakeupStressBrokenWiringTest} (test sources) drives the same states
 * with a registration wired the way a drifted copy could be, and shows that they catch it.
 *
 * <p>Each state is driven by jcstress: one thread per actor, the signal from another.
 */
public final class WakeupStress {
    private static final Duration FOREVER = Duration.ofDays(1);

    private WakeupStress() {
    }

    /** How a state registers its consumer: {@link TopicRegistry#register} unless a test says otherwise. */
    interface Registrar {
        ConsumerRegistration register(Topic topic, String group);
    }

    /** One registered consumer of one group on one topic, wired as RocksMq.registerConsumer does. */
    public static class Wiring {
        final Topic topic = new Topic("t", 1, 0, 0, 0, 0, new RecentReads.Budget(0));
        final ConsumerGroup group = new ConsumerGroup("g", new byte[0], 0);
        final ConsumerRegistration registration;
        /** Stands for the committed messages a consumer would find (Topic.latestId in RocksMq). */
        volatile boolean available;

        public Wiring() {
            this(TopicRegistry::register);
        }

        Wiring(Registrar registrar) {
            topic.addGroup(group);
            registration = registrar.register(topic, group.name());
        }

        /** The documented consumer loop: check, then wait; returns when something was found or it ended. */
        void consumeLoop() {
            while (!available) {
                if (registration.await(FOREVER).isTerminal()) {
                    return;
                }
            }
        }
    }

    @JCStressTest(Mode.Termination)
    @Description("produce (commit, then sequence++) vs check-then-await")
    @Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "woken")
    @Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "lost wake-up after produce")
    @State
    public static class ProduceVsAwait extends Wiring {
        public ProduceVsAwait() {
        }

        ProduceVsAwait(Registrar registrar) {
            super(registrar);
        }

        @Actor
        public void consumer() {
            consumeLoop();
        }

        @Signal
        public void produce() {
            available = true;
            topic.signal().signal();
        }
    }

    @JCStressTest(Mode.Termination)
    @Description("notify (group signal) vs check-then-await")
    @Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "woken")
    @Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "lost wake-up after notify")
    @State
    public static class NotifyVsAwait extends Wiring {
        public NotifyVsAwait() {
        }

        NotifyVsAwait(Registrar registrar) {
            super(registrar);
        }

        @Actor
        public void consumer() {
            consumeLoop();
        }

        @Signal
        public void notifyGroup() {
            available = true;
            group.signal();
        }
    }

    @JCStressTest(Mode.Termination)
    @Description("registration ended (group destroyed) vs await")
    @Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "await returned GROUP_DESTROYED")
    @Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "await hangs after destroy")
    @State
    public static class EndVsAwait extends Wiring {
        public EndVsAwait() {
        }

        EndVsAwait(Registrar registrar) {
            super(registrar);
        }

        @Actor
        public void consumer() {
            consumeLoop();
        }

        @Signal
        public void destroy() {
            registration.end(AwaitResult.GROUP_DESTROYED);
        }
    }
}
