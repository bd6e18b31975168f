package io.rocksmq.api.internals;

import io.rocksmq.api.RocksMqException;

import java.util.concurrent.locks.Condition;

/** Thread helpers. Thread-safe: stateless. */
public final class Threads {
    private Threads() {
    }

    /**
     * Waits for {@code thread} to end even if interrupted meanwhile; the caller's interrupt status is
     * restored afterwards. Returns at once when called from {@code thread} itself (a listener closing its
     * own consumer), which could otherwise never end.
     */
    public static void joinUninterruptibly(Thread thread) {
        if (thread == Thread.currentThread()) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits on {@code condition} (its lock held by the caller) for a caller that must not lose an
     * interrupt: an interrupt ends the wait with a {@link RocksMqException} saying what was awaited, the
     * interrupt status kept. Callers loop on their own predicate, as with {@link Condition#await()}.
     *
     * @throws RocksMqException if interrupted while waiting
     */
    public static void await(Condition condition, String waitingFor) {
        try {
            condition.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RocksMqException("interrupted while " + waitingFor);
        }
    }
}
