package io.rocksmq.api;

/**
 * The directory holds no queue: it does not exist (for an open that may not create one), or it holds
 * a database or files that are not a queue (for instance another program's RocksDB). Nothing in the
 * directory was changed. Thread-safe (immutable).
 */
public class NotAQueueException extends StorageException {
    private static final long serialVersionUID = 1L;

    public NotAQueueException(String message, String status) {
        super(message, status, null);
    }
}
