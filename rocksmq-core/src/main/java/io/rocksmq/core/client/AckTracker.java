package io.rocksmq.core.client;

/**
 * The ids a client consumer has read and not yet seen acknowledged, in ascending order, with an
 * acknowledged mark each. The subscription's position may move up to the first unacknowledged one:
 * acknowledged entries at the front are dropped as soon as they form a prefix.
 *
 * <p>Ids are added in ascending order (the consumer reads forward; a seek {@link #clear()}s first), so
 * the entries sit in a ring buffer and lookups are binary searches: no boxing, no tree.
 *
 * <p>Not thread-safe: guarded by the owning consumer's lock.
 */
final class AckTracker {
    private long[] ids = new long[64];
    private boolean[] acked = new boolean[64];
    /** Index of the first entry; the ring holds {@link #size} entries from there. */
    private int head;
    private int size;

    /** Appends an id read from storage; it must be larger than every id held. */
    void add(long id) {
        if (size > 0 && id <= idAt(size - 1)) {
            throw new IllegalStateException("ids must be added in ascending order: " + id + " after " + idAt(size - 1));
        }
        if (size == ids.length) {
            grow();
        }
        int slot = (head + size) & (ids.length - 1);
        ids[slot] = id;
        acked[slot] = false;
        size++;
    }

    /** Marks {@code id} acknowledged. False if it is not held (unknown, or already dropped). */
    boolean ack(long id) {
        int i = indexOf(id);
        if (i < 0) {
            return false;
        }
        acked[(head + i) & (ids.length - 1)] = true;
        dropAckedPrefix();
        return true;
    }

    /** Acknowledges every held id {@code <= id}. False if there was none. */
    boolean ackUpTo(long id) {
        int n = countAtMost(id);
        if (n == 0) {
            return false;
        }
        head = (head + n) & (ids.length - 1);
        size -= n;
        dropAckedPrefix();
        return true;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The smallest unacknowledged id; only when not {@link #isEmpty()}. */
    long first() {
        if (size == 0) {
            throw new IllegalStateException("empty");
        }
        return ids[head];
    }

    void clear() {
        head = 0;
        size = 0;
    }

    private void dropAckedPrefix() {
        int mask = ids.length - 1;
        while (size > 0 && acked[head]) {
            head = (head + 1) & mask;
            size--;
        }
    }

    private long idAt(int i) {
        return ids[(head + i) & (ids.length - 1)];
    }

    /** Position of {@code id} among the entries, or -1. */
    private int indexOf(long id) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = idAt(mid);
            if (v < id) {
                lo = mid + 1;
            } else if (v > id) {
                hi = mid - 1;
            } else {
                return mid;
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
            if (idAt(mid) <= id) {
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
}
