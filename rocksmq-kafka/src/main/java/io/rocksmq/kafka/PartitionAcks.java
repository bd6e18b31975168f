package io.rocksmq.kafka;

import java.util.Arrays;

/**
 * What a consumer has read from one partition and not yet seen acknowledged, and where reading
 * continues. The subscription's committed offset for the partition may move up to {@link #position()}:
 * the first unacknowledged offset read, or {@link #next()} when everything read is acknowledged.
 *
 * <p>Offsets arrive in ascending order but need not be consecutive (compaction and transaction markers
 * leave gaps), so they are kept in a ring of longs with an acknowledged flag each; lookups are binary
 * searches. Acknowledged offsets leave the ring as soon as they form its front.
 *
 * <p>Not thread-safe: guarded by the owning consumer state's lock.
 */
final class PartitionAcks {
    private long[] offsets = new long[16];
    private boolean[] acked = new boolean[16];
    /** Index of the oldest entry; the ring holds {@link #size} entries from there. */
    private int head;
    private int size;
    /** The offset after the last one read: where reading continues. */
    private long next;

    PartitionAcks(long next) {
        this.next = next;
    }

    /** Records a read offset; it must be at least {@link #next()}. */
    void read(long offset) {
        if (offset < next) {
            throw new IllegalStateException("offsets must be read in ascending order: " + offset + " after " + (next - 1));
        }
        if (size == offsets.length) {
            grow();
        }
        int slot = (head + size) & (offsets.length - 1);
        offsets[slot] = offset;
        acked[slot] = false;
        size++;
        next = offset + 1;
    }

    /** Marks one read offset acknowledged. False if it is not held (never read, or already acknowledged). */
    boolean ack(long offset) {
        int i = indexOf(offset);
        if (i < 0) {
            return false;
        }
        int slot = (head + i) & (offsets.length - 1);
        if (acked[slot]) {
            return false;
        }
        acked[slot] = true;
        dropAckedFront();
        return true;
    }

    /** Acknowledges every held offset {@code <= offset}. False if there was none. */
    boolean ackUpTo(long offset) {
        int n = countAtMost(offset);
        if (n == 0) {
            return false;
        }
        head = (head + n) & (offsets.length - 1);
        size -= n;
        dropAckedFront();
        return true;
    }

    /** Where the committed offset may move: the first unacknowledged offset, or {@link #next()}. */
    long position() {
        return size == 0 ? next : offsets[head];
    }

    long next() {
        return next;
    }

    int unacknowledged() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (!acked[(head + i) & (offsets.length - 1)]) {
                n++;
            }
        }
        return n;
    }

    /** Forgets everything read; reading continues at {@code next}. */
    void reset(long next) {
        head = 0;
        size = 0;
        this.next = next;
    }

    private void dropAckedFront() {
        int mask = offsets.length - 1;
        while (size > 0 && acked[head]) {
            head = (head + 1) & mask;
            size--;
        }
    }

    private long at(int i) {
        return offsets[(head + i) & (offsets.length - 1)];
    }

    private int indexOf(long offset) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = at(mid);
            if (v < offset) {
                lo = mid + 1;
            } else if (v > offset) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private int countAtMost(long offset) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at(mid) <= offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void grow() {
        int n = offsets.length;
        long[] o = new long[n * 2];
        boolean[] a = new boolean[n * 2];
        for (int i = 0; i < size; i++) {
            int slot = (head + i) & (n - 1);
            o[i] = offsets[slot];
            a[i] = acked[slot];
        }
        offsets = o;
        acked = a;
        head = 0;
    }

    @Override
    public String toString() {
        long[] held = new long[size];
        for (int i = 0; i < size; i++) {
            held[i] = at(i);
        }
        return "PartitionAcks{next=" + next + ", held=" + Arrays.toString(held) + '}';
    }
}
