package io.rocksmq.core;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Restores retention state at open from the {@code 0x13} records: one range scan of those records
 * only (a few per topic, plus one per segment), no scan of the messages, so opening stays fast however
 * much data the topics hold. A topic whose counter did not record its produced bytes (older data, or
 * a repaired counter) is the exception: its entries are scanned once to count them. Records of topics
 * that no longer exist, and skip counters of groups that no longer exist, are removed.
 *
 * <p>Not thread-safe: runs once, before the queue is published.
 */
final class RetentionLoader {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionLoader.class);

    private RetentionLoader() {
    }

    /** Restores every topic's accounting and skip counters; returns the stored policy overrides by topic id. */
    static Map<Long, RetentionPolicy> load(RocksStore store, Collection<Topic> topics, long segmentBytes) {
        Map<Long, Topic> byId = new HashMap<>();
        topics.forEach(t -> byId.put(t.id(), t));
        Map<Long, RetentionPolicy> overrides = new HashMap<>();
        Map<Long, StorageLayout.RetentionState> states = new HashMap<>();
        Map<Long, List<StorageLayout.Segment>> segments = new HashMap<>();
        Set<Long> orphanTopics = new HashSet<>();
        List<byte[]> orphanKeys = new ArrayList<>();
        try (RocksStore.Range range = store.range(store.meta(), new byte[] {StorageLayout.META_RETENTION},
                new byte[] {StorageLayout.META_RETENTION + 1})) {
            for (range.it.seekToFirst(); range.it.isValid(); range.it.next()) {
                byte[] key = range.it.key();
                long topicId = StorageLayout.retentionKeyTopic(key);
                Topic t = byId.get(topicId);
                if (t == null) {
                    orphanTopics.add(topicId);
                    continue;
                }
                byte[] value = range.it.value();
                switch (StorageLayout.retentionKeyType(key)) {
                    case StorageLayout.RETENTION_OVERRIDE -> overrides.put(topicId, StorageLayout.decodeRetentionOverride(value));
                    case StorageLayout.RETENTION_STATE -> states.put(topicId, StorageLayout.decodeRetentionState(value));
                    case StorageLayout.RETENTION_SEGMENT -> segments.computeIfAbsent(topicId, k -> new ArrayList<>())
                            .add(StorageLayout.decodeRetentionSegment(key, value));
                    case StorageLayout.RETENTION_SKIP -> {
                        ConsumerGroup g = t.group(StorageLayout.skipKeyGroup(key));
                        if (g == null) {
                            orphanKeys.add(key);
                        } else {
                            long[] skip = StorageLayout.decodeSkip(value);
                            g.skipped(skip[0], skip[1]);
                        }
                    }
                    default -> {
                        // a record type of a later minor version: ignore
                    }
                }
            }
            range.check();
        }
        for (Topic t : topics) {
            StorageLayout.RetentionState state = states.get(t.id());
            if (t.space().producedBytes() == StorageLayout.UNKNOWN_BYTES) {
                long deleted = state == null ? 0 : state.deletedBytes();
                long produced = deleted + EntryScanner.totalBytes(store, t.id(),
                        state == null ? t.startId() : state.cutId());
                LOG.info("topic '{}': counted {} stored bytes by a scan (not recorded in its counter)", t.name(),
                        produced - deleted);
                t.space().restoreProducedBytes(produced);
            }
            t.space().restore(state, segments.getOrDefault(t.id(), List.of()), segmentBytes);
        }
        removeOrphans(store, orphanTopics, orphanKeys);
        return overrides;
    }

    private static void removeOrphans(RocksStore store, Set<Long> orphanTopics, List<byte[]> orphanKeys) {
        if (orphanTopics.isEmpty() && orphanKeys.isEmpty() || store.readOnly()) {
            return; // read-only: they are ignored (no topic or group uses them)
        }
        LOG.warn("removing retention records of {} topics and {} groups that no longer exist",
                orphanTopics.size(), orphanKeys.size());
        try (WriteBatch batch = new WriteBatch()) {
            for (long topicId : orphanTopics) {
                Retention.deleteTopic(batch, store, topicId);
            }
            for (byte[] key : orphanKeys) {
                batch.delete(store.meta(), key);
            }
            store.write(batch);
        } catch (RocksDBException e) {
            throw RocksStore.storage("cannot remove orphan retention records", e);
        }
    }
}
