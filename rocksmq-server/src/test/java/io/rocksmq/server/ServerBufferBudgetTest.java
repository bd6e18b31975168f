package io.rocksmq.server;

import io.rocksmq.api.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reservation bookkeeping of {@link ServerBufferBudget}: the rule (full, partial down to the floor,
 * refused), bad input, and a history of concurrent opens and closes from many threads (seeded) whose
 * invariants are checked: every grant within the rule, the reserved total never above the budget, and, at
 * each quiescent point, the reserved total equal to the sum of the live sessions' reservations. The history
 * check must catch {@link BrokenBufferBudget} (check, then reserve, as two steps).
 */
@Timeout(120)
class ServerBufferBudgetTest {
    private static final long SESSION = 1 << 20;
    private static final long FLOOR = 64 << 10;
    private static final int THREADS = 8;
    private static final int ROUNDS = 40;
    private static final int OPS = 5_000;

    /** What the history runs against: the budget, or the broken variant. */
    interface Reservations {
        long reserve(long wanted);

        void release(long bytes);

        long reserved();
    }

    private static Reservations of(ServerBufferBudget b) {
        return new Reservations() {
            @Override
            public long reserve(long wanted) {
                return b.reserve(wanted);
            }

            @Override
            public void release(long bytes) {
                b.release(bytes);
            }

            @Override
            public long reserved() {
                return b.reserved();
            }
        };
    }

    @Test
    void aSessionGetsItsBufferThenWhatIsLeftDownToTheFloorThenNothing() {
        ServerBufferBudget b = new ServerBufferBudget(2 * SESSION + 100 * 1024, FLOOR);
        assertThat(b.reserve(SESSION)).isEqualTo(SESSION);
        assertThat(b.reserve(SESSION)).isEqualTo(SESSION);
        assertThat(b.reserve(SESSION)).isEqualTo(100 * 1024); // what is left, above the floor
        assertThat(b.reserved()).isEqualTo(b.budget());
        assertThat(b.reserve(SESSION)).isZero();
        assertThat(b.reserve(1)).isZero();
        assertThat(b.reserved()).isEqualTo(b.budget());
        b.release(SESSION);
        assertThat(b.reserve(SESSION)).isEqualTo(SESSION);
    }

    @Test
    void belowTheFloorNothingIsReservedButASmallerWishFitsWhatIsLeft() {
        ServerBufferBudget b = new ServerBufferBudget(SESSION + FLOOR - 1, FLOOR);
        assertThat(b.reserve(SESSION)).isEqualTo(SESSION);
        assertThat(b.reserve(SESSION)).isZero(); // FLOOR - 1 left: below the floor
        assertThat(b.reserved()).isEqualTo(SESSION);
        assertThat(b.reserve(4096)).isEqualTo(4096); // a session whose whole buffer is below the floor
        assertThat(b.reserved()).isEqualTo(SESSION + 4096);
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        ServerBufferBudget b = new ServerBufferBudget(SESSION, FLOOR);
        assertThat(b.reserve(FLOOR)).isEqualTo(FLOOR);
        assertThatThrownBy(() -> b.reserve(0)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> b.reserve(-1)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> b.release(0)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> b.release(FLOOR + 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only " + FLOOR + " are reserved");
        assertThat(b.reserved()).isEqualTo(FLOOR);
        b.release(FLOOR);
        assertThatThrownBy(() -> b.release(FLOOR)).isInstanceOf(IllegalStateException.class); // released twice
        assertThat(b.reserved()).isZero();
        assertThatThrownBy(() -> new ServerBufferBudget(0, FLOOR)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> new ServerBufferBudget(SESSION, 0)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void concurrentOpensAndClosesKeepTheBookkeepingExactAndWithinTheBudget() throws Exception {
        long seed = new Random().nextLong();
        long budget = 6 * SESSION + 300 * 1024; // fewer sessions fit than the threads want: always contended
        List<String> violations = history(of(new ServerBufferBudget(budget, FLOOR)), budget, seed);
        assertThat(violations).as("seed " + seed).isEmpty();
    }

    @Test
    void theHistoryCatchesACheckThenReserveInTwoSteps() throws Exception {
        long seed = new Random().nextLong();
        long budget = 6 * SESSION + 300 * 1024;
        List<String> violations = history(new BrokenBufferBudget(budget, FLOOR), budget, seed);
        assertThat(violations).as("seed " + seed + ": the broken variant went unnoticed").isNotEmpty();
    }

    /**
     * {@link #THREADS} threads open (reserve) and close (release) sessions at random for {@link #ROUNDS}
     * rounds; between rounds, with every thread waiting, the reserved total must equal the sum of what the
     * threads hold. Returns the violations seen (the first few).
     */
    private static List<String> history(Reservations r, long budget, long seed)
            throws InterruptedException, BrokenBarrierException, TimeoutException {
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        @SuppressWarnings("unchecked")
        List<Long>[] held = new List[THREADS];
        CyclicBarrier start = new CyclicBarrier(THREADS + 1);
        CyclicBarrier done = new CyclicBarrier(THREADS + 1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int me = t;
            held[t] = new ArrayList<>();
            Random random = new Random(seed + t);
            Thread thread = new Thread(() -> {
                try {
                    for (int round = 0; round < ROUNDS; round++) {
                        start.await(60, TimeUnit.SECONDS);
                        for (int op = 0; op < OPS; op++) {
                            step(r, budget, random, held[me], violations);
                        }
                        done.await(60, TimeUnit.SECONDS);
                    }
                } catch (Exception e) {
                    violations.add("thread " + me + " failed: " + e);
                }
            }, "budget-history-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        for (int round = 0; round < ROUNDS; round++) {
            start.await(60, TimeUnit.SECONDS);
            done.await(60, TimeUnit.SECONDS);
            long sum = 0;
            for (List<Long> h : held) {
                for (long g : h) {
                    sum += g;
                }
            }
            long reserved = r.reserved();
            if (reserved != sum) {
                violations.add("round " + round + ": reserved " + reserved + " but the live sessions hold " + sum);
            }
            if (sum > budget) {
                violations.add("round " + round + ": the live sessions hold " + sum + ", above the budget " + budget);
            }
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(t.isAlive()).isFalse();
        }
        for (List<Long> h : held) {
            for (long g : h) {
                r.release(g);
            }
        }
        if (r.reserved() != 0) {
            violations.add("after every session closed: reserved " + r.reserved());
        }
        return violations.stream().limit(10).toList();
    }

    /** One open or close of a session by one thread, checked against the rule. */
    private static void step(Reservations r, long budget, Random random, List<Long> held,
                             ConcurrentLinkedQueue<String> violations) {
        if (!held.isEmpty() && random.nextInt(100) < 45) {
            r.release(held.remove(random.nextInt(held.size())));
        } else {
            long wanted = switch (random.nextInt(4)) {
                case 0 -> FLOOR / 2; // a session whose whole buffer is below the floor
                case 1 -> SESSION / 2;
                default -> SESSION;
            };
            long grant = r.reserve(wanted);
            if (grant != 0) {
                held.add(grant);
                if (grant > wanted || grant < Math.min(FLOOR, wanted)) {
                    violations.add("granted " + grant + " for " + wanted);
                }
            }
        }
        long now = r.reserved(); // a sample of the total as it was at some moment of this step
        if (now > budget || now < 0) {
            violations.add("reserved " + now + " outside 0.." + budget);
        }
    }
}
