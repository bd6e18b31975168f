package io.rocksmq.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A consumer group's iterator over its topic's stored batches, kept open between consumes: a group
 * reading a backlog continues where its last read stopped instead of opening an iterator and seeking
 * on every call (which costs most while fresh data still lies in several level-0 files).
 *
 * <h2>States and who changes them</h2>
 * CLOSED (no iterator) -> OPEN (an iterator, standing on the next batch to read, or inside a batch read
 * in part) -> CLOSED. Every method runs under the owning group's position lock: {@link
 * MessageReader#read(RocksStore, Topic, long, int, ReadCursor)} from {@code consume}, {@link #close}
 * when the group ends (after its in-flight operations drained), and {@link #closeIfIdle} from the
 * retention worker, which only tries the lock.
 *
 * <h2>What an open cursor pins, and for how long</h2>
 * A RocksDB iterator keeps the memtables and table files of the moment it was opened or refreshed,
 * even once compaction or retention made them obsolete. So a cursor is refreshed when older than
 * {@link #MAX_AGE_NANOS} at the start of a read, closed as soon as a read reaches the end of the
 * stored messages (a caught-up group holds nothing), closed by the retention worker's periodic pass
 * once unused for {@link #MAX_AGE_NANOS}, and closed when its group ends. And a queue keeps at most
 * {@link RocksStore#MAX_OPEN_CURSORS} open between consumes: past that, a read closes its cursor when
 * it is done (the group then reads as if it had none).
 *
 * <p>Not thread-safe on its own: guarded by the group's position lock.
 */
final class ReadCursor {
    static final long MAX_AGE_NANOS = 1_000_000_000L;

    private RocksStore.Range range;
    /** The queue's count of open cursors, while this one is open. */
    private AtomicInteger openCount;
    private long refreshedNanos;
    private long usedNanos;
    /** The end (exclusive) of the batch the iterator stands inside after a partial read, else -1. */
    private long partEnd = -1;

    /**
     * The open range, refreshed if it is too old to keep; opens one if closed.
     *
     * @return whether the iterator may already stand where the read starts (not newly opened or refreshed)
     */
    boolean open(RocksStore store, Topic topic, byte[] lowerBound, long now) {
        usedNanos = now;
        if (range == null) {
            range = store.scanRange(store.messages(), lowerBound, StorageLayout.topicUpperBound(topic.id()));
            openCount = store.openCursors();
            openCount.incrementAndGet();
            refreshedNanos = now;
            partEnd = -1;
            return false;
        }
        if (now - refreshedNanos > MAX_AGE_NANOS) {
            refresh(now);
            return false;
        }
        return true;
    }

    RocksStore.Range range() {
        return range;
    }

    void refresh(long now) {
        range.refresh();
        refreshedNanos = now;
        partEnd = -1;
    }

    /** Whether the iterator stands on the batch holding {@code id} (as a continuing read leaves it). */
    boolean standsAt(long id) {
        if (!range.it.isValid()) {
            return false;
        }
        long first = StorageLayout.messageKeyFirstId(range.it.key());
        return partEnd > id ? first <= id : first == id;
    }

    /** The read stopped inside the batch the iterator stands on, which ends before {@code end}. */
    void stoppedInside(long end) {
        partEnd = end;
    }

    /** The read stopped at a batch boundary (the iterator stands on the next batch). */
    void stoppedAtBoundary() {
        partEnd = -1;
    }

    boolean isOpen() {
        return range != null;
    }

    void close() {
        if (range != null) {
            range.close();
            range = null;
            openCount.decrementAndGet();
        }
    }

    /** Whether the queue has more cursors open than it keeps between consumes. */
    boolean tooManyOpen() {
        return openCount != null && openCount.get() > RocksStore.MAX_OPEN_CURSORS;
    }

    /** Closes the cursor if unused since {@link #MAX_AGE_NANOS} before {@code now}. */
    void closeIfIdle(long now) {
        if (isOpen() && now - usedNanos > MAX_AGE_NANOS) {
            close();
        }
    }
}
