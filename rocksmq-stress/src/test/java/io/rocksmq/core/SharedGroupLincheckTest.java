package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Lincheck check of a shared group of a real {@link RocksMq} (acquire ‖ ack ‖ release ‖ reject ‖ lock
 * expiry ‖ destroy and re-create): linearizable against {@link SharedGroupOperations.Spec}. The same check
 * fails on a broken variant ({@link SharedGroupUnlockedWriteLincheckTest}).
 *
 * <p>Thread-safe as {@link RocksMq} is; Lincheck makes one instance per scenario.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class SharedGroupLincheckTest extends SharedGroupOperations {
    private static final MutableClock CLOCK = new MutableClock(1_000_000_000_000L);
    private static final RocksMq MQ = open(CLOCK);

    public SharedGroupLincheckTest() {
        super(MQ, CLOCK);
    }

    /** Slow (RocksDB under the model checker: over a minute for ten scenarios), so in the long profile. */
    @Test
    @Tag("long")
    @Order(1) // before the stress runs, as in RegistryLincheckTest: Lincheck's snapshot of a large graph fails
    void modelChecking() {
        new ModelCheckingOptions().iterations(1).invocationsPerIteration(10)
                .threads(2).actorsPerThread(2).sequentialSpecification(SharedGroupOperations.Spec.class).check(getClass());
    }

    @Test
    void stress() {
        new StressOptions().iterations(6).invocationsPerIteration(50)
                .threads(2).actorsPerThread(3).sequentialSpecification(SharedGroupOperations.Spec.class).check(getClass());
    }

    @Test
    @Tag("long")
    void stressLong() {
        new StressOptions().iterations(40).invocationsPerIteration(500)
                .threads(3).actorsPerThread(4).sequentialSpecification(SharedGroupOperations.Spec.class).check(getClass());
    }
}
