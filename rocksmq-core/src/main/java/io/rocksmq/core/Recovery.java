package io.rocksmq.core;

import io.rocksmq.api.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rebuilds the in-memory registry from the {@code meta} column family when a queue opens, after RocksDB's
 * own recovery, and checks our metadata for consistency:
 * <ul>
 *   <li>a topic's id counter is at least one past the largest stored id (else it is raised);</li>
 *   <li>a group position lies within {@code [startId, nextId]} of its topic (else it is clamped);</li>
 * </ul>
 * Every repair is logged at WARN and counted in {@link Result#repairs()}. A read-only queue makes its
 * repairs in memory only: the files stay as they were.
 *
 * <p>Some inconsistencies no crash can produce, because the records involved are always written in one
 * atomic batch: an id counter or group position whose topic record is missing, or queue records
 * without the format record. They mean files were damaged or lost (for instance RocksDB recovered a
 * damaged MANIFEST to an earlier state), so the open fails with a {@link StorageException} before
 * anything is written, leaving the files as they are for the operator, instead of deleting the
 * evidence.
 *
 * <p>Not thread-safe: runs once, before the queue is published.
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    /** @param lastStored the newest stored message id per topic id (-1: none), as found at open */
    record Result(Map<String, Topic> topics, long nextTopicId, long messageIdFloor, int repairs,
                  Map<Long, Long> lastStored) {
    }

    private Recovery() {
    }

    static Result load(RocksStore store, long now) {
        byte[] format = store.getMeta(StorageLayout.formatKey());
        if (format != null && StorageLayout.decodeFormat(format) != StorageLayout.FORMAT_VERSION) {
            throw new StorageException("unsupported on-disk format in " + store.directory(),
                    "format version " + StorageLayout.decodeFormat(format) + ", this build reads version "
                            + StorageLayout.FORMAT_VERSION, null);
        }
        long nextTopicId = 1;
        long floor = 0;
        Map<String, StorageLayout.TopicRecord> records = new HashMap<>();
        Map<Long, StorageLayout.TopicCounter> counters = new HashMap<>();
        Map<Long, Map<String, Long>> positions = new HashMap<>();
        // The message records (0x18: deduplication ids) are not read here: open time must not grow with
        // their number. The scan jumps over them.
        SharedGroups.Loaded shared = new SharedGroups.Loaded();
        try (RocksStore.Range range = store.range(store.meta(), new byte[] {0}, new byte[] {(byte) 0xFF})) {
            for (range.it.seekToFirst(); range.it.isValid(); range.it.next()) {
                byte[] key = range.it.key();
                // Message records and the schedule (0x19) are not read either: jump over each.
                while (key[0] == StorageLayout.META_MESSAGES || key[0] == ScheduleLayout.META_SCHEDULE) {
                    range.it.seek(new byte[] {(byte) (key[0] + 1)});
                    if (!range.it.isValid()) {
                        break;
                    }
                    key = range.it.key();
                }
                if (!range.it.isValid()) {
                    break;
                }
                switch (key[0]) {
                    case StorageLayout.META_GLOBAL -> {
                        byte[] v = range.it.value();
                        nextTopicId = StorageLayout.globalNextTopicId(v);
                        floor = StorageLayout.globalMessageIdFloor(v);
                    }
                    case StorageLayout.META_TOPIC ->
                            records.put(StorageLayout.topicKeyName(key), StorageLayout.decodeTopic(range.it.value()));
                    case StorageLayout.META_TOPIC_COUNTER -> counters.put(StorageLayout.topicCounterKeyTopic(key),
                            StorageLayout.decodeTopicCounter(range.it.value()));
                    case StorageLayout.META_GROUP_POSITION -> positions
                            .computeIfAbsent(StorageLayout.groupPositionKeyTopic(key), k -> new HashMap<>())
                            .put(StorageLayout.groupPositionKeyGroup(key), StorageLayout.decodePosition(range.it.value()));
                    case StorageLayout.META_SHARED -> shared.add(key, range.it.value());
                    default -> {
                        // format key, or a record type of a later minor version: ignore
                    }
                }
            }
            range.check();
        }

        if (format == null) {
            if (!records.isEmpty() || !counters.isEmpty() || !positions.isEmpty()) {
                throw inconsistent(store, "queue records exist but the format record is missing");
            }
            if (!store.readOnly()) {
                store.putMeta(StorageLayout.formatKey(), StorageLayout.formatValue());
            }
        }
        checkNoOrphans(store, records, counters.keySet(), positions.keySet());

        int repairs = 0;
        Map<String, Topic> topics = new HashMap<>();
        Map<Long, Long> lastStoredIds = new HashMap<>();
        for (Map.Entry<String, StorageLayout.TopicRecord> e : records.entrySet()) {
            StorageLayout.TopicRecord rec = e.getValue();
            StorageLayout.TopicCounter counter = counters.remove(rec.topicId());
            long nextId = counter == null ? rec.startId() : counter.nextMessageId();
            long lastPublish = counter == null ? rec.createdAt() : counter.lastPublishTime();
            long produced = counter == null ? StorageLayout.UNKNOWN_BYTES : counter.producedBytes();
            long lastStored = MessageReader.lastStoredId(store, rec.topicId());
            lastStoredIds.put(rec.topicId(), lastStored);
            if (lastStored >= nextId) {
                // A follower sees this while its catch-up is incomplete (FollowerRefresh tries again): not a warning.
                LOG.atLevel(store.follow() ? Level.DEBUG : Level.WARN).log(
                        "topic '{}': id counter {} is behind the stored id {}; raised to {}",
                        e.getKey(), nextId, lastStored, lastStored + 1);
                nextId = lastStored + 1;
                produced = StorageLayout.UNKNOWN_BYTES; // recounted by RetentionLoader
                if (!store.readOnly()) { // read-only: repaired in memory, the files keep the evidence
                    store.putMeta(StorageLayout.topicCounterKey(rec.topicId()),
                            StorageLayout.topicCounterValue(nextId, lastPublish, produced));
                }
                repairs++;
            }
            nextTopicId = Math.max(nextTopicId, rec.topicId() + 1);
            MessageSettings settings = MessageSettingsStore.load(store, rec.topicId());
            Topic topic = new Topic(e.getKey(), rec.topicId(), rec.startId(), nextId, lastPublish, produced,
                    store.recentReadsBudget(), new Deduplication(rec.topicId(),
                    settings.deduplicationWindow().toMillis(), Deduplication.loadCount(store, rec.topicId())));
            topic.defaultTtlMillis(settings.defaultTtl().toMillis());
            Map<String, Long> groupPositions = positions.remove(rec.topicId());
            if (groupPositions != null) {
                for (Map.Entry<String, Long> g : groupPositions.entrySet()) {
                    long pos = g.getValue();
                    byte[] key = StorageLayout.groupPositionKey(rec.topicId(), g.getKey());
                    long clamped = Math.max(rec.startId(), Math.min(pos, nextId));
                    if (clamped != pos) {
                        LOG.atLevel(store.follow() ? Level.DEBUG : Level.WARN).log(
                                "topic '{}' group '{}': position {} outside [{}, {}]; clamped to {}",
                                e.getKey(), g.getKey(), pos, rec.startId(), nextId, clamped);
                        if (!store.readOnly()) {
                            store.putMeta(key, StorageLayout.positionValue(clamped));
                        }
                        repairs++;
                    }
                    topic.addGroup(shared.group(rec.topicId(), g.getKey(), key, clamped));
                }
            }
            topics.put(e.getKey(), topic);
        }
        return new Result(topics, nextTopicId, floor, repairs, lastStoredIds);
    }

    private static void checkNoOrphans(RocksStore store, Map<String, StorageLayout.TopicRecord> records,
                                       Set<Long> counterTopics, Set<Long> positionTopics) {
        Set<Long> known = new HashSet<>();
        records.values().forEach(r -> known.add(r.topicId()));
        Set<Long> orphans = new TreeSet<>();
        counterTopics.stream().filter(id -> !known.contains(id)).forEach(orphans::add);
        positionTopics.stream().filter(id -> !known.contains(id)).forEach(orphans::add);
        if (!orphans.isEmpty()) {
            throw inconsistent(store, "id counters or group positions exist for topic ids " + orphans
                    + " that have no topic record");
        }
    }

    private static StorageException inconsistent(RocksStore store, String what) {
        // A follower's catch-up can show this for a moment (FollowerRefresh tries again): not an error there.
        LOG.atLevel(store.follow() ? Level.DEBUG : Level.ERROR).log("queue in {} is damaged: {}", store.directory(), what);
        return new StorageException("damaged queue in " + store.directory() + "; not opened, the queue wrote nothing"
                + " (copy the directory before any repair)",
                "Corruption: " + what + " (a crash cannot cause this: files were damaged or lost,"
                        + " e.g. a MANIFEST recovered to an earlier state)", null);
    }
}
