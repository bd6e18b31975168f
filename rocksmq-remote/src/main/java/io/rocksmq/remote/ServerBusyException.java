package io.rocksmq.remote;

import io.rocksmq.api.RocksMqException;

/**
 * The server refused the call for lack of a server-wide resource (gRPC status RESOURCE_EXHAUSTED with this
 * type in the error trailer): today, a {@code Subscribe} when the subscriptions already open have reserved
 * the server's whole buffer budget ({@code rmq serve --server-buffer-size}). Nothing was changed (no
 * subscription created, no position moved); the same call may succeed once other subscriptions end. A
 * consumer that loses its server and re-subscribes retries this by itself, with its backoff.
 *
 * <p>Thread-safe (immutable).
 */
public class ServerBusyException extends RocksMqException {
    private static final long serialVersionUID = 1L;

    public ServerBusyException(String message) {
        super(message);
    }
}
