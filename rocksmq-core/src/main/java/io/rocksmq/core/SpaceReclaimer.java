package io.rocksmq.core;

import org.rocksdb.ColumnFamilyHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Compacts deleted key ranges in the background so their disk space comes back promptly, instead of
 * whenever RocksDB would next compact those files (Milvus waited for a daily full compaction).
 *
 * <p>Runs on one daemon thread, never while the caller holds a queue lock. Failures are logged, not
 * thrown: the data is already deleted, only the space reclaim is late.
 *
 * <p>Thread-safe.
 */
final class SpaceReclaimer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpaceReclaimer.class);

    private final RocksStore store;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "rocksmq-reclaimer");
        t.setDaemon(true);
        return t;
    });

    SpaceReclaimer(RocksStore store) {
        this.store = store;
    }

    /** Queues a compaction of {@code [begin, end)} in {@code cf}. */
    void reclaim(ColumnFamilyHandle cf, byte[] begin, byte[] end) {
        try {
            worker.execute(() -> {
                try {
                    store.compactRange(cf, begin, end);
                } catch (RuntimeException e) {
                    LOG.warn("compaction of a deleted range failed; its space will come back later", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("queue closing; skipped compaction of a deleted range");
        }
    }

    /** Stops taking work and waits for the running compaction. */
    @Override
    public void close() {
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
