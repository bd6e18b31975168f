package io.rocksmq.stress;

import java.util.Arrays;

/** A growable array of longs for compact history records. Not thread-safe: one per recording thread. */
final class LongList {
    private long[] values = new long[1024];
    private int size;

    void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    long get(int i) {
        return values[i];
    }

    int size() {
        return size;
    }
}
