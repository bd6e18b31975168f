package io.rocksmq.api;

/**
 * Root of every failure the queue reports, whatever the backend. Unchecked: callers catch the subclass
 * they can act on ({@link TopicNotFoundException}, {@link QueueClosedException}, ...) and let the rest
 * propagate.
 *
 * <p>"No message yet" is never an exception; it is an empty result.
 *
 * <p>Thread-safe (immutable).
 */
public class RocksMqException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RocksMqException(String message) {
        super(message);
    }

    public RocksMqException(String message, Throwable cause) {
        super(message, cause);
    }
}
