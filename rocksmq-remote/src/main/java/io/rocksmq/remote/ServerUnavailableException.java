package io.rocksmq.remote;

import io.rocksmq.api.RocksMqException;

/**
 * The server could not be reached, or the connection to it was lost (it stopped, restarted, or the
 * network failed). What the failed call did is unknown: a send may or may not have been stored.
 * The client reconnects by itself (with backoff) on the next call.
 *
 * <p>Thread-safe (immutable).
 */
public class ServerUnavailableException extends RocksMqException {
    private static final long serialVersionUID = 1L;

    public ServerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
