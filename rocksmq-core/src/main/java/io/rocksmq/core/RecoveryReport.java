package io.rocksmq.core;

import java.util.List;

/**
 * What opening the queue found missing or changed, from {@link QueueAdmin#recoveryReport()}.
 *
 * <p>A crash of the process never loses an acknowledged message; a damaged or deleted write-ahead
 * log, a lost table file recovered around, a backup restored over newer data can. The queue keeps its
 * own record of what it acknowledged (the watermark, written about once a second and at close, only
 * ever covering fsynced data) and compares it at open with what RocksDB recovered; it also compares
 * each topic's id counter with its newest stored message. Whatever is missing is listed here, logged
 * at ERROR, exposed as the metric {@code rocksmq.recovery.lost.messages} and fails {@code rmq check}.
 * Losses newer than the last watermark write (at most about a second of produce) after an OS crash or
 * power loss under {@code WAL} durability are the documented risk of that level and are not listed.
 *
 * <p>Thread-safe (immutable).
 *
 * @param lost           ranges of acknowledged ids that are gone, per topic
 * @param engineMessages RocksDB's own recovery diagnoses from this open (e.g. "dropping N bytes;
 *                       Corruption: ..." for a damaged log), verbatim
 * @param repairs        metadata repairs made at open (see {@link QueueAdmin#recoveryRepairs()})
 */
public record RecoveryReport(List<LostMessages> lost, List<String> engineMessages, int repairs) {

    public RecoveryReport {
        lost = List.copyOf(lost);
        engineMessages = List.copyOf(engineMessages);
    }

    /**
     * Acknowledged messages {@code firstId..lastId} (inclusive) of {@code topic} that the open did not
     * find. {@code topicLost}: the topic itself is gone (it existed and was not destroyed through the
     * queue).
     */
    public record LostMessages(String topic, long firstId, long lastId, boolean topicLost) {
        /** How many ids are in the range. */
        public long count() {
            return lastId - firstId + 1;
        }

        @Override
        public String toString() {
            return (topicLost ? "topic '" + topic + "' is gone (ids " : "topic '" + topic + "': ids ")
                    + firstId + ".." + lastId + (topicLost ? ")" : "") + " (" + count() + " messages)";
        }
    }

    /** True when nothing acknowledged was lost and RocksDB reported no dropped data. */
    public boolean clean() {
        return lost.isEmpty() && engineMessages.isEmpty();
    }

    /** Acknowledged messages lost, all topics together. */
    public long lostMessages() {
        return lost.stream().mapToLong(LostMessages::count).sum();
    }
}
