package io.rocksmq.core;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Retention of the whole queue: restores its state at open, keeps per-topic policies, runs passes
 * (from the {@link RetentionWorker} or {@link QueueAdmin#runRetention()}), and answers the metric and
 * skip-count queries. The per-topic work is in {@link RetentionPass}.
 *
 * <h2>Locks</h2>
 * {@link #passLock} makes passes run one at a time (the worker's and callers'), which is what lets a
 * pass own each topic's head cache and deletion counters without further locking. Policy changes are
 * serialised by the topic's admin lock. Nothing here is held across a compaction.
 *
 * <p>Thread-safe.
 */
final class Retention implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

    private final RocksMqConfig config;
    private final RocksStore store;
    private final Lifecycle queue;
    private final Map<String, Topic> topics;
    private final RetentionPass pass;
    private final SpaceReclaimer reclaimer;
    private final RetentionWorker worker;
    private final ReentrantLock passLock = new ReentrantLock();

    /**
     * Restores the retention records into the recovered topics (before the queue is published).
     *
     * @param topics the queue's live topic map
     * @param queue  the queue's lifecycle: the worker enters it for each pass, so close waits for a pass
     */
    Retention(RocksMqConfig config, RocksStore store, SpaceReclaimer reclaimer, Map<String, Topic> topics,
              Lifecycle queue) {
        this.config = config;
        this.store = store;
        this.queue = queue;
        this.topics = topics;
        this.pass = new RetentionPass(store, reclaimer, config.writeBufferBytes() / 2);
        this.reclaimer = reclaimer;
        this.worker = config.retentionInterval().isZero() || config.readOnly() ? null
                : new RetentionWorker(config.retentionInterval(), this::workerPass);
        restore(topics.values());
    }

    /**
     * Restores the retention records (accounting, skip counts, policy) into topics not published yet:
     * the recovered ones at open, and a follower's reloaded ones at each refresh.
     */
    void restore(java.util.Collection<Topic> unpublished) {
        Map<Long, RetentionPolicy> overrides = RetentionLoader.load(store, unpublished, config.retentionSegmentBytes());
        for (Topic t : unpublished) {
            install(t, overrides.getOrDefault(t.id(), RetentionPolicy.INHERIT_ALL));
        }
    }

    /** Starts the background worker, if configured; once the queue is published. */
    void start() {
        if (worker != null) {
            worker.start();
        }
    }

    /** A topic just created (before it is published): default policy. */
    void attach(Topic t) {
        install(t, RetentionPolicy.INHERIT_ALL);
    }

    private void install(Topic t, RetentionPolicy override) {
        RetentionWorker w = worker;
        t.space().policy(override, override.resolve(config.defaultRetention()), w == null ? null : () -> w.request(t),
                throttleSlack(config));
    }

    /** How far over its byte cap a producer may take a topic before it waits for the worker. */
    static long throttleSlack(RocksMqConfig config) {
        return config.writeBufferBytes() / 2;
    }

    // ------------------------------------------------------------------ passes

    /** One full pass over every topic, on the caller's thread; the caller has entered the queue. */
    RetentionPass passForTest() {
        return pass;
    }

    long runAll() {
        return run(new ArrayList<>(topics.values()), true);
    }

    private void workerPass(List<Topic> only) {
        if (!queue.tryEnter()) {
            return; // closing: the worker is about to be stopped
        }
        try {
            run(only == null ? new ArrayList<>(topics.values()) : only, only == null);
        } finally {
            queue.exit();
        }
    }

    /**
     * @param full a periodic pass over every topic (not one a cap asked for): it also sweeps the
     *             remnants of deleted data of topics where nothing was deleted since the last full pass,
     *             and closes the read cursors of groups that stopped reading
     */
    private long run(List<Topic> list, boolean full) {
        passLock.lock();
        try {
            long now = config.clock().millis();
            long deleted = 0;
            for (Topic t : list) {
                if (!t.lifecycle().tryEnter()) {
                    continue; // being destroyed: its space is freed by destroyTopic
                }
                try {
                    TopicSpace space = t.space();
                    space.clearUrgent();
                    long n = pass.run(t, now);
                    deleted += n;
                    if (n > 0) {
                        space.deletedInPass();
                    }
                    if (full && space.quietSinceLastFullPass() && space.cutId() > space.sweptCut()) {
                        reclaimer.release(t, space.cutId(), true);
                    }
                    if (full) {
                        t.purgeDeduplication(store, now); // ids whose window passed: bounded disk
                        long nanos = System.nanoTime();
                        for (ConsumerGroup g : t.groups()) {
                            g.closeCursorIfIdle(nanos); // an idle cursor would pin obsolete files
                        }
                    }
                } catch (RuntimeException e) {
                    t.space().failed();
                    LOG.error("retention of topic '{}' failed; it is retried at the next pass", t.name(), e);
                } finally {
                    t.lifecycle().exit();
                }
            }
            return deleted;
        } finally {
            passLock.unlock();
        }
    }

    // ------------------------------------------------------------------ policies

    /** Stores and applies a topic's override. The caller has entered the topic. */
    void setPolicy(Topic t, RetentionPolicy override) {
        t.underAdminLock(() -> {
            byte[] key = StorageLayout.retentionOverrideKey(t.id());
            try {
                if (override.equals(RetentionPolicy.INHERIT_ALL)) {
                    store.db().delete(store.meta(), key);
                } else {
                    store.putMeta(key, StorageLayout.retentionOverrideValue(override));
                }
            } catch (RocksDBException e) {
                throw RocksStore.storage("cannot store the retention policy of topic '" + t.name() + "'", e);
            }
            install(t, override);
            return null;
        });
        if (worker != null) {
            worker.request(t); // a tighter policy takes effect now, not at the next interval
        }
    }

    // ------------------------------------------------------------------ metrics and skips

    TopicStats stats(Topic t) {
        TopicSpace space = t.space();
        TopicSpace.Snapshot s = space.snapshot();
        Map<String, Long> skipped = new HashMap<>();
        for (ConsumerGroup g : t.groups()) {
            if (g.lifecycle().isActive()) {
                skipped.put(g.name(), g.skippedTotal());
            }
        }
        long[] by = s.deletedByRule();
        return new TopicStats(t.name(), s.retainedBytes(), s.retainedMessages(),
                s.retainedMessages() > 0 ? s.cutId() : -1, t.latestId(), space.lastPassTime(),
                by[RetentionRule.RETENTION_TIME.ordinal()], by[RetentionRule.RETENTION_BYTES.ordinal()],
                by[RetentionRule.MAX_RETENTION_TIME.ordinal()], by[RetentionRule.MAX_RETENTION_BYTES.ordinal()],
                by[RetentionRule.EXPIRED.ordinal()], s.deletedBytes(), skipped, space.effective(), space.failures(),
                t.deduplication().deduplicated());
    }

    /** Returns the group's skipped count since the last take and resets it (persisted). Caller entered the group. */
    long takeSkipped(Topic t, ConsumerGroup g) {
        return g.underPositionLock(() -> {
            long taken = g.skippedNotTaken();
            if (taken > 0) {
                store.putMeta(StorageLayout.skipKey(t.id(), g.name()), StorageLayout.skipValue(g.skippedTotal(), 0));
                g.skipped(g.skippedTotal(), 0);
            }
            return taken;
        });
    }

    /** Adds the deletion of a group's skip counter to a batch that deletes the group. */
    static void deleteGroup(WriteBatch batch, RocksStore store, Topic t, ConsumerGroup g) {
        try {
            batch.delete(store.meta(), StorageLayout.skipKey(t.id(), g.name()));
        } catch (RocksDBException e) {
            throw RocksStore.storage("cannot build the batch that destroys group '" + g.name() + "'", e);
        }
    }

    /** Adds the deletion of all of a topic's retention records to a batch that destroys the topic. */
    static void deleteTopic(WriteBatch batch, RocksStore store, long topicId) throws RocksDBException {
        batch.deleteRange(store.meta(), StorageLayout.retentionPrefix(topicId), StorageLayout.retentionPrefix(topicId + 1));
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.close();
        }
    }
}
