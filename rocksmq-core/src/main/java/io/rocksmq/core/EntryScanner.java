package io.rocksmq.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the headers and sizes of a topic's stored entries without copying their payloads: the
 * retention pass needs ids, publish times and sizes only.
 *
 * <p>Thread-safe: stateless; every call opens and closes its own iterator.
 */
final class EntryScanner {
    private EntryScanner() {
    }

    /**
     * Entries of the topic whose first id lies in {@code [fromId, toId)}, at most {@code limit}, with
     * cumulative stored bytes counted from {@code bytesAtFrom}. Checks that they are contiguous from
     * {@code fromId}: retention must never place a cut on a gap it cannot explain.
     */
    static List<RetentionPlanner.Entry> scan(RocksStore store, long topicId, long fromId, long toId,
                                             long bytesAtFrom, int limit) {
        List<RetentionPlanner.Entry> out = new ArrayList<>();
        byte[] header = new byte[BatchFormat.BATCH_HEADER_BYTES];
        try (RocksStore.Range range = store.range(store.messages(), StorageLayout.messageKey(topicId, fromId),
                StorageLayout.messageKey(topicId, toId))) {
            long at = bytesAtFrom;
            long expected = fromId;
            for (range.it.seekToFirst(); range.it.isValid() && out.size() < limit; range.it.next()) {
                long first = StorageLayout.messageKeyFirstId(range.it.key());
                int size = range.it.value(header); // copies the header only, returns the full size
                if (size < header.length || first != expected) {
                    throw StorageLayout.corrupt("topic " + topicId + ": entry at id " + first
                            + (first != expected ? " where id " + expected + " was expected" : " is truncated"), null);
                }
                long bytes = StorageLayout.entryBytes(size);
                long end = first + BatchFormat.batchCount(header);
                out.add(new RetentionPlanner.Entry(first, end, at, at + bytes, BatchFormat.batchPublishTime(header),
                        header[0] == BatchFormat.BATCH_FORMAT_EXPIRING));
                at += bytes;
                expected = end;
            }
            range.check();
        }
        return out;
    }

    /**
     * When the last message of the topic's entry starting at {@code firstId} expires
     * ({@link BatchFormat#latestExpiry}); reads that one entry whole.
     */
    static long latestExpiry(RocksStore store, long topicId, long firstId, long defaultTtlMillis) {
        try (RocksStore.Range range = store.range(store.messages(), StorageLayout.messageKey(topicId, firstId),
                StorageLayout.messageKey(topicId, firstId + 1))) {
            range.it.seekToFirst();
            range.check();
            if (!range.it.isValid()) {
                throw StorageLayout.corrupt("topic " + topicId + ": no entry at id " + firstId + " for retention", null);
            }
            return BatchFormat.latestExpiry(range.it.value(), defaultTtlMillis);
        }
    }

    /** Stored bytes of a topic's entries from {@code fromId} on (used only when the counter did not record them). */
    static long totalBytes(RocksStore store, long topicId, long fromId) {
        long total = 0;
        byte[] header = new byte[BatchFormat.BATCH_HEADER_BYTES];
        try (RocksStore.Range range = store.range(store.messages(), StorageLayout.messageKey(topicId, fromId),
                StorageLayout.topicUpperBound(topicId))) {
            for (range.it.seekToFirst(); range.it.isValid(); range.it.next()) {
                total += StorageLayout.entryBytes(range.it.value(header));
            }
            range.check();
        }
        return total;
    }
}
