package io.rocksmq.api.internals;

import io.rocksmq.api.RocksMqException;

/**
 * Closes many things, going on after a failure: the first failure is thrown at the end with the later
 * ones {@linkplain Throwable#addSuppressed suppressed} on it. A checked exception is wrapped in a
 * {@link RocksMqException}.
 *
 * <pre>{@code
 * Closer closer = new Closer();
 * producers.forEach(closer::close);
 * closer.close(queue);
 * closer.throwIfFailed();
 * }</pre>
 *
 * <p>Not thread-safe: one closing thread.
 */
public final class Closer {
    private RuntimeException failure;

    /** Closes {@code c} (null: nothing), recording a failure instead of throwing it. */
    public void close(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            RuntimeException r = e instanceof RuntimeException re ? re : new RocksMqException("close failed", e);
            if (failure == null) {
                failure = r;
            } else if (failure != r) {
                failure.addSuppressed(r);
            }
        }
    }

    /** Throws the first failure (the others suppressed on it), if any. */
    public void throwIfFailed() {
        if (failure != null) {
            throw failure;
        }
    }
}
