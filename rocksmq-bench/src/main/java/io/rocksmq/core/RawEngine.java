package io.rocksmq.core;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.MutableColumnFamilyOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.nio.file.Path;

/**
 * The RocksDB instance RocksMQ would open, with exactly the same options and column families, handed
 * to the benchmark's raw-RocksDB peer so that "the engine limit" is measured on the engine as we
 * configure it (if the options in {@link RocksStore} change, the peer follows). Also gives the
 * benchmarks the few package-private figures they report.
 *
 * <p>Thread-safe as RocksDB handles are; {@link #close()} once nothing else uses it.
 */
public final class RawEngine implements AutoCloseable {
    private final RocksStore store;

    private RawEngine(RocksStore store) {
        this.store = store;
    }

    /** Opens (or creates) a RocksDB in {@code directory} with RocksMQ's default configuration. */
    public static RawEngine open(Path directory) {
        return new RawEngine(RocksStore.open(RocksMqConfig.builder(directory).build()));
    }

    public RocksDB db() {
        return store.db();
    }

    /** The column family RocksMQ keeps message batches in, with its options. */
    public ColumnFamilyHandle messages() {
        return store.messages();
    }

    /** The column family RocksMQ keeps topics, id counters and positions in. */
    public ColumnFamilyHandle meta() {
        return store.meta();
    }

    /** Number of write-ahead-log fsyncs a queue has done (for the group-commit ratio of W3). */
    public static long walSyncCount(RocksMq mq) {
        return mq.walSyncCount();
    }

    /**
     * Waits until the space of destroyed topics has been reclaimed (the queue compacts it in the
     * background), as the raw peer's drop does before it returns: a measurement that follows a drop
     * must not share the CPU with the drop's compaction.
     */
    public static void awaitSpaceReclaimed(RocksMq mq) {
        mq.awaitSpaceReclaimed();
    }

    /**
     * The BlobDB experiment of issue 19: from now on, values of the messages column family of at least
     * {@value #BLOB_MIN_BYTES} bytes (every batch of W1 and W2) go to blob files at flush, and compaction
     * moves only their references; garbage collection of blob files on, so that deleted values are
     * reclaimed. Blob options are mutable: set on the open database, nothing else changes.
     */
    public static void useBlobFiles(RocksDB db, ColumnFamilyHandle messages) {
        try {
            // Blob compression stays off: rocksdbjni 10.10 sends blob_compression_type by its Java enum
            // name, which the native option parser rejects. The harness's payloads are random, so LZ4
            // would not shrink them anyway (it is tried, and costs CPU, on the table files).
            db.setOptions(messages, MutableColumnFamilyOptions.builder()
                    .setEnableBlobFiles(true)
                    .setMinBlobSize(BLOB_MIN_BYTES)
                    .setEnableBlobGarbageCollection(true)
                    .build());
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot enable blob files", e);
        }
    }

    /** As {@link #useBlobFiles(RocksDB, ColumnFamilyHandle)}, on a queue's database. */
    public static void useBlobFiles(RocksMq mq) {
        useBlobFiles(mq.store().db(), mq.store().messages());
    }

    /**
     * The state of the messages column family a read meets (W4 reads right after W1's produce, while its
     * flushes and compactions may still run): level-0 files, memtables waiting for flush, running flushes
     * and compactions, the bytes compaction has yet to rewrite (RocksDB's estimate), and the live write-ahead log.
     */
    public static java.util.Map<String, Object> storageState(RocksDB db, ColumnFamilyHandle messages) {
        java.util.Map<String, Object> state = new java.util.LinkedHashMap<>();
        try {
            state.put("l0Files", Long.parseLong(db.getProperty(messages, "rocksdb.num-files-at-level0")));
            state.put("immutableMemtables", db.getLongProperty(messages, "rocksdb.num-immutable-mem-table"));
            state.put("runningFlushes", db.getLongProperty("rocksdb.num-running-flushes"));
            state.put("runningCompactions", db.getLongProperty("rocksdb.num-running-compactions"));
            state.put("pendingCompactionMB",
                    db.getLongProperty(messages, "rocksdb.estimate-pending-compaction-bytes") / 1e6);
            // Write-ahead-log files stay until every column family with data in them has flushed; past
            // max_total_wal_size RocksDB forces those flushes from the write path.
            long wal = 0;
            for (org.rocksdb.LogFile f : db.getSortedWalFiles()) {
                wal += f.sizeFileBytes();
            }
            state.put("walMB", wal / 1e6);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read the storage state", e);
        }
        return state;
    }

    /** As {@link #storageState(RocksDB, ColumnFamilyHandle)}, on a queue's database. */
    public static java.util.Map<String, Object> storageState(RocksMq mq) {
        return storageState(mq.store().db(), mq.store().messages());
    }

    /** Values from this size on are stored in blob files by {@link #useBlobFiles}: W1's batches are ~10.6 KB. */
    public static final int BLOB_MIN_BYTES = 4096;

    @Override
    public void close() {
        store.close();
    }
}
