package io.rocksmq.core;

/**
 * A deliberately broken {@link Deduplication}: it looks the ids up <em>before</em> the produce takes the
 * topic's produce lock (check, then write, outside the point where writes are ordered), and the writer
 * trusts that answer. Two producers of one id can both find it absent and both store it. It exists to
 * show that {@link DeduplicationRaceTest} catches that.
 */
final class CheckOutsideLockDeduplication extends Deduplication {
    CheckOutsideLockDeduplication(long topicId, long windowMillis) {
        super(topicId, windowMillis);
    }

    @Override
    long[] beforeLock(RocksStore store, String[] dedupIds, long now) {
        long[] originals = new long[dedupIds.length];
        for (int i = 0; i < dedupIds.length; i++) {
            originals[i] = dedupIds[i] == null ? -1 : checkUnlocked(store, dedupIds[i], now);
        }
        return originals;
    }

    /** A read racing the writers may see a half-written entry: the variant then takes the id as absent. */
    private long checkUnlocked(RocksStore store, String dedupId, long now) {
        try {
            return heldOriginal(store, dedupId, now);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @Override
    int resolve(RocksStore store, Topic.Append a, long time, long next) {
        int kept = 0;
        for (int i = 0; i < a.count; i++) {
            if (a.prechecked[i] >= 0) {
                a.ids[i] = a.prechecked[i];
            } else {
                a.stored[i] = true;
                a.ids[i] = next + kept++;
            }
        }
        return kept;
    }
}
