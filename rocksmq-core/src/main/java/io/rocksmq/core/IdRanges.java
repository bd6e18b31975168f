package io.rocksmq.core;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * A set of message ids kept as disjoint runs of consecutive ids: what a shared group has finished above
 * its ack floor. Workers finish messages nearly in order, so the runs stay few while one message holds the
 * floor back (a poison message being retried, a stalled worker): memory grows with the gaps between
 * finished messages, not with their number.
 *
 * <p>Not thread-safe: confined to its owner's lock (the shared group's position lock).
 */
final class IdRanges {
    /** First id of each run to the id just past it. */
    private final TreeMap<Long, Long> runs = new TreeMap<>();

    void add(long id) {
        if (contains(id)) {
            return;
        }
        Map.Entry<Long, Long> before = runs.floorEntry(id);
        Long afterEnd = runs.remove(id + 1);
        long start = before != null && before.getValue() == id ? before.getKey() : id;
        long end = afterEnd != null ? afterEnd : id + 1;
        runs.put(start, end);
    }

    boolean contains(long id) {
        Map.Entry<Long, Long> run = runs.floorEntry(id);
        return run != null && id < run.getValue();
    }

    /** The first id at or after {@code id} that is not in the set. */
    long firstAbsentFrom(long id) {
        Map.Entry<Long, Long> run = runs.floorEntry(id);
        return run != null && id < run.getValue() ? run.getValue() : id;
    }

    /** How many ids of {@code [from, to)} are in the set. */
    long countIn(long from, long to) {
        long n = 0;
        Long runBefore = runs.floorKey(from); // the run that may hold from; later runs start after it
        for (Map.Entry<Long, Long> run : (runBefore == null ? runs : runs.tailMap(runBefore, true)).entrySet()) {
            if (run.getKey() >= to) {
                break;
            }
            n += Math.max(0, Math.min(run.getValue(), to) - Math.max(run.getKey(), from));
        }
        return n;
    }

    /** Removes every id below {@code limit}, telling {@code removed} each one. */
    void removeBelow(long limit, LongConsumer removed) {
        Iterator<Map.Entry<Long, Long>> it = runs.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Long> run = it.next();
            long start = run.getKey();
            if (start >= limit) {
                return;
            }
            long end = run.getValue();
            for (long id = start; id < Math.min(end, limit); id++) {
                removed.accept(id);
            }
            it.remove();
            if (end > limit) {
                runs.put(limit, end);
                return; // the rest starts at or above the limit
            }
        }
    }

    /** Number of runs (for tests of the memory bound). */
    int runCount() {
        return runs.size();
    }
}
