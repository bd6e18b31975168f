package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.QueueAlreadyOpenException;
import io.rocksmq.api.ReadOnlyQueueException;
import io.rocksmq.api.StorageException;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Env;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.SstFileManager;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns the RocksDB instance and its column families (tuned by {@link StoreOptions}), and turns RocksDB failures into
 * {@link StorageException}s that keep the engine's status. The bytes it stores are defined by
 * {@link StorageLayout}; it does not interpret them. It also holds the queue-wide read budgets, because
 * they bound what RocksDB keeps pinned: the count of groups' open read cursors (capped at
 * {@link #MAX_OPEN_CURSORS}) and the bytes of batches shared between readers ({@link RecentReads}).
 *
 * <p>Thread-safe: RocksDB handles are thread-safe; {@link #close()} must only be called once no other
 * call is in flight (the queue's lifecycle guarantees it).
 */
final class RocksStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private final QueueDirectory claim;
    private final Path directory;
    private final boolean readOnly;
    /** Opened as a RocksDB secondary instance ({@link RocksMqConfig#follow()}); read-only too. */
    private final boolean follow;
    private final List<AutoCloseable> resources;
    private final RocksDB db;
    private final ColumnFamilyHandle messages;
    private final ColumnFamilyHandle meta;
    private final WriteOptions walWrite;
    private final WalSyncer syncer;
    private final DiskSpaceGuard space;
    /** Bounds the memory of every topic's {@link RecentReads} together. */
    private final RecentReads.Budget recentReads = new RecentReads.Budget(RECENT_READS_BYTES);

    /** Consumer groups' read cursors kept open between consumes, all topics together, at most. */
    static final int MAX_OPEN_CURSORS = 1024;
    /** Read cursors open now ({@link ReadCursor}). */
    private final AtomicInteger openCursors = new AtomicInteger();

    /** Bytes of stored batches that recent reads may keep reachable for sharing, all topics together. */
    static final long RECENT_READS_BYTES = 64L << 20;

    /** RocksDB's info log when it goes to SLF4J (read-only), else null: it is the LOG file. */
    private final RocksLog rocksLog;

    /** Tries of a secondary instance's open or catch-up, which fail when the writer deletes a file meanwhile. */
    static final int FOLLOW_ATTEMPTS = 5;

    private RocksStore(QueueDirectory claim, boolean readOnly, boolean follow, RocksLog rocksLog,
                       List<AutoCloseable> resources, RocksDB db, ColumnFamilyHandle messages, ColumnFamilyHandle meta,
                       WriteOptions walWrite, DiskSpaceGuard space) {
        this.claim = claim;
        this.directory = claim.path();
        this.readOnly = readOnly;
        this.follow = follow;
        this.rocksLog = rocksLog;
        this.resources = resources;
        this.db = db;
        this.messages = messages;
        this.meta = meta;
        this.walWrite = walWrite;
        this.syncer = new WalSyncer(db::syncWal);
        this.space = space;
    }

    /**
     * Opens the queue's database: claims the directory ({@link QueueDirectory}: one queue per directory
     * in this process, whatever path names it), checks without writing that it holds a queue or
     * nothing, then opens RocksDB read-write, or read-only with {@link RocksMqConfig#readOnly()} (then
     * nothing in the directory changes: no LOG file, no write, no compaction), or as a secondary instance
     * with {@link RocksMqConfig#follow()} (read-only as well; no lock, and RocksDB's own files of the
     * secondary go to a private temporary directory, deleted at close).
     */
    static RocksStore open(RocksMqConfig config) {
        boolean readOnly = config.readOnly();
        boolean follow = config.follow();
        QueueDirectory claim = follow ? QueueDirectory.forFollower(config.directory())
                : QueueDirectory.claim(config.directory(), readOnly);
        Path dir = claim.path();
        // Everything opened so far, closed in reverse order if a later step fails.
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            if (readOnly && !follow) {
                claim.lockShared();
            }
            // Tracked first, so deleted last: after the database that uses it is closed.
            Path secondary = follow ? track(opened, new FollowerDirectory()).path : null;
            boolean create = claim.checkIsQueue(readOnly);
            LRUCache cache = track(opened, new LRUCache(Math.max(config.blockCacheBytes(), 1L << 20)));
            DBOptions dbOptions = track(opened, new DBOptions());
            RocksLog rocksLog = null;
            if (readOnly) {
                // RocksDB would otherwise create (and rotate) a LOG file in the directory.
                rocksLog = track(opened, new RocksLog(InfoLogLevel.WARN_LEVEL));
                dbOptions.setLogger(rocksLog);
                if (follow) {
                    // A secondary instance must keep every table file open: the writer deletes files as it
                    // compacts, and one opened at catch-up stays readable until this instance drops it.
                    dbOptions.setMaxOpenFiles(-1);
                }
            } else {
                // Closed after the DB (reverse order). Besides tracking SST files it is what makes RocksDB
                // recover by itself from "no space left on device": it polls free space and resumes writes
                // (RocksJava has no DB::Resume() to call ourselves).
                dbOptions.setSstFileManager(track(opened, sstFileManager()));
            }
            dbOptions
                    .setCreateIfMissing(create)
                    .setCreateMissingColumnFamilies(!readOnly)
                    .setMaxBackgroundJobs(Math.max(2, Runtime.getRuntime().availableProcessors()))
                    .setBytesPerSync(1L << 20)
                    .setKeepLogFileNum(3)
                    .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                    .setMaxTotalWalSize(4 * config.writeBufferBytes())
                    // Retention drops files continuously, one MANIFEST record each: without a roll-over
                    // the MANIFEST grows about 80 KB per GB produced, up to RocksDB's default of 1 GB.
                    .setMaxManifestFileSize(StoreOptions.MAX_MANIFEST_BYTES);

            List<ColumnFamilyDescriptor> descriptors = StoreOptions.columnFamilies(config, cache, opened);
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db;
            try {
                db = follow ? openSecondary(dbOptions, dir, secondary, descriptors, handles)
                        : readOnly ? RocksDB.openReadOnly(dbOptions, dir.toString(), descriptors, handles)
                        : RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            } catch (RocksDBException e) {
                if (isLockError(e)) {
                    throw new QueueAlreadyOpenException(dir.toString(), statusOf(e), e);
                }
                throw storage("cannot open queue in " + dir, e);
            }
            // Handles close before the DB, the DB before its options: track in that reverse order.
            track(opened, db);
            handles.forEach(h -> track(opened, h));
            WriteOptions walWrite = track(opened, new WriteOptions().setSync(false));
            // Room for a flush of the largest memtable twice over: also what RocksDB's own recovery
            // from a failed flush waits for (the SstFileManager's reserved buffer).
            long reserve = 2 * Math.max(config.writeBufferBytes(), StoreOptions.META_WRITE_BUFFER_BYTES);
            DiskSpaceGuard space = new DiskSpaceGuard(Files.getFileStore(dir), reserve);
            return new RocksStore(claim, readOnly, follow, rocksLog, opened, db, handles.get(1), handles.get(2), walWrite,
                    space);
        } catch (IOException e) {
            closeAll(opened, null);
            claim.close();
            throw new StorageException("cannot open queue in " + dir, e.toString(), e);
        } catch (RuntimeException e) {
            closeAll(opened, e);
            claim.close();
            throw e;
        }
    }

    /**
     * Opens a secondary instance, trying again when the writer deleted a file the MANIFEST still named
     * (a compaction finishing while the MANIFEST was read).
     */
    private static RocksDB openSecondary(DBOptions options, Path dir, Path secondary,
                                         List<ColumnFamilyDescriptor> descriptors, List<ColumnFamilyHandle> handles)
            throws RocksDBException {
        for (int attempt = 1; ; attempt++) {
            try {
                return RocksDB.openAsSecondary(options, dir.toString(), secondary.toString(), descriptors, handles);
            } catch (RocksDBException e) {
                handles.clear();
                if (attempt >= FOLLOW_ATTEMPTS) {
                    throw e;
                }
                pauseBeforeRetry(attempt);
            }
        }
    }

    private static void pauseBeforeRetry(int attempt) {
        try {
            Thread.sleep(10L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while following the writer", e.toString(), e);
        }
    }

    /**
     * A follower only: applies what the writer has written since the last catch-up (its MANIFEST and
     * write-ahead log) to this instance. Reads in flight keep the view they started with. Callers
     * serialise it ({@link TopicRegistry}'s lock).
     *
     * @throws StorageException if it failed {@value #FOLLOW_ATTEMPTS} times in a row
     */
    void catchUp() {
        for (int attempt = 1; ; attempt++) {
            try {
                db.tryCatchUpWithPrimary();
                return;
            } catch (RocksDBException e) {
                if (attempt >= FOLLOW_ATTEMPTS) {
                    throw storage("cannot catch up with the writer of " + directory, e);
                }
                pauseBeforeRetry(attempt);
            }
        }
    }

    /** True when opened with {@link RocksMqConfig#follow()}. */
    boolean follow() {
        return follow;
    }

    /**
     * The secondary instance's own directory (RocksDB keeps its info log and options there), under the
     * system temp dir; closing deletes it. A follower killed with SIGKILL leaves an empty one behind.
     */
    private static final class FollowerDirectory implements AutoCloseable {
        final Path path;

        FollowerDirectory() throws IOException {
            path = Files.createTempDirectory("rocksmq-follower-");
        }

        @Override
        public void close() throws IOException {
            try (var files = Files.walk(path)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static SstFileManager sstFileManager() {
        try {
            return new SstFileManager(Env.getDefault());
        } catch (RocksDBException e) {
            throw storage("cannot create the SST file manager", e);
        }
    }

    Path directory() {
        return directory;
    }

    /** True when opened with {@link RocksMqConfig#readOnly()}: every write is refused. */
    boolean readOnly() {
        return readOnly;
    }

    /**
     * RocksDB's own diagnoses of data it dropped while recovering at this open ("... dropping N bytes;
     * Corruption: ..."), verbatim; empty when it dropped nothing. Read from the LOG file RocksDB starts
     * afresh at each open (read-write) or from the messages it sent to SLF4J (read-only).
     */
    List<String> recoveryMessages() {
        List<String> lines;
        if (rocksLog != null) {
            lines = rocksLog.lines();
        } else {
            try (var all = Files.lines(directory.resolve("LOG"), java.nio.charset.StandardCharsets.ISO_8859_1)) {
                lines = all.limit(100_000).toList();
            } catch (IOException | java.io.UncheckedIOException e) {
                return List.of(); // no LOG (or unreadable): RocksDB's messages are not available
            }
        }
        return lines.stream().filter(l -> l.contains("dropping ") && l.contains(" bytes"))
                .map(String::strip).limit(100).toList();
    }

    /** Refuses a write to a read-only queue, before anything is done. */
    void requireWritable() {
        if (follow) {
            throw new ReadOnlyQueueException("queue in " + directory + " is open as a follower of the process that"
                    + " writes it (read-only); nothing was changed");
        }
        if (readOnly) {
            throw new ReadOnlyQueueException("queue in " + directory + " is open read-only; nothing was changed");
        }
    }

    RocksDB db() {
        return db;
    }

    ColumnFamilyHandle messages() {
        return messages;
    }

    ColumnFamilyHandle meta() {
        return meta;
    }

    /** Writes the batch to the write-ahead log (no fsync) and returns its sync ticket. */
    long write(WriteBatch batch) {
        requireWritable();
        refuseAfterFailedSync();
        try {
            db.write(walWrite, batch);
        } catch (RocksDBException e) {
            throw storage("write failed", e);
        }
        return syncer.ticket();
    }

    /**
     * As {@link #write(WriteBatch)}, for a batch of {@code bytes} payload that is refused with a
     * {@link StorageException} (nothing written) while the disk is nearly full; see {@link DiskSpaceGuard}.
     */
    long writeGuarded(WriteBatch batch, long bytes) {
        space.beforeWrite(bytes);
        return write(batch);
    }

    /**
     * Announces a write that will then wait for its fsync, before the write starts; never blocks. A sync
     * starting meanwhile waits briefly for the write so that it covers it too ({@link WalSyncer}). Every
     * call must be followed by {@link #endDurableWrite}, whether the write succeeded or not.
     */
    void beginDurableWrite() {
        syncer.beginDurableWrite();
    }

    /** Ends what {@link #beginDurableWrite} announced, once the write returned (or failed); never blocks. */
    void endDurableWrite() {
        syncer.endDurableWrite();
    }

    /**
     * Blocks until the write with this ticket is fsynced (group commit).
     *
     * @throws StorageException if the fsync failed: the write is in RocksDB (readable now) but may or may
     *                          not survive a crash
     */
    void awaitDurable(long ticket) {
        try {
            syncer.awaitSynced(ticket);
        } catch (WalSyncer.SyncFailedException e) {
            String what = "fsync of the write-ahead log failed; the batch is stored but may not survive a crash,"
                    + " and writes are refused until the queue is reopened";
            if (e.getCause() instanceof RocksDBException r) {
                StorageException s = storage(what, r);
                s.addSuppressed(e);
                throw s;
            }
            throw new StorageException(what, String.valueOf(e.getCause()), e);
        }
    }

    /** After a failed fsync of the log nothing new is written until the queue is reopened ({@link WalSyncer#failure()}). */
    private void refuseAfterFailedSync() {
        Throwable failure = syncer.failure();
        if (failure != null) {
            throw new StorageException("write refused: an fsync of the write-ahead log failed, so nothing written"
                    + " since could be made durable; reopen the queue",
                    failure instanceof RocksDBException r ? statusOf(r) : String.valueOf(failure), failure);
        }
    }

    /**
     * Makes every write so far durable (for the watermark), outside the group commit so that it is not
     * counted as a produce's sync; a failure is final for FSYNC produces too, as one of their own.
     */
    void syncAll() {
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            syncer.failedElsewhere(e);
            throw storage("fsync of the write-ahead log failed; FSYNC produce fails until the queue is reopened", e);
        }
    }

    long syncCount() {
        return syncer.syncCount();
    }

    /** A numeric property of the messages column family (or a database-wide one). */
    long longProperty(String property) {
        try {
            return db.getLongProperty(messages, property);
        } catch (RocksDBException e) {
            throw new InvalidArgumentException("not a numeric RocksDB property: '" + property + "' ("
                    + statusOf(e) + ")");
        }
    }

    void putMeta(byte[] key, byte[] value) {
        requireWritable();
        refuseAfterFailedSync();
        try {
            db.put(meta, walWrite, key, value);
        } catch (RocksDBException e) {
            throw storage("metadata write failed", e);
        }
    }

    byte[] getMeta(byte[] key) {
        try {
            return db.get(meta, key);
        } catch (RocksDBException e) {
            throw storage("metadata read failed", e);
        }
    }

    /** An iterator over one key range of a column family; close it to free the native resources. */
    Range range(ColumnFamilyHandle cf, byte[] lowerInclusive, byte[] upperExclusive) {
        return new Range(cf, lowerInclusive, upperExclusive, true);
    }

    /**
     * As {@link #range}, for a scan that reads each block once (a consumer group's cursor): the blocks
     * it reads are not added to the block cache. Filling the cache costs a scan an insert and an
     * eviction per block, and evicts the blocks other readers reuse; the iterator still holds the block
     * it stands on between calls. (ReadPathProfile, busy machine: consume
     * read 0.55x a raw scan's messages per CPU-second with the fill, 0.68x without (medians); BENCHMARKS.md)
     */
    Range scanRange(ColumnFamilyHandle cf, byte[] lowerInclusive, byte[] upperExclusive) {
        return new Range(cf, lowerInclusive, upperExclusive, false);
    }

    AtomicInteger openCursors() {
        return openCursors;
    }

    RecentReads.Budget recentReadsBudget() {
        return recentReads;
    }

    /** A bounded iterator and the native objects it needs alive (bounds must outlive the iterator). */
    final class Range implements AutoCloseable {
        private final Slice lower;
        private final Slice upper;
        private final ReadOptions options;
        final RocksIterator it;

        private Range(ColumnFamilyHandle cf, byte[] lowerInclusive, byte[] upperExclusive, boolean fillCache) {
            lower = new Slice(lowerInclusive);
            upper = new Slice(upperExclusive);
            options = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper).setFillCache(fillCache);
            it = db.newIterator(cf, options);
        }

        /** Makes the iterator see the database as it is now; it must be positioned again after. */
        void refresh() {
            try {
                it.refresh();
            } catch (RocksDBException e) {
                throw storage("read failed", e);
            }
        }

        /** Throws if the iterator stopped because of an error rather than the end of the range. */
        void check() {
            try {
                it.status();
            } catch (RocksDBException e) {
                throw storage("read failed", e);
            }
        }

        @Override
        public void close() {
            it.close();
            options.close();
            upper.close();
            lower.close();
        }
    }

    @Override
    public void close() {
        try {
            if (!readOnly) {
                try {
                    db.syncWal();
                } catch (RocksDBException e) {
                    // Best effort: closing still flushes what RocksDB buffered.
                }
            }
            closeAll(resources, null);
        } finally {
            claim.close();
        }
    }

    static StorageException storage(String what, RocksDBException e) {
        Status s = e.getStatus();
        if (s != null && s.getSubCode() == Status.SubCode.NoSpace) {
            // Say it in words, with what brings writes back (RocksJava cannot call DB::Resume()).
            what = what + " (disk full: RocksDB refuses writes until space is freed; reads keep working. It resumes"
                    + " by itself after a failed flush; after a failed write-ahead-log append, reopen the queue)";
        }
        return new StorageException(what, statusOf(e), e);
    }

    static String statusOf(RocksDBException e) {
        Status s = e.getStatus();
        if (s == null) {
            return e.getMessage();
        }
        String state = s.getState();
        return s.getCodeString() + (state == null || state.isEmpty() ? "" : ": " + state);
    }

    private static boolean isLockError(RocksDBException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return m.contains("lock") && (m.contains("temporarily unavailable") || m.contains("hold")
                || m.contains("resource busy"));
    }

    static <T extends AutoCloseable> T track(List<AutoCloseable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    /** Closes in reverse order of opening, collecting failures as suppressed exceptions. */
    private static void closeAll(List<AutoCloseable> opened, RuntimeException primary) {
        RuntimeException failure = primary;
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new StorageException("close failed", e.toString(), e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        opened.clear();
        if (failure != null && failure != primary) {
            throw failure;
        }
    }


}
