package io.rocksmq.core;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Producer deduplication of one topic: a produce of a message whose deduplication id was stored within
 * the topic's window stores nothing for that message and answers the id of the original.
 *
 * <h2>Where the ids are</h2>
 * On disk, one log record per write that stored messages with ids ({@link StorageLayout}, {@code 0x18 ..
 * 0x02}: keyed by publish time, holding the write's (message id, deduplication id) pairs), put in the
 * very {@code WriteBatch} that stores the messages: one more entry per write, not one per message (the
 * queue's cost is per entry; per-message records made a produce with ids ten times slower). In memory,
 * the ids of the window: {@link #ids} for lookups and {@link #order} for eviction in time order, loaded
 * from the log at the first produce with ids after open (open never reads the log). Memory and disk
 * are bounded by the window: about 150 bytes of heap per id, so ids produced at R per second cost
 * {@code R x window x 150} bytes (as NATS JetStream's duplicate window).
 *
 * <h2>States and who changes them</h2>
 * <ul>
 *   <li>{@link #ids}, {@link #order}, {@link #loaded}: changed <em>only under the topic's produce
 *       lock</em>: loaded and evicted in {@link #prepare}, added by {@link #commit} after the write
 *       that stored them succeeded. A concurrent map so that a read outside the lock is memory-safe
 *       (only the broken variant in the tests reads outside it).</li>
 *   <li>The log on disk: added by the produce's group writer, in its batch; range-deleted below the
 *       window by {@link #purge} under the produce lock; deleted with the topic.</li>
 *   <li>{@link #windowMillis}: volatile; set by {@code RocksMq.setMessageSettings} under the topic's
 *       admin lock after the settings record is written, read under the produce lock. A change applies
 *       to lookups from then on; ids already evicted under a shorter window stay evicted.</li>
 *   <li>{@link #deduplicated}: messages ever answered as duplicates; volatile, changed under the produce
 *       lock after the write that persisted it.</li>
 * </ul>
 *
 * <h2>Why two producers of one id can never both store it</h2>
 * The check and the index update happen where writes are ordered: under the produce lock, around the
 * write that stores the message. The holder sees every id committed before (they are in {@link #ids}),
 * and the ids staged by earlier produces of the same combined write in the group's {@code staged} map,
 * which is how two messages with one id in one batch, or in two produces combined into one write, become
 * one. A check made before taking the lock (the broken variant in the tests,
 * {@code CheckOutsideLockDeduplication}) lets two producers both find the id absent and both store it.
 *
 * <h2>Crash</h2>
 * The log record is in the message's {@code WriteBatch}: after a crash either both exist or neither,
 * so a producer retrying after a crash stores its message exactly once while the window lasts.
 *
 * <p>Thread-safe under the locking above.
 */
class Deduplication {
    /** One remembered id, in {@link #order}. */
    private record Held(String id, long messageId, long storedAt) {
    }

    private final long topicId;
    private volatile long windowMillis;
    /** Messages ever answered as duplicates (persisted with the writes that answered them). */
    private volatile long deduplicated;
    /** Deduplication id -> the message it names, for the ids of the window (the same objects as in {@link #order}). */
    private final ConcurrentHashMap<String, Held> ids = new ConcurrentHashMap<>();
    private final ArrayDeque<Held> order = new ArrayDeque<>();
    private boolean loaded;

    Deduplication(long topicId, long windowMillis) {
        this(topicId, windowMillis, 0);
    }

    Deduplication(long topicId, long windowMillis, long deduplicated) {
        this.topicId = topicId;
        this.windowMillis = windowMillis;
        this.deduplicated = deduplicated;
    }

    /** The persisted count of a topic at open. */
    static long loadCount(RocksStore store, long topicId) {
        byte[] v = store.getMeta(MessageRecordLayout.dedupCountKey(topicId));
        return v == null ? 0 : MessageRecordLayout.decodeCount(v);
    }

    long windowMillis() {
        return windowMillis;
    }

    /** Under the topic's admin lock, after the settings record was written. */
    void windowMillis(long millis) {
        this.windowMillis = millis;
    }

    long deduplicated() {
        return deduplicated;
    }

    /** Ids held in memory (tests). */
    int heldIds() {
        return ids.size();
    }

    /**
     * A hook before the produce takes the lock; nothing to do here (the check belongs under the lock).
     * The broken variant in the tests checks here instead.
     */
    long[] beforeLock(RocksStore store, String[] dedupIds, long now) {
        return null;
    }

    /**
     * Under the produce lock, before a write with ids: loads the window's ids from the log if this is
     * the first since open, and forgets those whose window passed at {@code time}.
     */
    void prepare(RocksStore store, long time) {
        long window = windowMillis;
        if (!loaded) {
            load(store, time - window);
            loaded = true;
        }
        evict(time - window);
    }

    private void load(RocksStore store, long from) {
        try (RocksStore.Range range = store.range(store.meta(), MessageRecordLayout.dedupLogKey(topicId, Math.max(0, from), 0),
                MessageRecordLayout.dedupLogUpperBound(topicId))) {
            for (range.it.seekToFirst(); range.it.isValid(); range.it.next()) {
                long storedAt = MessageRecordLayout.dedupLogKeyTime(range.it.key());
                MessageRecordLayout.decodeDedupLog(range.it.value(), (messageId, id) -> remember(id, messageId, storedAt));
            }
            range.check();
        }
    }

    /** Forgets the ids stored at or before {@code cutoff}. */
    private void evict(long cutoff) {
        for (Held h; (h = order.peekFirst()) != null && h.storedAt <= cutoff; ) {
            order.pollFirst();
            ids.remove(h.id, h); // unless a later produce of the id (after its window) replaced it
        }
    }

    private void remember(String id, long messageId, long storedAt) {
        Held h = new Held(id, messageId, storedAt);
        ids.put(id, h);
        order.addLast(h);
    }

    /**
     * Under the produce lock, after {@link #prepare}: gives each message of one produce its id. A
     * message whose deduplication id is held within the window, or was staged by an earlier message of
     * the same combined write, gets the original's id; every other message gets the next free id, in
     * order, and is marked in {@code a.stored}. Stages the kept ids in {@code staged}.
     *
     * @param a    the produce: its deduplication ids (null entries for none); its {@code ids} are set
     * @param time the publish time of this write
     * @param next the first free id
     * @return how many messages are kept (get new ids)
     */
    int resolve(RocksStore store, Topic.Append a, long time, long next, Map<String, Long> staged) {
        String[] dedupIds = a.dedupIds;
        long[] out = a.ids;
        boolean[] stored = a.stored;
        long window = windowMillis;
        int kept = 0;
        for (int i = 0; i < out.length; i++) {
            String d = dedupIds == null || window <= 0 ? null : dedupIds[i];
            long original = d == null ? -1 : original(d, time, window, staged);
            if (original >= 0) {
                out[i] = original;
            } else {
                stored[i] = true;
                out[i] = next + kept++;
                if (d != null) {
                    staged.put(d, out[i]);
                }
            }
        }
        return kept;
    }

    /** The id a deduplication id names within the window, or -1. */
    long original(String dedupId, long time, long window, Map<String, Long> staged) {
        Long s = staged.get(dedupId);
        if (s != null) {
            return s;
        }
        Held h = ids.get(dedupId);
        if (h == null || time - h.storedAt >= window) {
            return -1; // never stored, or its window passed
        }
        return h.messageId;
    }

    /**
     * Under the produce lock: adds the log record of the write's staged ids to its batch.
     *
     * @param staged the ids the write stores, in id order (as the group writer staged them)
     */
    void index(WriteBatch batch, RocksStore store, Map<String, Long> staged, long time) throws RocksDBException {
        if (staged == null || staged.isEmpty() || windowMillis <= 0) {
            return;
        }
        long first = staged.values().iterator().next(); // staged in id order
        batch.put(store.meta(), MessageRecordLayout.dedupLogKey(topicId, time, first), MessageRecordLayout.dedupLogValue(staged));
    }

    /**
     * Under the produce lock, after the write succeeded: remembers its ids and counts its duplicates.
     *
     * @param staged in id order (the group writer stages into a {@code LinkedHashMap})
     */
    void commit(Map<String, Long> staged, long time, long duplicates) {
        if (staged != null && windowMillis > 0) {
            for (Map.Entry<String, Long> e : staged.entrySet()) {
                remember(e.getKey(), e.getValue(), time);
            }
        }
        if (duplicates > 0) {
            deduplicated += duplicates;
        }
    }

    /** Under the produce lock: {@code n > 0} messages of this write were duplicates; the new count goes in it. */
    void stageCount(WriteBatch batch, RocksStore store, long n) throws RocksDBException {
        batch.put(store.meta(), MessageRecordLayout.dedupCountKey(topicId), MessageRecordLayout.countValue(deduplicated + n));
    }

    /**
     * Under the produce lock: forgets the ids whose window passed at {@code now} and deletes their log
     * records (one range delete, only if there is one to delete).
     *
     * @return whether log records were deleted
     */
    boolean purge(RocksStore store, long now) {
        long cutoff = now - windowMillis; // window 0 (off): everything goes
        evict(cutoff);
        byte[] lower = MessageRecordLayout.dedupLogKey(topicId, 0, 0);
        byte[] upper = MessageRecordLayout.dedupLogKey(topicId, Math.max(0, cutoff + 1), 0); // stored at or before cutoff
        try (RocksStore.Range range = store.range(store.meta(), lower, upper)) {
            range.it.seekToFirst();
            range.check();
            if (!range.it.isValid()) {
                return false;
            }
        }
        try (WriteBatch batch = new WriteBatch()) {
            batch.deleteRange(store.meta(), lower, upper);
            store.write(batch);
        } catch (RocksDBException e) {
            throw RocksStore.storage("cannot build the batch that purges deduplication ids", e);
        }
        return true;
    }

    /** Adds the deletion of all of a topic's message records to a batch that destroys the topic. */
    static void deleteTopic(WriteBatch batch, RocksStore store, long topicId) throws RocksDBException {
        batch.deleteRange(store.meta(), MessageRecordLayout.messagePrefix(topicId), MessageRecordLayout.messagePrefix(topicId + 1));
    }
}
