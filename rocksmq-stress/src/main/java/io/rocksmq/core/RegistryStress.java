package io.rocksmq.core;

import io.rocksmq.api.ConsumerGroupNotFoundException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

import java.time.Duration;
import java.util.List;

import static io.rocksmq.core.SharedQueue.MQ;
import static io.rocksmq.core.SharedQueue.TOPIC;

/**
 * jcstress tests of the consumer-group registry of a real {@link RocksMq}: destroy racing notify,
 * register, consume and await. Outcome ids use {@link AwaitResult} ordinals: 2 = GROUP_DESTROYED.
 *
 * <p>Each state is driven by jcstress: one thread per actor, the arbiter after them.
 */
public final class RegistryStress {
    static final int DESTROYED = AwaitResult.GROUP_DESTROYED.ordinal();

    private RegistryStress() {
    }

    /** A fresh group with one registration. */
    public static class OneGroup {
        final String name = SharedQueue.newGroupName();
        final ConsumerRegistration registration;
        final ConsumerGroup incarnation;
        final long signalsBefore;

        public OneGroup() {
            MQ.createConsumerGroup(TOPIC, name);
            registration = MQ.registerConsumer(TOPIC, name);
            incarnation = SharedQueue.group(name);
            signalsBefore = incarnation.signals();
        }
    }

    @JCStressTest
    @Description("destroyConsumerGroup vs notify: no signal reaches a removed group; the registration ends")
    @Outcome(id = "0, 0, 2", expect = Expect.ACCEPTABLE, desc = "notify lost the race: harmless no-op")
    @Outcome(id = "1, 1, 2", expect = Expect.ACCEPTABLE, desc = "notify signalled before destroy")
    @Outcome(id = "[01], 1, [0-9]", expect = Expect.FORBIDDEN, desc = "signal delivered to a removed group")
    @Outcome(expect = Expect.FORBIDDEN, desc = "registration not ended by destroy, or impossible")
    @State
    public static class DestroyVsNotify extends OneGroup {
        long signalsAtRemoval;

        @Actor
        public void destroy() {
            MQ.destroyConsumerGroup(TOPIC, name);
            signalsAtRemoval = incarnation.signals() - signalsBefore;
        }

        @Actor
        public void notifyGroup() {
            MQ.notifyGroup(TOPIC, name);
        }

        @Arbiter
        public void check(III_Result r) {
            r.r1 = (int) signalsAtRemoval;
            r.r2 = (int) (incarnation.signals() - signalsBefore);
            r.r3 = registration.await(Duration.ZERO).ordinal();
        }
    }

    @JCStressTest
    @Description("destroyConsumerGroup vs registerConsumer: an accepted registration is always ended")
    @Outcome(id = "0, -1", expect = Expect.ACCEPTABLE, desc = "register refused: group already destroying")
    @Outcome(id = "1, 2", expect = Expect.ACCEPTABLE, desc = "registered, then ended by destroy")
    @Outcome(expect = Expect.FORBIDDEN, desc = "registration lost: live after its group was destroyed")
    @State
    public static class DestroyVsRegister {
        final String name = SharedQueue.newGroupName();
        ConsumerRegistration late;

        public DestroyVsRegister() {
            MQ.createConsumerGroup(TOPIC, name);
        }

        @Actor
        public void destroy() {
            MQ.destroyConsumerGroup(TOPIC, name);
        }

        @Actor
        public void register() {
            try {
                late = MQ.registerConsumer(TOPIC, name);
            } catch (ConsumerGroupNotFoundException refused) {
                late = null;
            }
        }

        @Arbiter
        public void check(II_Result r) {
            r.r1 = late == null ? 0 : 1;
            r.r2 = late == null ? -1 : late.await(Duration.ZERO).ordinal();
        }
    }

    @JCStressTest
    @Description("concurrent registrations of two groups on one topic: neither is lost")
    @Outcome(id = "2, 2", expect = Expect.ACCEPTABLE, desc = "both registered and both ended by their destroy")
    @Outcome(expect = Expect.FORBIDDEN, desc = "a registration was lost")
    @State
    public static class RegisterVsRegister {
        final String a = SharedQueue.newGroupName();
        final String b = SharedQueue.newGroupName();
        ConsumerRegistration ra;
        ConsumerRegistration rb;

        public RegisterVsRegister() {
            MQ.createConsumerGroup(TOPIC, a);
            MQ.createConsumerGroup(TOPIC, b);
        }

        @Actor
        public void registerA() {
            ra = MQ.registerConsumer(TOPIC, a);
        }

        @Actor
        public void registerB() {
            rb = MQ.registerConsumer(TOPIC, b);
        }

        @Arbiter
        public void check(II_Result r) {
            MQ.destroyConsumerGroup(TOPIC, a);
            MQ.destroyConsumerGroup(TOPIC, b);
            r.r1 = ra.await(Duration.ZERO).ordinal();
            r.r2 = rb.await(Duration.ZERO).ordinal();
        }
    }

    @JCStressTest
    @Description("destroyConsumerGroup vs consume, then re-create: the new group starts fresh")
    @Outcome(id = "1, 0", expect = Expect.ACCEPTABLE, desc = "consumed before destroy")
    @Outcome(id = "-1, 0", expect = Expect.ACCEPTABLE, desc = "consume refused: group not found")
    @Outcome(id = "[-01]+, 1", expect = Expect.FORBIDDEN,
            desc = "late consume wrote the old incarnation's position into the re-created group")
    @Outcome(expect = Expect.FORBIDDEN, desc = "impossible")
    @State
    public static class DestroyVsConsume {
        final String name = SharedQueue.newGroupName();
        int consumed;

        public DestroyVsConsume() {
            MQ.createConsumerGroup(TOPIC, name);
        }

        @Actor
        public void destroy() {
            MQ.destroyConsumerGroup(TOPIC, name);
        }

        @Actor
        public void consume() {
            try {
                consumed = MQ.consume(TOPIC, name, 1).size();
            } catch (ConsumerGroupNotFoundException refused) {
                consumed = -1;
            }
        }

        @Arbiter
        public void check(II_Result r) {
            r.r1 = consumed;
            MQ.createConsumerGroup(TOPIC, name);
            r.r2 = MQ.position(TOPIC, name) == SharedQueue.startId() ? 0 : 1;
            MQ.destroyConsumerGroup(TOPIC, name);
        }
    }

    @JCStressTest(Mode.Termination)
    @Description("await (one-day timeout) vs destroyConsumerGroup")
    @Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "await returned GROUP_DESTROYED")
    @Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "await hangs after destroy")
    @State
    public static class AwaitVsDestroy extends OneGroup {
        @Actor
        public void consumer() {
            while (!registration.await(Duration.ofDays(1)).isTerminal()) {
                Thread.onSpinWait();
            }
        }

        @Signal
        public void destroy() {
            MQ.destroyConsumerGroup(TOPIC, name);
        }
    }

    @JCStressTest(Mode.Termination)
    @Description("consume-then-await loop (one-day timeout) vs produce")
    @Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "the produced message was consumed")
    @Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "lost wake-up: the consumer missed the produce")
    @State
    public static class ProduceVsConsumeAwait {
        final String name = SharedQueue.newGroupName();
        final ConsumerRegistration registration;

        public ProduceVsConsumeAwait() {
            MQ.createConsumerGroup(TOPIC, name);
            MQ.seekToLatest(TOPIC, name);
            registration = MQ.registerConsumer(TOPIC, name);
        }

        @Actor
        public void consumer() {
            while (MQ.consume(TOPIC, name, 10).isEmpty()) {
                if (registration.await(Duration.ofDays(1)).isTerminal()) {
                    return;
                }
            }
            MQ.destroyConsumerGroup(TOPIC, name);
        }

        @Signal
        public void produce() {
            MQ.produce(TOPIC, List.of(ProducerMessage.of(new byte[] {42})));
        }
    }
}
