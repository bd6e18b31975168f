package io.rocksmq.core;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.RocksDBException;
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
 * compact those files (Milvus waited for a daily full compaction).
 *
 * <p>For each range: first {@code DeleteFilesInRanges} drops every SST file lying wholly inside it
 * (no I/O beyond unlinking; the common case for a topic's oldest data), then a non-exclusive
 * {@code CompactRange} rewrites the files that straddle its edges, dropping the deleted keys. Both
 * run on one daemon thread, never while the caller holds a queue lock, and without blocking
 * RocksDB's automatic compactions. Ranges queued while an earlier one for the same start key waits
 * are merged (retention keeps extending a topic's deleted prefix), so a busy topic costs one
 * compaction at a time, not one per pass. Failures are logged, not thrown: the data is already
 * deleted, only the reclaim is late. {@link #close()} cancels a compaction in progress.
 *
 * <p>Thread-safe. {@link #lock} guards {@link #pending}, {@link #queued}, {@link #done} and
 * {@link #running}.
 */
final class SpaceReclaimer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpaceReclaimer.class);

    private final RocksStore store;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "rocksmq-reclaimer");
        t.setDaemon(true);
        return t;
    });
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    /** Ranges waiting to run, by (column family, begin): the end to compact up to. */
    private final Map<List<Object>, byte[]> pending = new HashMap<>();
    private long queued;
    private long done;
    private CompactRangeOptions running;
    private volatile boolean closing;

    SpaceReclaimer(RocksStore store) {
        this.store = store;
    }

    /** Queues the reclaim of {@code [begin, end)} in {@code cf}, merged with a waiting one of the same begin. */
    void reclaim(ColumnFamilyHandle cf, byte[] begin, byte[] end) {
        List<Object> key = List.of(cf, ByteBuffer.wrap(begin.clone()));
        lock.lock();
        try {
            byte[] waiting = pending.get(key);
            if (waiting != null) {
                if (Arrays.compareUnsigned(end, waiting) > 0) {
                    pending.put(key, end.clone());
                }
                return;
            }
            pending.put(key, end.clone());
            queued++;
        } finally {
            lock.unlock();
        }
        try {
            worker.execute(() -> run(cf, begin, key));
        } catch (RejectedExecutionException e) {
            LOG.debug("queue closing; skipped the reclaim of a deleted range");
            finished(null);
        }
    }

    private void run(ColumnFamilyHandle cf, byte[] begin, List<Object> key) {
        byte[] end;
        CompactRangeOptions options = new CompactRangeOptions()
                .setExclusiveManualCompaction(false)
                .setAllowWriteStall(true);
        lock.lock();
        try {
            end = pending.remove(key);
            running = options;
        } finally {
            lock.unlock();
        }
        try {
            if (!closing) {
                store.db().deleteFilesInRanges(cf, List.of(begin, end), false);
                store.db().compactRange(cf, begin, end, options);
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

    /** Waits until every reclaim queued before this call has finished. */
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
