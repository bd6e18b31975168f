package io.rocksmq.api;

/**
 * An argument was rejected before anything changed: a null payload, a non-positive count, a
 * malformed id. The call had no effect. Thread-safe (immutable).
 */
public class InvalidArgumentException extends RocksMqException {
    private static final long serialVersionUID = 1L;

    public InvalidArgumentException(String message) {
        super(message);
    }
}
