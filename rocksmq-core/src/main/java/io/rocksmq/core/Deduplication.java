package io.rocksmq.core;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Producer deduplication of one topic: a produce of a message whose deduplication id was stored within
 * the topic's window stores nothing for that message and answers the id of the original.
 *
 * <h2>States and who changes them</h2>
 * <ul>
 *   <li>The index: the {@code 0x18} dedup records of the topic in RocksDB ({@link StorageLayout}), one id
 *       record (id -> message id, publish time) and one time-index record per stored id. Changed
 *       <em>only under the topic's produce lock</em>: added by the produce's group writer
 *       ({@link #resolve} then {@link #index}, in the very {@code WriteBatch} that stores the messages),
 *       removed by {@link #purgeSome}. Deleted as a whole with the topic (after it quiesced).</li>
 *   <li>{@link #windowMillis}: volatile; set by {@code RocksMq.setMessageSettings} under the topic's
 *       admin lock after the settings record is written, read under the produce lock.</li>
 *   <li>{@link #deduplicated}: messages ever answered as duplicates; volatile, changed under the produce
 *       lock after the write that persisted it.</li>
 * </ul>
 *
 * <h2>Why two producers of one id can never both store it</h2>
 * The check and the index write happen where writes are ordered: under the produce lock, in the
 * write that stores the message. A produce holding the lock sees every earlier write of the topic
 * (RocksDB makes a write visible before {@code write} returns), and ids staged by earlier produces
 * of the same combined write are looked up in the group's {@code staged} map, which is how two
 * messages with one id in one batch, or in two produces combined into one write, become one. A check
 * made before taking the lock (the broken variant in the tests, {@code CheckOutsideLockDeduplication})
 * lets two producers both find the id absent and both store it.
 *
 * <h2>Crash</h2>
 * An id record is in the message's {@code WriteBatch}: after a crash either both exist or neither,
 * so a producer retrying after a crash stores its message exactly once while the window lasts.
 *
 * <p>Thread-safe under the locking above.
 */
class Deduplication {
    /** Purged records per hold of the produce lock: bounds how long a purge delays a produce. */
    static final int PURGE_CHUNK = 1024;

    private final long topicId;
    private volatile long windowMillis;
    /** Messages ever answered as duplicates (persisted with the writes that answered them). */
    private volatile long deduplicated;

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
        byte[] v = store.getMeta(StorageLayout.dedupCountKey(topicId));
        return v == null ? 0 : StorageLayout.decodeCount(v);
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

    /** Under the produce lock: {@code n > 0} messages of this write were duplicates; the new count goes in it. */
    void stageCount(WriteBatch batch, RocksStore store, long n) throws RocksDBException {
        batch.put(store.meta(), StorageLayout.dedupCountKey(topicId), StorageLayout.countValue(deduplicated + n));
    }

    /** Under the produce lock, after the write succeeded. */
    void counted(long n) {
        deduplicated += n;
    }

    /**
     * A hook before the produce takes the lock; nothing to do here (the check belongs under the lock).
     * The broken variant in the tests checks here instead.
     */
    long[] beforeLock(RocksStore store, String[] dedupIds, long now) {
        return null;
    }

    /**
     * Under the produce lock: gives each message of one produce its id. A message whose deduplication id
     * is indexed within the window, or was staged by an earlier message of the same combined write, gets
     * the original's id; every other message gets the next free id, in order, and is marked in
     * {@code a.stored}. Stages the kept ids in {@code staged}.
     *
     * @param a    the produce: its deduplication ids (null entries for none); its {@code ids} are set
     * @param time the publish time of this write
     * @param next the first free id
     * @return how many messages are kept (get new ids)
     */
    int resolve(RocksStore store, Topic.Append a, long time, long next, Map<String, Long> staged) {
        String[] dedupIds = a.dedupIds;
        long[] ids = a.ids;
        boolean[] stored = a.stored;
        long window = windowMillis;
        int kept = 0;
        for (int i = 0; i < ids.length; i++) {
            String d = dedupIds == null || window <= 0 ? null : dedupIds[i];
            long original = d == null ? -1 : original(store, d, time, window, staged);
            if (original >= 0) {
                ids[i] = original;
            } else {
                stored[i] = true;
                ids[i] = next + kept++;
                if (d != null) {
                    staged.put(d, ids[i]);
                }
            }
        }
        return kept;
    }

    /** The id a deduplication id names within the window, or -1. */
    long original(RocksStore store, String dedupId, long time, long window, Map<String, Long> staged) {
        Long s = staged.get(dedupId);
        if (s != null) {
            return s;
        }
        byte[] v = store.getMeta(StorageLayout.dedupIdKey(topicId, dedupId.getBytes(StandardCharsets.UTF_8)));
        if (v == null || time - StorageLayout.dedupIdStoredAt(v) >= window) {
            return -1; // never stored, or its window passed (the purge has not run yet)
        }
        return StorageLayout.dedupIdMessage(v);
    }

    /** Under the produce lock: adds the index records of the kept messages with ids to the write. */
    void index(WriteBatch batch, RocksStore store, Topic.Append a, long time) throws RocksDBException {
        String[] dedupIds = a.dedupIds;
        long[] ids = a.ids;
        if (dedupIds == null || windowMillis <= 0) {
            return;
        }
        for (int i = 0; i < ids.length; i++) {
            if (dedupIds[i] != null && a.stored[i]) {
                byte[] d = dedupIds[i].getBytes(StandardCharsets.UTF_8);
                batch.put(store.meta(), StorageLayout.dedupIdKey(topicId, d), StorageLayout.dedupIdValue(ids[i], time));
                batch.put(store.meta(), StorageLayout.dedupTimeKey(topicId, time, ids[i]), d);
            }
        }
    }

    /**
     * Under the produce lock: deletes the records of ids stored before {@code now - window}, at most
     * {@link #PURGE_CHUNK} time-index entries. An id record is deleted only if it still names the
     * message of the time-index entry (a later produce of the same id, after the window, rewrote it).
     *
     * @return how many time-index entries it deleted (less than the chunk: nothing more to purge now)
     */
    int purgeSome(RocksStore store, long now) {
        long cutoff = now - windowMillis; // window 0 (off): everything goes
        int n = 0;
        try (RocksStore.Range range = store.range(store.meta(), StorageLayout.dedupTimeLowerBound(topicId),
                StorageLayout.dedupTimeKey(topicId, Math.max(0, cutoff), 0));
             WriteBatch batch = new WriteBatch()) {
            for (range.it.seekToFirst(); range.it.isValid() && n < PURGE_CHUNK; range.it.next()) {
                byte[] key = range.it.key();
                byte[] dedupId = range.it.value();
                byte[] idKey = StorageLayout.dedupIdKey(topicId, dedupId);
                byte[] v = store.getMeta(idKey);
                if (v != null && StorageLayout.dedupIdMessage(v) == StorageLayout.dedupTimeKeyMessage(key)) {
                    batch.delete(store.meta(), idKey);
                }
                batch.delete(store.meta(), key);
                n++;
            }
            range.check();
            if (n > 0) {
                store.write(batch);
            }
        } catch (RocksDBException e) {
            throw RocksStore.storage("cannot build the batch that purges deduplication ids", e);
        }
        return n;
    }

    /** Adds the deletion of all of a topic's message records to a batch that destroys the topic. */
    static void deleteTopic(WriteBatch batch, RocksStore store, long topicId) throws RocksDBException {
        batch.deleteRange(store.meta(), StorageLayout.messagePrefix(topicId), StorageLayout.messagePrefix(topicId + 1));
    }
}
