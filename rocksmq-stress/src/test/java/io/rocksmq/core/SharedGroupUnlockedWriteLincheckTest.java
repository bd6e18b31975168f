package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import kotlin.Unit;
import kotlin.reflect.KFunction;
import kotlin.reflect.jvm.ReflectJvmMapping;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The check of {@link SharedGroupLincheckTest}, same operations and spec, on a deliberately broken shared
 * group: an acquire lets the position lock go while it writes the new delivery counts (as one might, to
 * keep a RocksDB write out of the lock). Two acquirers can then both take the same message before either
 * marks it in flight; the check must find a history no sequential order explains.
 *
 * <p>Thread-safe as {@link RocksMq} is; Lincheck makes one instance per scenario.
 */
public class SharedGroupUnlockedWriteLincheckTest extends SharedGroupOperations {
    private static final MutableClock CLOCK = new MutableClock(1_000_000_000_000L);
    private static final RocksMq MQ = brokenQueue();

    public SharedGroupUnlockedWriteLincheckTest() {
        super(MQ, CLOCK);
    }

    private static RocksMq brokenQueue() {
        RocksMq mq = open(CLOCK);
        mq.sharedGroupsForTest().factory(UnlockedCountWrite::new);
        return mq;
    }

    /** Two acquirers at once, the scenario the bug needs: both may be handed the first message. */
    @Test
    void stressFindsTheDoubleDelivery() {
        assertThatThrownBy(() -> new StressOptions().iterations(0).invocationsPerIteration(2_000)
                .addCustomScenario(b -> {
                    b.parallel(p -> {
                        p.thread(t -> {
                            t.actor(acquireOperation());
                            return Unit.INSTANCE;
                        });
                        p.thread(t -> {
                            t.actor(acquireOperation());
                            return Unit.INSTANCE;
                        });
                        return Unit.INSTANCE;
                    });
                    return Unit.INSTANCE;
                })
                .sequentialSpecification(SharedGroupOperations.Spec.class).check(getClass()))
                .isInstanceOf(LincheckAssertionError.class)
                .satisfies(e -> System.out.println("Lincheck on the unlocked count write: " + e.getMessage()
                        .lines().limit(14).reduce("", (a, b) -> a + "\n" + b)));
    }

    private static KFunction<?> acquireOperation() {
        try {
            return ReflectJvmMapping.getKotlinFunction(SharedGroupOperations.class.getMethod("acquire"));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /** BROKEN: writes an acquire's delivery counts outside the group's position lock. */
    static final class UnlockedCountWrite extends SharedGroupState {
        UnlockedCountWrite(SharedGroupOptions o, long t, String n, long f, long[] c, Map<Long, byte[]> r) {
            super(o, t, n, f, c, r);
        }

        @Override
        void persistCounts(Op op, List<byte[][]> writes) {
            op.group().unlockPosition();
            try {
                Thread.sleep(1); // widens the window so that a quick check finds the bug
                super.persistCounts(op, writes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                op.group().lockPosition();
            }
        }
    }
}
