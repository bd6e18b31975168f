package io.rocksmq.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A deliberately broken {@link ServerBufferBudget} for {@link ServerBufferBudgetTest}: the same rule, but the
 * check of what is left and the reservation are two steps (a read, then an add), so two sessions that check
 * at the same moment both take the last bytes and the reservations exceed the budget. The test shows that its
 * history check catches this.
 */
final class BrokenBufferBudget implements ServerBufferBudgetTest.Reservations {
    private final long budget;
    private final long floor;
    private final AtomicLong reserved = new AtomicLong();

    BrokenBufferBudget(long budget, long floor) {
        this.budget = budget;
        this.floor = floor;
    }

    @Override
    public long reserve(long wanted) {
        long grant = Math.min(wanted, budget - reserved.get());
        if (grant < Math.min(floor, wanted)) {
            return 0;
        }
        reserved.addAndGet(grant); // not from the value checked: the race
        return grant;
    }

    @Override
    public void release(long bytes) {
        reserved.addAndGet(-bytes);
    }

    @Override
    public long reserved() {
        return reserved.get();
    }
}
