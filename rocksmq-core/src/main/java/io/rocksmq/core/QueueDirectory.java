package io.rocksmq.core;

import io.rocksmq.api.NotAQueueException;
import io.rocksmq.api.QueueAlreadyOpenException;
import io.rocksmq.api.StorageException;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A queue's data directory, claimed by one open queue of this process, and the checks made on it
 * before RocksDB opens it.
 *
 * <p><b>Identity.</b> The in-process claim is keyed by the directory's file key (device and inode on
 * Linux) read after the directory exists, not by its path: a symlinked parent, {@code ..}, a bind mount
 * or a case variant on a case-insensitive file system all reach the same key. (RocksDB's own LOCK only
 * guards against other processes.)
 *
 * <p><b>Is it a queue?</b> {@link #checkIsQueue} reads, and never writes: a directory whose database has
 * column families other than the queue's (another program's RocksDB) is refused with a
 * {@link NotAQueueException} before anything could convert it. A read-only open also holds a shared
 * lock on RocksDB's {@code LOCK} file, so a live writer in another process is detected (and cannot
 * start meanwhile) while nothing is written.
 *
 * <p><b>Followers</b> ({@link #forFollower}) claim nothing: a RocksDB secondary instance locks nothing and
 * writes nothing in the directory, so it may run next to the writer, in this process or another.
 *
 * <p>Thread-safety: the registry of claims is a concurrent map; a claim itself belongs to the one
 * thread opening or closing its queue. {@link #close()} is idempotent.
 */
final class QueueDirectory implements AutoCloseable {
    /** File key → the real path it was claimed under, for every directory open in this JVM. */
    private static final ConcurrentHashMap<Object, Path> CLAIMED = new ConcurrentHashMap<>();
    private static final Logger LOG = LoggerFactory.getLogger(QueueDirectory.class);
    /** The one data file an interrupted creation leaves behind ({@link #refuseDataWithoutCurrent}). */
    private static final String INTERRUPTED_CREATION_MANIFEST = "MANIFEST-000001";
    private static final Set<String> QUEUE_COLUMN_FAMILIES = Set.of(
            new String(RocksDB.DEFAULT_COLUMN_FAMILY, StandardCharsets.UTF_8),
            StorageLayout.MESSAGES_CF, StorageLayout.META_CF);

    private final Path path;
    private final Object key;
    private FileChannel lockChannel;
    private FileLock sharedLock;
    private boolean released;

    private QueueDirectory(Path path, Object key) {
        this.path = path;
        this.key = key;
    }

    /**
     * Claims the directory for one queue of this process. A read-write open creates it if missing; a
     * read-only one requires it.
     *
     * @throws QueueAlreadyOpenException if a queue of this process has it open, under any path
     * @throws NotAQueueException        read-only, and the directory does not exist
     * @throws StorageException          if it cannot be created or inspected
     */
    static QueueDirectory claim(Path directory, boolean readOnly) {
        Path abs = directory.toAbsolutePath();
        Path real;
        Object key;
        try {
            abs = resolveExisting(abs);
            if (readOnly) {
                if (!Files.isDirectory(abs)) {
                    throw new NotAQueueException("no queue in " + abs, "the directory does not exist");
                }
            } else {
                Files.createDirectories(abs);
            }
            real = abs.toRealPath();
            Object fileKey = Files.readAttributes(real, BasicFileAttributes.class).fileKey();
            key = fileKey != null ? fileKey : real; // no file keys on this platform: the real path
        } catch (IOException e) {
            throw new StorageException((readOnly ? "cannot read data directory " : "cannot create data directory ")
                    + abs, e.toString(), e);
        }
        Path holder = CLAIMED.putIfAbsent(key, real);
        if (holder != null) {
            throw new QueueAlreadyOpenException(real.toString(), "already open in this process"
                    + (holder.equals(real) ? "" : " as " + holder + " (the same directory)"), null);
        }
        return new QueueDirectory(real, key);
    }

    /**
     * The directory for a follower ({@link RocksMqConfig#follow()}): it must exist; nothing is claimed
     * (a follower may run next to the writer in this process too) and {@link #close()} releases nothing.
     *
     * @throws NotAQueueException the directory does not exist
     * @throws StorageException   if it cannot be inspected
     */
    static QueueDirectory forFollower(Path directory) {
        Path abs = directory.toAbsolutePath();
        try {
            abs = resolveExisting(abs);
            if (!Files.isDirectory(abs)) {
                throw new NotAQueueException("no queue in " + abs, "the directory does not exist");
            }
            return new QueueDirectory(abs.toRealPath(), null);
        } catch (IOException e) {
            throw new StorageException("cannot read data directory " + abs, e.toString(), e);
        }
    }

    /**
     * The part of {@code abs} that exists, resolved as the operating system resolves it (so "x/../q"
     * with x a symlink is under x's target's parent); the rest, which does not exist yet, normalized
     * as text (as {@code mkdir -p} would create it).
     */
    private static Path resolveExisting(Path abs) throws IOException {
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs.normalize();
        }
        return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
    }

    /** The directory's real path (symlinks resolved). */
    Path path() {
        return path;
    }

    /**
     * Checks, reading only, that the directory holds a queue or nothing, and says whether RocksDB may
     * create a new database in it.
     *
     * @return true when the directory holds no database yet (a read-write open creates the queue)
     * @throws NotAQueueException another program's database, or (read-only) no database at all
     * @throws StorageException   a damaged database: CURRENT missing next to data, unreadable MANIFEST
     */
    boolean checkIsQueue(boolean readOnly) {
        if (!Files.exists(path.resolve("CURRENT"), LinkOption.NOFOLLOW_LINKS)) {
            refuseDataWithoutCurrent();
            if (readOnly) {
                throw new NotAQueueException("no queue in " + path, "the directory holds no database");
            }
            return true;
        }
        Set<String> families = columnFamilies();
        if (families.equals(QUEUE_COLUMN_FAMILIES)) {
            return false;
        }
        Set<String> foreign = new TreeSet<>(families);
        foreign.removeAll(QUEUE_COLUMN_FAMILIES);
        // A queue being created gets its column families one by one: a crash in between leaves some of
        // them missing, all empty. Only that state may be completed; anything else is not ours.
        if (foreign.isEmpty() && !readOnly && allEmpty(families)) {
            return false;
        }
        throw new NotAQueueException("not a queue: " + path + " holds a RocksDB database with column families "
                + new TreeSet<>(families) + "; a queue has exactly " + new TreeSet<>(QUEUE_COLUMN_FAMILIES)
                + ". Not opened, nothing changed (point the queue at an empty or new directory)", null);
    }

    /**
     * For a read-only open: takes a shared lock on RocksDB's {@code LOCK} file (RocksDB locks it
     * exclusively with the same POSIX record locks), so a writer in another live process is reported
     * instead of read mid-change, and cannot start while this reader is open. Writes nothing.
     *
     * @throws QueueAlreadyOpenException if another process has the queue open for writing
     */
    void lockShared() {
        Path lock = path.resolve("LOCK");
        try {
            lockChannel = FileChannel.open(lock, StandardOpenOption.READ);
            sharedLock = lockChannel.tryLock(0, Long.MAX_VALUE, true);
        } catch (NoSuchFileException e) {
            return; // no writer has ever held it; nothing to share
        } catch (IOException e) {
            throw new StorageException("cannot read " + lock, e.toString(), e);
        }
        if (sharedLock == null) {
            throw new QueueAlreadyOpenException(path.toString(), "LOCK is held by another process (open for writing)",
                    null);
        }
    }

    /** Releases the claim and the shared lock. */
    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        try {
            if (lockChannel != null) {
                lockChannel.close(); // releases the shared lock
            }
        } catch (IOException e) {
            // the lock dies with the channel or the process
        } finally {
            if (key != null) {
                CLAIMED.remove(key, path);
            }
        }
    }

    /**
     * With CURRENT lost, "create if missing" would write a new empty MANIFEST next to the old files,
     * fail, and on the next open succeed and delete them all as obsolete; refuse instead, unless the
     * directory holds only what an interrupted creation leaves.
     */
    private void refuseDataWithoutCurrent() {
        List<String> data;
        try (var files = Files.list(path)) {
            data = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("MANIFEST-") || n.endsWith(".sst") || n.endsWith(".log")
                            || n.endsWith(".blob"))
                    .sorted().limit(5).toList();
        } catch (IOException e) {
            throw new StorageException("cannot read data directory " + path, e.toString(), e);
        }
        if (data.equals(List.of(INTERRUPTED_CREATION_MANIFEST))) {
            // RocksDB creates a database by writing MANIFEST-000001, then renaming a temporary file to
            // CURRENT; if that rename failed (an I/O error), only this manifest of an empty database is
            // left. A queue that was ever opened has a log file and a later manifest, so nothing is
            // lost by creating it again (RocksDB rewrites the file); refusing would refuse forever.
            LOG.warn("{}: the creation of this queue was interrupted before CURRENT was written (only {} is"
                    + " present); creating it again", path, INTERRUPTED_CREATION_MANIFEST);
            return;
        }
        if (!data.isEmpty()) {
            throw new StorageException("damaged queue in " + path + "; not opened, nothing changed",
                    "Corruption: the file CURRENT is missing but the directory holds queue data " + data
                            + "; refusing to create a new queue over it", null);
        }
    }

    /** The column families named in the MANIFEST; reads CURRENT and the MANIFEST only. */
    private Set<String> columnFamilies() {
        try (Options options = new Options()) {
            Set<String> names = new TreeSet<>();
            for (byte[] n : RocksDB.listColumnFamilies(options, path.toString())) {
                names.add(new String(n, StandardCharsets.UTF_8));
            }
            if (names.isEmpty()) {
                diagnoseUnreadable(); // listing says nothing when CURRENT or the MANIFEST cannot be read
            }
            return names;
        } catch (RocksDBException e) {
            throw RocksStore.storage("cannot open queue in " + path, e);
        }
    }

    /** Throws RocksDB's own diagnosis of a database it cannot open, got from a read-only open (writes nothing). */
    private void diagnoseUnreadable() throws RocksDBException {
        try (RocksLog log = new RocksLog(InfoLogLevel.WARN_LEVEL);
             Options options = new Options().setLogger(log);
             RocksDB db = RocksDB.openReadOnly(options, path.toString())) {
            // it opened after all: the listing's silence stands, and the caller refuses the directory
        }
    }

    /** Opens the database read-only (no LOG file: messages go to SLF4J) and looks for any key. */
    private boolean allEmpty(Set<String> families) {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        families.forEach(f -> descriptors.add(new ColumnFamilyDescriptor(f.getBytes(StandardCharsets.UTF_8))));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (RocksLog log = new RocksLog(InfoLogLevel.WARN_LEVEL);
             DBOptions options = new DBOptions().setLogger(log);
             RocksDB db = RocksDB.openReadOnly(options, path.toString(), descriptors, handles)) {
            try {
                for (ColumnFamilyHandle h : handles) {
                    try (RocksIterator it = db.newIterator(h)) {
                        it.seekToFirst();
                        if (it.isValid()) {
                            return false;
                        }
                    }
                }
                return true;
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        } catch (RocksDBException e) {
            throw RocksStore.storage("cannot open queue in " + path, e);
        }
    }
}
