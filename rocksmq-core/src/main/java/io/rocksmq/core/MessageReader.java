package io.rocksmq.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads message batches of one topic from the {@code messages} column family: range reads from an id,
 * the earliest retained id, and the search by publish time. Every read starts at the topic's
 * retention cut ({@link TopicSpace#cutId()}): entries below it are deleted, even if their bytes have
 * not been reclaimed yet.
 *
 * <p>Thread-safe: stateless; every call opens and closes its own iterator.
 */
final class MessageReader {
    private MessageReader() {
    }

    /** Up to {@code max} messages with id {@code >= fromId}, in id order. */
    static MessageList read(RocksStore store, Topic topic, long fromId, int max) {
        long from = Math.max(fromId, topic.space().cutId());
        MessageList shared = topic.recentReads().find(from, max, topic.latestId());
        if (shared != null) {
            return shared;
        }
        MessageList out = new MessageList(Math.min(max, 1024));
        long topicId = topic.id();
        try (RocksStore.Range range = store.range(store.messages(),
                lowerBound(topic), StorageLayout.topicUpperBound(topicId))) {
            positionAt(range, topicId, from);
            while (range.it.isValid() && out.size() < max) {
                long firstId = StorageLayout.messageKeyFirstId(range.it.key());
                StorageLayout.decodeBatch(range.it.value(), firstId, from, max, out);
                range.it.next();
            }
            range.check();
        }
        if (!out.isEmpty()) {
            topic.recentReads().offer(from, out);
        }
        return out;
    }

    /** Id of the first retained message, or -1 if the topic holds none. */
    static long earliestId(RocksStore store, Topic topic) {
        long topicId = topic.id();
        try (RocksStore.Range range = store.range(store.messages(),
                lowerBound(topic), StorageLayout.topicUpperBound(topicId))) {
            range.it.seekToFirst();
            range.check();
            return range.it.isValid() ? StorageLayout.messageKeyFirstId(range.it.key()) : -1;
        }
    }

    /** Id of the last stored message of a topic id, or -1 if none (used by recovery). */
    static long lastStoredId(RocksStore store, long topicId) {
        try (RocksStore.Range range = store.range(store.messages(),
                StorageLayout.topicLowerBound(topicId), StorageLayout.topicUpperBound(topicId))) {
            range.it.seekToLast();
            range.check();
            if (!range.it.isValid()) {
                return -1;
            }
            long first = StorageLayout.messageKeyFirstId(range.it.key());
            return first + StorageLayout.batchCount(range.it.value()) - 1;
        }
    }

    /**
     * The id of the first message published at or after {@code epochMillis}, or the topic's next id if
     * there is none. Publish times never decrease within a topic, so this is a binary search over the
     * id range, one seek per probe.
     */
    static long firstIdAtOrAfter(RocksStore store, Topic topic, long epochMillis) {
        long topicId = topic.id();
        long end = topic.nextIdAfterCommitted();
        try (RocksStore.Range range = store.range(store.messages(),
                lowerBound(topic), StorageLayout.topicUpperBound(topicId))) {
            range.it.seekToFirst();
            if (!range.it.isValid()) {
                range.check();
                return end;
            }
            long lo = StorageLayout.messageKeyFirstId(range.it.key());
            long hi = end;
            // Invariant: every existing id < lo was published before epochMillis; the answer is <= hi.
            // A returned id may fall in a gap; seeking to it lands on the next retained message.
            while (lo < hi) {
                long mid = lo + (hi - lo) / 2;
                positionAt(range, topicId, mid);
                if (!range.it.isValid()) {
                    range.check();
                    hi = mid;
                    continue;
                }
                long first = StorageLayout.messageKeyFirstId(range.it.key());
                byte[] batch = range.it.value();
                if (first >= hi) {
                    hi = mid;
                } else if (StorageLayout.batchPublishTime(batch) >= epochMillis) {
                    hi = Math.min(first, mid);
                } else {
                    lo = first + StorageLayout.batchCount(batch);
                }
            }
            return lo;
        }
    }

    /** The retention cut is always an entry boundary, so no retained batch starts below it. */
    private static byte[] lowerBound(Topic topic) {
        return StorageLayout.messageKey(topic.id(), topic.space().cutId());
    }

    /**
     * Positions the iterator on the batch holding {@code id}, or the first batch after it. A forward
     * seek first: a consumer usually continues at the start of a batch, and a backward seek would
     * leave the iterator in reverse, which the following {@code next()} pays to switch back.
     */
    private static void positionAt(RocksStore.Range range, long topicId, long id) {
        byte[] key = StorageLayout.messageKey(topicId, id);
        range.it.seek(key);
        if (range.it.isValid() && StorageLayout.messageKeyFirstId(range.it.key()) == id) {
            return;
        }
        range.it.seekForPrev(key);
        if (range.it.isValid()) {
            byte[] header = new byte[StorageLayout.BATCH_HEADER_BYTES];
            range.it.value(header); // copies the header only
            if (StorageLayout.messageKeyFirstId(range.it.key()) + StorageLayout.batchCount(header) > id) {
                return;
            }
        }
        range.it.seek(key);
    }
}
