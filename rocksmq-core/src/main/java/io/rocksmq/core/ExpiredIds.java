package io.rocksmq.core;

import java.util.Arrays;

/**
 * Ids of expired messages a reader skipped ({@link RocksMq#read(String, long, int, ExpiredIds)}) and has
 * not yet moved its group's position past: kept so that the commit that moves the position past them
 * ({@link RocksMq#commitPosition}) counts them in the group's expired count, once.
 *
 * <p>Held as ascending runs of consecutive ids, so a read that skipped a million expired messages in a
 * row costs one run. Ids at or below the highest id ever added (since the last {@link #clear()}) are
 * ignored: a reader that reads the same expired messages again (it had nothing to deliver after them,
 * so its read cursor did not move past them) does not hold them twice.
 *
 * <p>Not thread-safe: guarded by its owner (the client consumer's lock).
 */
public final class ExpiredIds {
    /** Run {@code i} is the ids {@code [starts[i], ends[i])}, ascending and disjoint. */
    private long[] starts = new long[0];
    private long[] ends = new long[0];
    private int runs;
    /** The id after the highest one ever added since the last clear; lower ids are not added again. */
    private long addedUpTo = Long.MIN_VALUE;

    /** Adds one skipped expired id; ignored if at or below an id added before. */
    void add(long id) {
        addRun(id, id + 1);
    }

    /** Adds what {@code other} holds (ids above those already added). */
    public void addAll(ExpiredIds other) {
        for (int i = 0; i < other.runs; i++) {
            addRun(other.starts[i], other.ends[i]);
        }
    }

    private void addRun(long start, long end) {
        start = Math.max(start, addedUpTo);
        if (start >= end) {
            return;
        }
        if (runs > 0 && ends[runs - 1] == start) {
            ends[runs - 1] = end;
        } else {
            if (runs == starts.length) {
                int n = Math.max(8, runs * 2);
                starts = Arrays.copyOf(starts, n);
                ends = Arrays.copyOf(ends, n);
            }
            starts[runs] = start;
            ends[runs] = end;
            runs++;
        }
        addedUpTo = end;
    }

    /** How many held ids are in {@code [from, to)}. */
    long countIn(long from, long to) {
        long n = 0;
        for (int i = 0; i < runs && starts[i] < to; i++) {
            long lo = Math.max(starts[i], from);
            long hi = Math.min(ends[i], to);
            if (lo < hi) {
                n += hi - lo;
            }
        }
        return n;
    }

    /** Forgets the held ids below {@code id} (the position moved past them); later adds below it stay ignored. */
    public void dropBelow(long id) {
        int keep = 0;
        while (keep < runs && ends[keep] <= id) {
            keep++;
        }
        if (keep < runs && starts[keep] < id) {
            starts[keep] = id;
        }
        System.arraycopy(starts, keep, starts, 0, runs - keep);
        System.arraycopy(ends, keep, ends, 0, runs - keep);
        runs -= keep;
    }

    /** Forgets everything, including what was added (a seek: reading starts over elsewhere). */
    public void clear() {
        runs = 0;
        addedUpTo = Long.MIN_VALUE;
    }

    /** How many ids are held. */
    public long size() {
        return countIn(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** Whether no id is held. */
    public boolean isEmpty() {
        return runs == 0;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ExpiredIds[");
        for (int i = 0; i < runs; i++) {
            s.append(i == 0 ? "" : ", ").append(starts[i]).append("..").append(ends[i] - 1);
        }
        return s.append(']').toString();
    }
}
