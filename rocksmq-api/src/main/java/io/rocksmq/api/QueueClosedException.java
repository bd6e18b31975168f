package io.rocksmq.api;

/** The queue or client was closed; no further calls are accepted. Thread-safe (immutable). */
public class QueueClosedException extends RocksMqException {
    private static final long serialVersionUID = 1L;

    public QueueClosedException(String message) {
        super(message);
    }
}
