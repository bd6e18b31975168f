package io.rocksmq.core;

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
        try (RocksStore.Range range = store.range(store.messages(),
                lowerBound(topic), StorageLayout.topicUpperBound(topic.id()))) {
            positionAt(range, topic.id(), from);
            return readOn(range, topic, from, max, null);
        }
    }

    /**
     * As {@link #read(RocksStore, Topic, long, int)}, for a consumer group through its cursor (under
     * the group's position lock): continues where the group's last read left the cursor when it can.
     */
    static MessageList read(RocksStore store, Topic topic, long fromId, int max, ReadCursor cursor) {
        long from = Math.max(fromId, topic.space().cutId());
        MessageList shared = topic.recentReads().find(from, max, topic.latestId());
        if (shared != null) {
            return shared;
        }
        try {
            boolean reusable = cursor.open(store, topic, lowerBound(topic), System.nanoTime());
            RocksStore.Range range = cursor.range();
            if (!reusable || !cursor.standsAt(from)) {
                if (reusable) {
                    cursor.refresh(System.nanoTime()); // the snapshot may predate messages we now need
                }
                positionAt(range, topic.id(), from);
            }
            return readOn(range, topic, from, max, cursor);
        } catch (RuntimeException | Error e) {
            cursor.close(); // where it stands is unknown now
            throw e;
        }
    }

    /**
     * Reads from where the iterator stands. With a cursor, leaves the iterator on what the next read
     * continues from, or closes the cursor at the end of the stored messages; if the iterator's
     * snapshot ends before messages committed since, refreshes it once and reads on.
     */
    private static MessageList readOn(RocksStore.Range range, Topic topic, long from, int max, ReadCursor cursor) {
        MessageList out = new MessageList(Math.min(max, 1024));
        boolean refreshed = false;
        boolean insideBatch = false;
        while (out.size() < max) {
            if (!range.it.isValid()) {
                range.check();
                long next = out.isEmpty() ? from : out.id(out.size() - 1) + 1;
                if (cursor == null || refreshed || topic.latestId() < next) {
                    break;
                }
                cursor.refresh(System.nanoTime());
                refreshed = true;
                positionAt(range, topic.id(), next);
                continue;
            }
            long firstId = StorageLayout.messageKeyFirstId(range.it.key());
            byte[] batch = range.it.value();
            BatchFormat.decodeBatch(batch, firstId, from, max, out);
            long end = firstId + BatchFormat.batchCount(batch);
            if (out.size() >= max && !out.isEmpty() && out.id(out.size() - 1) + 1 < end) {
                if (cursor != null) {
                    cursor.stoppedInside(end); // the next read continues inside this batch
                }
                insideBatch = true;
                break;
            }
            range.it.next();
        }
        if (cursor != null) {
            if (cursor.tooManyOpen()) {
                range.check();
                cursor.close(); // the queue keeps only so many iterators open between consumes
            } else if (!insideBatch) { // (inside a batch, it stays on the batch it read in part)
                if (range.it.isValid()) {
                    cursor.stoppedAtBoundary();
                } else {
                    range.check();
                    cursor.close(); // caught up: hold nothing while the group waits
                }
            }
        }
        return shared(topic, from, out);
    }

    private static MessageList shared(Topic topic, long from, MessageList out) {
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
            return first + BatchFormat.batchCount(range.it.value()) - 1;
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
                } else if (BatchFormat.batchPublishTime(batch) >= epochMillis) {
                    hi = Math.min(first, mid);
                } else {
                    lo = first + BatchFormat.batchCount(batch);
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
            byte[] header = new byte[BatchFormat.BATCH_HEADER_BYTES];
            range.it.value(header); // copies the header only
            if (StorageLayout.messageKeyFirstId(range.it.key()) + BatchFormat.batchCount(header) > id) {
                return;
            }
        }
        range.it.seek(key);
    }
}
