package io.rocksmq.server;

import io.rocksmq.api.InvalidArgumentException;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide bound on what subscription sessions buffer ({@code rmq serve --server-buffer-size},
 * {@link RmqServer.Builder#serverBufferBytes}): each {@link SubscriptionSession} reserves its buffer from
 * here when it opens and gives it back exactly once when it ends. No session ever asks another for anything:
 * a session's share is fixed for its lifetime, so what all sessions hold is bounded without any signalling
 * between them.
 *
 * <h2>The rule</h2>
 * A session asks for its full buffer ({@link RmqServer.Builder#sessionBufferBytes}). It gets that if the
 * budget left covers it; otherwise all that is left, provided that is at least the floor
 * ({@link RmqServer#SESSION_BUFFER_FLOOR_BYTES}, or the full buffer if that is smaller); otherwise nothing,
 * and the session's {@code Subscribe} fails with RESOURCE_EXHAUSTED before the embedded consumer is
 * created (no group created, no position moved). So the sessions' reservations add up to at most
 * {@link #budget()}, and what they hold to at most that plus, per session, the larger messages its
 * buffer lets through alone (the read-ahead and the poll may each hold one message larger than their half).
 *
 * <h2>States</h2>
 * One number, {@link #reserved}: the sum of the reservations of the sessions open now. It changes only by
 * {@link #reserve} (a compare-and-set from a value it checked: the check and the reservation are one
 * atomic step, so two sessions never both take the same last bytes) and {@link #release} (an atomic
 * subtraction, refused if it would go below zero, which would mean a reservation given back twice). It
 * never exceeds {@link #budget()} and never goes below zero. A session calls {@code reserve} once, from the
 * gRPC thread that receives its {@code open}, and {@code release} once, from whichever thread ends it.
 *
 * <p>Thread-safe: one atomic word, no lock.
 */
final class ServerBufferBudget {
    private final long budget;
    private final long floor;
    /** The sum of the live sessions' reservations: {@code 0 <= reserved <= budget}. */
    private final AtomicLong reserved = new AtomicLong();

    /**
     * @param budget the bytes all sessions may reserve together (positive)
     * @param floor  the least a session is given when it cannot have all it asks for (positive)
     */
    ServerBufferBudget(long budget, long floor) {
        if (budget <= 0 || floor <= 0) {
            throw new InvalidArgumentException("a buffer budget and its floor must be positive, were " + budget
                    + " and " + floor);
        }
        this.budget = budget;
        this.floor = floor;
    }

    /**
     * Reserves {@code wanted} bytes, or what is left if less but at least {@code min(floor, wanted)}.
     *
     * @return the bytes reserved, or 0 if refused (then nothing changed)
     * @throws InvalidArgumentException if {@code wanted} is not positive
     */
    long reserve(long wanted) {
        if (wanted <= 0) {
            throw new InvalidArgumentException("a reservation must be positive, was " + wanted);
        }
        long least = Math.min(floor, wanted);
        while (true) {
            long now = reserved.get();
            long grant = Math.min(wanted, budget - now);
            if (grant < least) {
                return 0;
            }
            if (reserved.compareAndSet(now, now + grant)) {
                return grant;
            }
        }
    }

    /**
     * Gives back a reservation.
     *
     * @throws IllegalStateException if more would be given back than is reserved (a reservation released
     *                               twice); nothing changes then
     */
    void release(long bytes) {
        if (bytes <= 0) {
            throw new InvalidArgumentException("a release must be positive, was " + bytes);
        }
        while (true) {
            long now = reserved.get();
            if (bytes > now) {
                throw new IllegalStateException("releasing " + bytes + " bytes, but only " + now + " are reserved");
            }
            if (reserved.compareAndSet(now, now - bytes)) {
                return;
            }
        }
    }

    /** The sum of the open sessions' reservations. */
    long reserved() {
        return reserved.get();
    }

    /** The bytes all sessions may reserve together. */
    long budget() {
        return budget;
    }

    /** The least a session is given when it cannot have all it asks for. */
    long floor() {
        return floor;
    }
}
