package io.rocksmq.api;

/**
 * A topic or consumer-group name is not acceptable: names are 1 to 255 characters, with no control
 * characters and no unpaired surrogates. The call had no effect. Thread-safe (immutable).
 */
public class InvalidNameException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidNameException(String message) {
        super(message);
    }
}
