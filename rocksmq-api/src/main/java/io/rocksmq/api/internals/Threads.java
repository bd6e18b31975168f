package io.rocksmq.api.internals;

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
}
