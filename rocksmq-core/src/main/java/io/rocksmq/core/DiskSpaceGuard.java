package io.rocksmq.core;

import io.rocksmq.api.StorageException;

import java.io.IOException;
import java.nio.file.FileStore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Refuses large writes (produce) while the disk holding the queue has less than a reserve free, so
 * that RocksDB itself never runs out of space on the hot path.
 *
 * <p>Why: when RocksDB hits "no space left" appending to its write-ahead log it stops all writes and,
 * in RocksDB 10, does not resume by itself (it does after a failed flush, through the
 * {@code SstFileManager}); RocksJava has no {@code DB::Resume()}, so only a reopen would bring writes
 * back. Failing produce ourselves while space remains keeps RocksDB healthy: produce works again the
 * moment space is freed, and small metadata writes (consumer positions, admin) still fit in the reserve.
 * If something else fills the disk between two checks RocksDB can still hit the limit; then the
 * error says so and reopening the queue recovers.
 *
 * <p>Cost: a {@code statvfs} call only when the bytes written since the last one may have used up
 * the headroom it showed, or once a second; otherwise one atomic subtraction per write.
 *
 * <p>Thread-safe. Refreshes run under {@code this}; {@link #headroom} is counted down lock-free in between.
 */
final class DiskSpaceGuard {
    private static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final FileStore store;
    private final long reserveBytes;
    /** Bytes that may still be written before the next check; may go negative. Approximate by design. */
    private final AtomicLong headroom = new AtomicLong();
    private volatile long checkedAt;

    DiskSpaceGuard(FileStore store, long reserveBytes) {
        this.store = store;
        this.reserveBytes = reserveBytes;
        this.checkedAt = System.nanoTime() - 2 * RECHECK_NANOS;
    }

    long reserveBytes() {
        return reserveBytes;
    }

    /**
     * Accounts for a write of {@code bytes} (counted twice: write-ahead log, then table file) and
     * throws if it would eat into the reserve.
     */
    void beforeWrite(long bytes) {
        long cost = 2 * bytes;
        if (System.nanoTime() - checkedAt < RECHECK_NANOS && headroom.addAndGet(-cost) >= 0) {
            return;
        }
        synchronized (this) {
            long usable;
            try {
                usable = store.getUsableSpace();
            } catch (IOException e) {
                return; // cannot tell: let RocksDB find out, it reports a full disk itself
            }
            checkedAt = System.nanoTime();
            long room = usable - reserveBytes;
            headroom.set(room - cost);
            if (room < cost) {
                throw new StorageException("disk full: produce refused while less than " + mib(reserveBytes)
                        + " MiB is free on the queue's disk (reserve for flushes and consumer positions);"
                        + " reads keep working and produce works again as soon as space is freed",
                        "NoSpace: " + mib(usable) + " MiB usable, " + bytes + " bytes to write", null);
            }
        }
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
