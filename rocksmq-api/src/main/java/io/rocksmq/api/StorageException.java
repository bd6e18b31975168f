package io.rocksmq.api;

/**
 * The storage engine failed: I/O error, disk full, corruption, a directory locked by another
 * process. {@link #status()} keeps the engine's own status text (for RocksDB, its {@code Status}
 * code and message) so nothing is lost in the wrapping. Thread-safe (immutable).
 */
public class StorageException extends RocksMqException {
    private static final long serialVersionUID = 1L;
    private final String status;

    public StorageException(String message, String status, Throwable cause) {
        super(status == null ? message : message + ": " + status, cause);
        this.status = status;
    }

    /** The engine's status ("IOError: No space left on device", ...), or null when there was none. */
    public String status() {
        return status;
    }
}
