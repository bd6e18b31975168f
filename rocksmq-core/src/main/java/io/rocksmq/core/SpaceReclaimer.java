package io.rocksmq.core;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.SizeApproximationFlag;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Gives the disk space of deleted key ranges back promptly, instead of whenever RocksDB would next
 * compact those files (Milvus waited for a daily full compaction). Two kinds of work:
 * <ul>
 *   <li>{@link #reclaim}: a range already covered by a range tombstone (a destroyed topic): drop the
 *       files wholly inside it, then compact the rest.</li>
 *   <li>{@link #release}: a topic's prefix that retention deleted <em>logically</em> (readers start at
 *       the topic's cut, see {@link TopicSpace#cutId()}). First {@code DeleteFilesInRanges} drops every
 *       file wholly inside it, which for an append-only topic is nearly all of it, at the cost of
 *       unlinking files. Only if more than {@link #tombstoneThreshold} bytes of it are still in files
 *       afterwards (the file straddling the cut, files shared with other topics, fresh files not yet
 *       moved out of level 0), or when asked to sweep, a range tombstone is written and the range
 *       compacted.</li>
 * </ul>
 * Why not a tombstone per deletion: a tombstone lands in the memtable next to the topic's newest
 * data, so the level-0 file that carries it spans the topic from its first key to its newest one, and
 * compacting it rewrites every retained byte of the topic. At a high produce rate that is a full
 * rewrite per deletion and, while it runs, twice the retained data on disk. Dropping whole files
 * costs no I/O, and the remnant a tombstone has to handle stays small.
 *
 * <p>Runs on one daemon thread, never while the caller holds a queue lock, with a non-exclusive manual
 * compaction that does not block RocksDB's own. Work queued for a range whose earlier request still
 * waits is merged into it, so a busy topic costs one job at a time. Failures are logged, not thrown:
 * the data is already deleted, only the reclaim is late. {@link #close()} cancels a running compaction.
 *
 * <p>Thread-safe. {@link #lock} guards {@link #pending}, {@link #queued}, {@link #done} and
 * {@link #running}.
 */
final class SpaceReclaimer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpaceReclaimer.class);
    /**
     * The tombstone threshold in write buffers (memtable = file size). Measured with one topic at
     * 50 MB/s into a 50 MB cap (RetentionDiskBoundTest): at 1 buffer a tombstone (and a rewrite of
     * the retained data) ran every second and the directory peaked at 150 MB; at 4 none was needed
     * and it peaked at 86 MB.
     */
    static final long TOMBSTONE_THRESHOLD_WRITE_BUFFERS = 4;

    private final RocksStore store;
    private final long tombstoneThreshold;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "rocksmq-reclaimer");
        t.setDaemon(true);
        return t;
    });
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    /** Jobs waiting to run, by (column family, begin key). */
    private final Map<List<Object>, Job> pending = new HashMap<>();
    private long queued;
    private long done;
    private CompactRangeOptions running;
    private volatile boolean closing;

    /** A waiting job; merged with later requests for the same begin key under {@link #lock}. */
    private static final class Job {
        final ColumnFamilyHandle cf;
        final byte[] begin;
        byte[] end;
        /** Null: the range is already tombstoned. Else the topic whose cut it releases. */
        TopicSpace space;
        long cut;
        boolean sweep;

        Job(ColumnFamilyHandle cf, byte[] begin, byte[] end, TopicSpace space, long cut, boolean sweep) {
            this.cf = cf;
            this.begin = begin;
            this.end = end;
            this.space = space;
            this.cut = cut;
            this.sweep = sweep;
        }

        void merge(Job later) {
            if (Arrays.compareUnsigned(later.end, end) > 0) {
                end = later.end;
            }
            if (space == null || later.space == null) {
                space = null; // a tombstone over the whole topic (destroy) covers any cut
            } else {
                cut = Math.max(cut, later.cut);
                sweep |= later.sweep;
            }
        }
    }

    /**
     * @param tombstoneThreshold bytes of a released range still in files, after whole files are dropped,
     *                           above which a tombstone and a compaction clean them up
     */
    SpaceReclaimer(RocksStore store, long tombstoneThreshold) {
        this.store = store;
        this.tombstoneThreshold = tombstoneThreshold;
    }

    static long tombstoneThreshold(RocksMqConfig config) {
        return TOMBSTONE_THRESHOLD_WRITE_BUFFERS * config.writeBufferBytes();
    }

    /** Queues the reclaim of {@code [begin, end)} in {@code cf}, a range already covered by a tombstone. */
    void reclaim(ColumnFamilyHandle cf, byte[] begin, byte[] end) {
        submit(new Job(cf, begin.clone(), end.clone(), null, 0, false));
    }

    /**
     * The physical deletion of a topic's entries below {@code cut}, which retention has deleted
     * logically: drops the files wholly below the cut at once, on the caller's thread (a metadata
     * change and unlinks, no data I/O; the caller must hold no queue lock), and queues the rest.
     * {@code sweep}: clean up whatever is left even if it is little (the topic went quiet).
     */
    void release(Topic t, long cut, boolean sweep) {
        byte[] begin = StorageLayout.topicLowerBound(t.id());
        byte[] end = StorageLayout.messageKey(t.id(), cut);
        if (!closing) {
            try {
                store.db().deleteFilesInRanges(store.messages(), List.of(begin, end), false);
            } catch (RocksDBException e) {
                LOG.warn("dropping the files of a deleted range failed; the reclaimer retries", e);
            }
        }
        submit(new Job(store.messages(), begin, end, t.space(), cut, sweep));
    }

    private void submit(Job job) {
        List<Object> key = List.of(job.cf, ByteBuffer.wrap(job.begin));
        lock.lock();
        try {
            Job waiting = pending.get(key);
            if (waiting != null) {
                waiting.merge(job);
                return;
            }
            pending.put(key, job);
            queued++;
        } finally {
            lock.unlock();
        }
        try {
            worker.execute(() -> run(key));
        } catch (RejectedExecutionException e) {
            LOG.debug("queue closing; skipped the reclaim of a deleted range");
            finished(null);
        }
    }

    private void run(List<Object> key) {
        CompactRangeOptions options = new CompactRangeOptions()
                .setExclusiveManualCompaction(false)
                .setAllowWriteStall(true);
        Job job;
        lock.lock();
        try {
            job = pending.remove(key);
            running = options;
        } finally {
            lock.unlock();
        }
        try {
            if (!closing) {
                execute(job, options);
            }
        } catch (RocksDBException | RuntimeException e) {
            if (closing) {
                LOG.debug("reclaim of a deleted range cancelled by close", e);
            } else {
                LOG.warn("reclaim of a deleted range failed; its space will come back with later compactions", e);
            }
        } finally {
            finished(options);
        }
    }

    private void execute(Job job, CompactRangeOptions options) throws RocksDBException {
        // Again: files that were being compacted when the range was released were skipped then.
        store.db().deleteFilesInRanges(job.cf, List.of(job.begin, job.end), false);
        if (job.space != null) {
            if (job.cut <= job.space.sweptCut()) {
                return;
            }
            if (!job.sweep && bytesInFiles(job) < tombstoneThreshold) {
                return; // a later release, or the sweep once the topic is quiet, takes the remnant
            }
            try (WriteBatch batch = new WriteBatch()) {
                batch.deleteRange(job.cf, job.begin, job.end);
                store.write(batch);
            }
            job.space.swept(job.cut);
        }
        store.db().compactRange(job.cf, job.begin, job.end, options);
    }

    private long bytesInFiles(Job job) throws RocksDBException {
        try (Slice begin = new Slice(job.begin); Slice end = new Slice(job.end)) {
            return store.db().getApproximateSizes(job.cf, List.of(new org.rocksdb.Range(begin, end)),
                    SizeApproximationFlag.INCLUDE_FILES)[0];
        }
    }

    private void finished(CompactRangeOptions options) {
        lock.lock();
        try {
            running = null;
            done++;
            idle.signalAll();
        } finally {
            lock.unlock();
        }
        if (options != null) {
            options.close();
        }
    }

    /** Waits until every job queued before this call has finished. */
    void awaitIdle() {
        lock.lock();
        try {
            long target = queued;
            while (done < target) {
                idle.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops taking work, cancels a running compaction and waits for the thread to finish. */
    @Override
    public void close() {
        closing = true;
        lock.lock();
        try {
            if (running != null) {
                running.setCanceled(true);
            }
        } finally {
            lock.unlock();
        }
        worker.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (worker.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
                LOG.warn("still waiting for a background compaction to finish before closing");
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
