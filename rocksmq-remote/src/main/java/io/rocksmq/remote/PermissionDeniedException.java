package io.rocksmq.remote;

import io.rocksmq.api.RocksMqException;

/**
 * The call's token does not grant what the call needs (produce, consume or admin on that topic).
 * Nothing was changed.
 *
 * <p>Thread-safe (immutable).
 */
public class PermissionDeniedException extends RocksMqException {
    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(String message) {
        super(message);
    }
}
