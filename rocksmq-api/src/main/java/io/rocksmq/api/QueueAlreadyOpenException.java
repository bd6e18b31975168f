package io.rocksmq.api;

/**
 * The data directory is already open, by this process or by another live one. A lock left by a
 * process that died never causes this. Thread-safe (immutable).
 */
public class QueueAlreadyOpenException extends StorageException {
    private static final long serialVersionUID = 1L;

    public QueueAlreadyOpenException(String directory, String status, Throwable cause) {
        super("data directory is already open by another queue instance or process: " + directory, status, cause);
    }
}
