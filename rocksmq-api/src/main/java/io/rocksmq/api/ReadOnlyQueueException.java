package io.rocksmq.api;

/**
 * A call that would change the queue was made on a queue opened read-only; nothing was changed.
 * Thread-safe (immutable).
 */
public class ReadOnlyQueueException extends RocksMqException {
    private static final long serialVersionUID = 1L;

    public ReadOnlyQueueException(String message) {
        super(message);
    }
}
