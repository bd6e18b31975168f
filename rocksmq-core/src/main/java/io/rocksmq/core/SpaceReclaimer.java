package io.rocksmq.core;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.LevelMetaData;
import org.rocksdb.SstFileMetaData;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *       file wholly inside it, which for an append-only topic is nearly all of it below level 0
 *       (compaction writes files of one topic each there), at the cost of unlinking files. The rest
 *       is decided <em>queue-wide</em> ({@link #sweepUnswept}): once the deleted bytes still in files
 *       of level 1 and below (files straddling a cut), summed over <em>all</em> topics, reach
 *       {@link #tombstoneThreshold}, each such range gets a range tombstone and a compaction; a
 *       topic asked to sweep (it went quiet) gets them whatever the total.</li>
 * </ul>
 * Why queue-wide: with a threshold per topic, N topics could each hold a threshold of deleted data,
 * and the directory grew with the number of topics (10 topics, 20 MiB caps: 795 MiB peak against
 * 200 MiB retained; 100 topics with 2 MiB caps: 2.3 GiB).
 *
 * Why not a tombstone per deletion: a tombstone lands in the memtable next to the topic's newest
 * data, so the level-0 file that carries it spans the topic from its first key to its newest one, and
 * compacting it rewrites every retained byte of the topic. At a high produce rate that is a full
 * rewrite per deletion and, while it runs, twice the retained data on disk. Dropping whole files
 * costs no I/O, and the remnant a tombstone has to handle stays small.
 *
 * <p>Runs on one daemon thread, never while the caller holds a queue lock, with a non-exclusive manual
 * compaction that does not block RocksDB's own. Work queued for a range whose earlier request still
 * waits is merged into it, and at most one queue-wide sweep waits at a time. Failures are logged, not thrown:
 * the data is already deleted, only the reclaim is late. {@link #close()} cancels a running compaction.
 *
 * <p>Thread-safe. {@link #lock} guards {@link #pending}, {@link #unswept}, {@link #sweepRequested},
 * {@link #sweepQueued}, {@link #queued}, {@link #done} and {@link #running}. The released ranges are
 * copied under it and measured, tombstoned and compacted outside it, on the worker thread only.
 */
final class SpaceReclaimer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpaceReclaimer.class);
    /**
     * The tombstone threshold in write buffers (memtable = file size), for all topics together.
     * Measured with one topic at 50 MB/s into a 50 MB cap (RetentionDiskBoundTest): at 1 buffer a
     * tombstone (and a rewrite of the retained data) ran every second and the directory peaked at
     * 150 MB; at 4 none was needed and it peaked at 86 MB.
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
    /** A destroyed range was reclaimed (or queued) since open: close flushes, so its write-ahead log goes. */
    private volatile boolean reclaimedSinceOpen;

    /** Topics whose deleted prefix may still sit in files: the latest released cut of each. */
    private final Map<Topic, Long> unswept = new HashMap<>();
    /** Topics whose remnant is to be cleaned at the next sweep however small the queue's total. */
    private final Set<Topic> sweepRequested = new HashSet<>();
    /** Whether a {@link #sweepUnswept} is queued and has not started yet. */
    private boolean sweepQueued;

    /** A waiting reclaim of a tombstoned range; merged with later requests for the same begin key under {@link #lock}. */
    private static final class Job {
        final ColumnFamilyHandle cf;
        final byte[] begin;
        byte[] end;

        Job(ColumnFamilyHandle cf, byte[] begin, byte[] end) {
            this.cf = cf;
            this.begin = begin;
            this.end = end;
        }

        void merge(Job later) {
            if (Arrays.compareUnsigned(later.end, end) > 0) {
                end = later.end;
            }
        }
    }

    /**
     * @param tombstoneThreshold bytes of all released ranges together still in files below level 0,
     *                           after whole files are dropped, above which tombstones and compactions
     *                           clean them up
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
        reclaimedSinceOpen = true;
        submit(new Job(cf, begin.clone(), end.clone()));
    }

    /**
     * The physical deletion of a topic's entries below {@code cut}, which retention has deleted
     * logically: drops the files wholly below the cut at once, on the caller's thread (a metadata
     * change and unlinks, no data I/O; the caller must hold no queue lock), and records the range
     * for the queue-wide decision ({@link #sweepUnswept}). {@code sweep}: clean up this topic's
     * remnant even if the queue's total is small (the topic went quiet).
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
        boolean submit;
        lock.lock();
        try {
            unswept.merge(t, cut, Math::max);
            if (sweep) {
                sweepRequested.add(t);
            }
            submit = !sweepQueued;
            sweepQueued = true;
            if (submit) {
                queued++;
            }
        } finally {
            lock.unlock();
        }
        if (submit) {
            try {
                worker.execute(this::sweepUnswept);
            } catch (RejectedExecutionException e) {
                LOG.debug("queue closing; skipped the reclaim of deleted ranges");
                lock.lock();
                try {
                    sweepQueued = false;
                } finally {
                    lock.unlock();
                }
                finished(null);
            }
        }
    }

    /**
     * The queue-wide decision, on the worker thread: drops the files now wholly below every released
     * cut, then measures what the released ranges of <em>all</em> topics still hold in files. If that
     * total reaches {@link #tombstoneThreshold}, every such range gets a range tombstone (one write)
     * and a compaction; below it, only the ranges of topics asked to sweep do. A per-topic threshold
     * let N topics hold N thresholds of deleted data, and files that mix topics are never wholly
     * below one topic's cut, so the total grew with the number of topics.
     */
    private void sweepUnswept() {
        CompactRangeOptions options = new CompactRangeOptions()
                .setExclusiveManualCompaction(false)
                .setAllowWriteStall(true);
        Map<Topic, Long> ranges;
        Set<Topic> asked;
        lock.lock();
        try {
            sweepQueued = false;
            running = options;
            unswept.keySet().removeIf(t -> !t.lifecycle().isActive() || unswept.get(t) <= t.space().sweptCut());
            ranges = new LinkedHashMap<>(unswept);
            asked = new HashSet<>(sweepRequested);
            sweepRequested.clear();
        } finally {
            lock.unlock();
        }
        try {
            if (!closing && !ranges.isEmpty()) {
                sweep(ranges, asked, options);
            }
        } catch (RocksDBException | RuntimeException e) {
            if (closing) {
                LOG.debug("reclaim of deleted ranges cancelled by close", e);
            } else {
                LOG.warn("reclaim of deleted ranges failed; their space will come back with later compactions", e);
            }
        } finally {
            finished(options);
        }
    }

    private void sweep(Map<Topic, Long> ranges, Set<Topic> asked, CompactRangeOptions options)
            throws RocksDBException {
        List<Topic> topics = new ArrayList<>(ranges.keySet());
        List<byte[]> bounds = new ArrayList<>(2 * topics.size());
        for (Topic t : topics) {
            bounds.add(StorageLayout.topicLowerBound(t.id()));
            bounds.add(StorageLayout.messageKey(t.id(), ranges.get(t)));
        }
        // Again: files that were being compacted when the ranges were released were skipped then.
        store.db().deleteFilesInRanges(store.messages(), bounds, false);
        long[] inFiles = deadBytesInSortedFiles(topics, ranges);
        long total = 0;
        for (long b : inFiles) {
            total += b;
        }
        boolean all = total >= tombstoneThreshold;
        List<Integer> chosen = new ArrayList<>();
        for (int i = 0; i < topics.size(); i++) {
            if (all ? inFiles[i] > 0 || asked.contains(topics.get(i)) : asked.contains(topics.get(i))) {
                chosen.add(i);
            }
        }
        if (chosen.isEmpty()) {
            return; // later releases, or the sweep once a topic is quiet, take the remnant
        }
        try (WriteBatch batch = new WriteBatch()) {
            for (int i : chosen) {
                batch.deleteRange(store.messages(), bounds.get(2 * i), bounds.get(2 * i + 1));
            }
            store.write(batch);
        }
        for (int i : chosen) {
            topics.get(i).space().swept(ranges.get(topics.get(i)));
        }
        for (int i : chosen) {
            if (closing) {
                return;
            }
            store.db().compactRange(store.messages(), bounds.get(2 * i), bounds.get(2 * i + 1), options);
        }
    }

    /**
     * Per released range, an estimate of its deleted bytes still in files of level 1 and below,
     * after the files wholly inside it were dropped. Level 0 is left out: its files mix every topic
     * and are bounded by the write stall trigger, and compaction moves their data into files of one
     * topic each (see the SST partitioner in {@link RocksStore}), which the next release drops whole.
     * A file of one topic that straddles the cut counts in proportion to its ids below the cut; a
     * file of several topics (written before the partitioner) counts whole.
     */
    private long[] deadBytesInSortedFiles(List<Topic> topics, Map<Topic, Long> ranges) {
        Map<Long, Integer> index = new HashMap<>();
        for (int i = 0; i < topics.size(); i++) {
            index.put(topics.get(i).id(), i);
        }
        long[] dead = new long[topics.size()];
        for (LevelMetaData level : store.db().getColumnFamilyMetaData(store.messages()).levels()) {
            if (level.level() == 0) {
                continue;
            }
            for (SstFileMetaData f : level.files()) {
                byte[] first = f.smallestKey();
                byte[] last = f.largestKey();
                if (first.length < StorageLayout.ENTRY_KEY_BYTES || last.length < StorageLayout.ENTRY_KEY_BYTES) {
                    continue;
                }
                Integer i = index.get(StorageLayout.messageKeyTopic(first));
                if (i == null) {
                    continue;
                }
                long cut = ranges.get(topics.get(i));
                long firstId = StorageLayout.messageKeyFirstId(first);
                if (firstId >= cut) {
                    continue;
                }
                if (StorageLayout.messageKeyTopic(last) != StorageLayout.messageKeyTopic(first)) {
                    dead[i] += f.size();
                    continue;
                }
                long lastId = StorageLayout.messageKeyFirstId(last);
                double below = lastId <= firstId ? 1 : Math.min(1, (cut - firstId) / (double) (lastId - firstId));
                dead[i] += (long) (f.size() * below);
            }
        }
        return dead;
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
        store.db().deleteFilesInRanges(job.cf, List.of(job.begin, job.end), false);
        store.db().compactRange(job.cf, job.begin, job.end, options); // flushes the memtable first if it overlaps
        // Not flushing the meta family here, though the destroyed data's write-ahead log stays until it is
        // flushed (at most the queue's WAL cap): a RocksDB secondary (a follower, RocksMqConfig.follow) that
        // had replayed that log keeps the destroyed topic's records in its memtable after such a flush, and
        // showed the topic long after its destruction. Close flushes instead (flushAfterReclaims).
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
        flushAfterReclaims();
    }

    /**
     * A topic destroyed since open would otherwise leave its write-ahead log on disk (its data in the
     * memtable if closed before the reclaim ran, or entries of the rarely flushed meta family in the same
     * log) until the next open replays it: flushing drops the entries under the range tombstone and lets
     * RocksDB delete the log. Best effort.
     */
    private void flushAfterReclaims() {
        if (!reclaimedSinceOpen) {
            return;
        }
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true).setAllowWriteStall(true)) {
            store.db().flush(flush, List.of(store.messages(), store.meta()));
        } catch (RocksDBException | RuntimeException e) {
            LOG.debug("flush at close after a destroyed topic failed; its log is replayed at the next open", e);
        }
    }
}
