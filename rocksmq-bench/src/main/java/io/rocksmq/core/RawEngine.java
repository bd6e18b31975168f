package io.rocksmq.core;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;

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

    @Override
    public void close() {
        store.close();
    }
}
