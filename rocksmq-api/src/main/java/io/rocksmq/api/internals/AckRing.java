package io.rocksmq.api.internals;

import io.rocksmq.api.InvalidArgumentException;

import java.util.Arrays;

/**
 * What a consumer has read from one partition (its topic, on a single-partition backend), what it has
 * handed to the application, and what the application acknowledged; and so where the persisted
 * position may move: {@link #position()}, the first unacknowledged id read, or {@link #next()} when
 * everything read is acknowledged.
 *
 * <h2>The rules, the same on every backend</h2>
 * <ul>
 *   <li>An id is <em>delivered</em> once {@link #delivered(long)} marked it (the application got it from
 *       a receive or a listener call). Ids are delivered in the order they were read.</li>
 *   <li>Acknowledging an id delivered since the last {@link #reset} marks it; the position moves over the
 *       acknowledged prefix only, so an id acknowledged out of order waits for the ones before it.</li>
 *   <li>Acknowledging an id again, an id delivered before the last reset (a seek) and not delivered again
 *       since, or an id this consumer has not read (not stored yet, say) changes nothing.</li>
 *   <li>Acknowledging an id that was read ahead into the buffer but never delivered is refused
 *       ({@link InvalidArgumentException}), and {@link #ackUpTo} covers delivered ids only: an
 *       acknowledgement never moves the position past what the application was given.</li>
 * </ul>
 *
 * <p>Ids are read in ascending order but need not be consecutive (Kafka's compaction and transaction
 * markers leave gaps), so they sit in a ring of longs with a flag each; lookups are binary searches: no
 * boxing, no tree.
 *
 * <p>Not thread-safe: guarded by the owning consumer's lock.
 */
public final class AckRing {
    private long[] ids = new long[16];
    private boolean[] acked = new boolean[16];
    /** Index of the oldest entry; the ring holds {@link #size} entries from there. */
    private int head;
    private int size;
    /** The id after the last one read: where reading continues. */
    private long next;
    /** The newest id delivered since the last reset; below {@link #next} at all times. */
    private long lastDelivered;
    /** The newest id ever delivered, across resets: acknowledging a read id above it is refused. */
    private long maxDelivered = Long.MIN_VALUE;

    /** A ring where reading starts at {@code next}. */
    public AckRing(long next) {
        this.next = next;
        this.lastDelivered = Long.MIN_VALUE;
    }

    /** Records a read id; it must be at least {@link #next()}. */
    public void read(long id) {
        if (id < next) {
            throw new IllegalStateException("ids must be read in ascending order: " + id + " after " + (next - 1));
        }
        if (size == ids.length) {
            grow();
        }
        int slot = (head + size) & (ids.length - 1);
        ids[slot] = id;
        acked[slot] = false;
        size++;
        next = id + 1;
    }

    /** Marks {@code id}, which was read and not yet delivered, as handed to the application. */
    public void delivered(long id) {
        if (id >= next || id <= lastDelivered) {
            throw new IllegalStateException("delivered out of order: " + id + " (last delivered " + lastDelivered
                    + ", next to read " + next + ")");
        }
        lastDelivered = id;
        maxDelivered = Math.max(maxDelivered, id);
    }

    /**
     * Acknowledges one delivered id.
     *
     * @return true if this changed the {@link #position()}
     * @throws InvalidArgumentException if {@code id} was read but never delivered
     */
    public boolean ack(long id) {
        checkDelivered(id);
        if (id > lastDelivered) {
            return false; // delivered before a seek, not again since
        }
        int i = indexOf(id);
        if (i < 0) {
            return false; // acknowledged already, or before a seek
        }
        acked[(head + i) & (ids.length - 1)] = true;
        return dropAckedFront() > 0;
    }

    /**
     * Acknowledges every delivered id {@code <= id}.
     *
     * @return true if this changed the {@link #position()}
     * @throws InvalidArgumentException if {@code id} was read but never delivered
     */
    public boolean ackUpTo(long id) {
        checkDelivered(id);
        int n = countAtMost(Math.min(id, lastDelivered));
        if (n == 0) {
            return false;
        }
        head = (head + n) & (ids.length - 1);
        size -= n;
        dropAckedFront();
        return true;
    }

    /** Where the persisted position may move: the first unacknowledged id read, or {@link #next()}. */
    public long position() {
        return size == 0 ? next : ids[head];
    }

    /** The id after the last one read. */
    public long next() {
        return next;
    }

    /** Read ids not yet acknowledged (delivered or not). */
    public int unacknowledged() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (!acked[(head + i) & (ids.length - 1)]) {
                n++;
            }
        }
        return n;
    }

    /** Forgets what was read and delivered (a seek); reading continues at {@code next}. */
    public void reset(long next) {
        head = 0;
        size = 0;
        this.next = next;
        this.lastDelivered = Long.MIN_VALUE;
    }

    private void checkDelivered(long id) {
        if (id > maxDelivered && id < next) {
            throw new InvalidArgumentException("message " + id + " was read ahead but not delivered to this consumer yet"
                    + (maxDelivered == Long.MIN_VALUE ? "" : " (the newest delivered is " + maxDelivered + ")")
                    + ": only delivered messages can be acknowledged");
        }
    }

    /** Drops the acknowledged entries at the front; how many. */
    private int dropAckedFront() {
        int mask = ids.length - 1;
        int dropped = 0;
        while (size > 0 && acked[head]) {
            head = (head + 1) & mask;
            size--;
            dropped++;
        }
        return dropped;
    }

    private long at(int i) {
        return ids[(head + i) & (ids.length - 1)];
    }

    /** Position of {@code id} among the unacknowledged entries, or -1. */
    private int indexOf(long id) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = at(mid);
            if (v < id) {
                lo = mid + 1;
            } else if (v > id) {
                hi = mid - 1;
            } else {
                return acked[(head + mid) & (ids.length - 1)] ? -1 : mid;
            }
        }
        return -1;
    }

    /** Number of entries {@code <= id}. */
    private int countAtMost(long id) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at(mid) <= id) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void grow() {
        int n = ids.length;
        long[] newIds = new long[n * 2];
        boolean[] newAcked = new boolean[n * 2];
        for (int i = 0; i < size; i++) {
            int slot = (head + i) & (n - 1);
            newIds[i] = ids[slot];
            newAcked[i] = acked[slot];
        }
        ids = newIds;
        acked = newAcked;
        head = 0;
    }

    @Override
    public String toString() {
        long[] held = new long[size];
        for (int i = 0; i < size; i++) {
            held[i] = at(i);
        }
        return "AckRing{next=" + next + ", lastDelivered=" + lastDelivered + ", held=" + Arrays.toString(held) + '}';
    }
}
