package io.rocksmq.remote;

import io.rocksmq.api.RocksMqException;

/**
 * The server requires a token and the call had none, or one it does not know. Nothing was changed.
 *
 * <p>Thread-safe (immutable).
 */
public class UnauthenticatedException extends RocksMqException {
    private static final long serialVersionUID = 1L;

    public UnauthenticatedException(String message) {
        super(message);
    }
}
