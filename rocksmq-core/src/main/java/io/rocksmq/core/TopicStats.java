package io.rocksmq.core;

import java.util.Map;

/**
 * Space and retention figures of one topic at one moment, from {@link QueueAdmin#topicStats(String)}.
 * Cheap to take (no storage access); meant to be polled by a metrics exporter.
 *
 * <p>Sizes are <em>stored bytes</em>: per stored entry (one produced batch, or one chunk of a large
 * one), the 16-byte key plus the encoded value (payloads, properties and a small header), before
 * compression. The data directory holds about this much for the messages, plus RocksDB's working space
 * (write-ahead log, memtables flushed to files, deleted data not yet compacted away).
 *
 * <p>Thread-safe (immutable).
 *
 * @param topic                     the topic name
 * @param retainedBytes             stored bytes currently kept
 * @param retainedMessages          messages currently kept
 * @param earliestId                id of the oldest kept message, -1 if none is kept
 * @param latestId                  id of the newest message ever produced, -1 if none was
 * @param lastRetentionPass         clock time (epoch ms) of the last retention pass over the topic, -1 if none since open
 * @param deletedByRetentionTime    messages deleted because every group had consumed them and they were older than {@code retentionTime}
 * @param deletedByRetentionBytes   messages deleted because every group had consumed them and consumed data exceeded {@code retentionBytes}
 * @param deletedByMaxRetentionTime messages deleted by the {@code maxRetentionTime} cap
 * @param deletedByMaxRetentionBytes messages deleted by the {@code maxRetentionBytes} cap
 * @param deletedByExpiry           messages deleted because they had all expired, read or not (each message's
 *                                  own expiry, or the topic's default time-to-live)
 * @param deletedBytes              stored bytes deleted by retention, in total
 * @param skippedByGroup            per existing group: messages a cap deleted before the group read them, in total
 * @param retention                 the topic's effective retention policy
 * @param retentionFailures         retention passes over this topic that failed since open (each is logged)
 * @param deduplicatedMessages      messages produced (ever, persisted) that were not stored because their
 *                                  deduplication id was stored within the window
 */
public record TopicStats(String topic, long retainedBytes, long retainedMessages, long earliestId, long latestId,
                         long lastRetentionPass, long deletedByRetentionTime, long deletedByRetentionBytes,
                         long deletedByMaxRetentionTime, long deletedByMaxRetentionBytes, long deletedByExpiry,
                         long deletedBytes,
                         Map<String, Long> skippedByGroup, RetentionPolicy retention, long retentionFailures,
                         long deduplicatedMessages) {
    public TopicStats {
        skippedByGroup = Map.copyOf(skippedByGroup);
    }

    /** Messages deleted by retention, all rules together. */
    public long deletedMessages() {
        return deletedByRetentionTime + deletedByRetentionBytes + deletedByMaxRetentionTime + deletedByMaxRetentionBytes
                + deletedByExpiry;
    }
}
