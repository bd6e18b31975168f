package io.rocksmq.core;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;

/**
 * Lincheck model check of the wake-up primitive: a topic sequence, a group signal and one
 * registration, against a sequential spec where a produce or notify sets a pending flag that the next
 * check clears and reports, and ending the registration makes every later check report it.
 * {@code check} is {@code await(Duration.ZERO)} (one consumer thread, as the registration requires).
 *
 * <p>Thread-safe as far as the objects under test are; Lincheck makes one instance per scenario.
 */
public class WakeupLincheckTest {
    private final Topic topic = new Topic("t", 1, 0, 0, 0, 0, new RecentReads.Budget(0));
    private final ConsumerGroup group = new ConsumerGroup("g", new byte[0], 0);
    private final ConsumerRegistration registration;

    public WakeupLincheckTest() {
        topic.addGroup(group);
        registration = TopicRegistry.register(topic, group.name()); // the queue's own wiring
    }

    @Operation
    public void produce() {
        topic.signal().signal();
    }

    @Operation
    public void notifyGroup() {
        group.signal();
    }

    @Operation
    public boolean destroy() {
        return registration.end(AwaitResult.GROUP_DESTROYED);
    }

    @Operation(nonParallelGroup = "consumer")
    public AwaitResult check() {
        return registration.await(Duration.ZERO);
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions().iterations(10).invocationsPerIteration(200)
                .threads(2).actorsPerThread(3).sequentialSpecification(Spec.class).check(getClass());
    }

    @Test
    void stress() {
        new StressOptions().iterations(5).invocationsPerIteration(300)
                .threads(2).actorsPerThread(3).sequentialSpecification(Spec.class).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions().iterations(50).invocationsPerIteration(2_000)
                .threads(3).actorsPerThread(2).sequentialSpecification(Spec.class).check(getClass());
    }

    /** The sequential behaviour the primitive must be linearizable to. */
    public static class Spec {
        private boolean pending;
        private boolean ended;

        public void produce() {
            pending = true;
        }

        public void notifyGroup() {
            pending = true;
        }

        public boolean destroy() {
            boolean won = !ended;
            ended = true;
            return won;
        }

        public AwaitResult check() {
            if (ended) {
                return AwaitResult.GROUP_DESTROYED;
            }
            if (pending) {
                pending = false;
                return AwaitResult.SIGNALLED;
            }
            return AwaitResult.TIMED_OUT;
        }
    }
}
