package io.rocksmq.api;

/**
 * The backend that stores the messages failed or could not be reached, so the call could not be
 * carried out. On the embedded backend: RocksDB reported an I/O error, a full disk, corruption, or a
 * directory locked by another process. On the Kafka backend: the cluster could not be reached, did not
 * answer in time, or refused the request. The call's arguments were acceptable. Whether a retry can
 * succeed depends on the cause: a full disk or an unreachable cluster may pass; corruption does not, and
 * after a failed fsync the embedded queue refuses durable writes until it is reopened.
 *
 * <p>{@link #status()} keeps the backend's own status text (for RocksDB its {@code Status} code and
 * message, for Kafka the error's class and message) so nothing is lost in the wrapping.
 *
 * <p>Thread-safe (immutable).
 */
public class StorageException extends RocksMqException {
    private static final long serialVersionUID = 1L;
    private final String status;

    public StorageException(String message, String status, Throwable cause) {
        super(status == null ? message : message + ": " + status, cause);
        this.status = status;
    }

    /** The backend's status ("IOError: No space left on device", ...), or null when there was none. */
    public String status() {
        return status;
    }
}
