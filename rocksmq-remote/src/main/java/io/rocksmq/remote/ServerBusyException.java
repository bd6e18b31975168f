package io.rocksmq.remote;

import io.rocksmq.api.RocksMqException;

/**
 * The server refused the call for lack of a server-wide resource (gRPC status RESOURCE_EXHAUSTED with this
 * type in the error trailer): a {@code Subscribe} when the subscriptions already open have reserved the
 * server's whole buffer budget ({@code rmq serve --server-buffer-size}), or a shared subscription's
 * {@code Acquire} that finds no message ready and would wait, when the most acquires the server lets wait
 * at once (512) already wait (one that finds messages ready is answered with them). Nothing was
 * changed (no subscription created, no position moved, nothing acquired); the same call may succeed once
 * other subscriptions or acquires end. A consumer that loses its server and re-subscribes retries this by
 * itself, with its backoff; a shared consumer's poll retries a refused acquire by itself, within its timeout.
 * RESOURCE_EXHAUSTED without the trailer that is not one of gRPC's size limits (from servers before the
 * typed refusal, for example) is this exception too ({@link RemoteErrors#fromStatus}).
 *
 * <p>Thread-safe (immutable).
 */
public class ServerBusyException extends RocksMqException {
    private static final long serialVersionUID = 1L;

    public ServerBusyException(String message) {
        super(message);
    }
}
