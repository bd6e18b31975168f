package io.rocksmq.core;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;

/**
 * Producer deduplication of one topic: a produce of a message whose deduplication id was stored within
 * the topic's window stores nothing for that message and answers the id of the original.
 *
 * <h2>Where the ids are</h2>
 * On disk, one log record per write that stored messages with ids ({@link StorageLayout}, {@code 0x18 ..
 * 0x02}: keyed by publish time, holding the write's (message id, deduplication id) pairs, prefix-compressed
 * by {@link DedupLogRecord}), put in the
 * very {@code WriteBatch} that stores the messages: one more entry per write, not one per message (the
 * queue's cost is per entry; per-message records made a produce with ids ten times slower). In memory,
 * ids of the sequence form ({@code <prefix>:<canonical decimal>}, the client producer's automatic ids) as
 * runs of consecutive sequences per prefix ({@link DedupRuns}: no hash, no copy of the id, one entry
 * per write and prefix; the form is a property of the string, so an id always takes the same path), and
 * the other ids as hashes ({@link DedupIdWindow}: hash, message id and time in primitive arrays,
 * about 40 bytes per id and no object the collector must trace), loaded from the log at the first
 * produce with ids after open (open never reads the log). A hash match is confirmed by reading the id
 * back from its log record ({@link #storedIdIs}), so only a duplicate (or a 64-bit hash collision)
 * costs a read, and a collision never drops a message. Memory and disk are bounded by the window:
 * ids produced at R per second cost about {@code R x window x 40} bytes of heap (as NATS JetStream's
 * duplicate window, which holds the ids themselves).
 *
 * <h2>States and who changes them</h2>
 * <ul>
 *   <li>{@link #held}, {@link #runs}, {@link #loaded}, {@link #staged}: changed <em>only under the topic's produce
 *       lock</em>: loaded and evicted in {@link #prepare}, added by {@link #commit} after the write
 *       that stored them succeeded; {@link #staged} and the pending runs are emptied by {@link #prepare}
 *       and filled by {@link #resolve} for one write (a write that fails leaves them to the next
 *       {@link #prepare}, which drops them). A read outside the lock may answer wrongly but never fails on an
 *       index (only the broken variant in the tests reads outside it).</li>
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
 * write that stores the message. The holder sees every id committed before (they are in {@link #held}),
 * and the ids staged by earlier produces of the same combined write in {@link #staged},
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
    /** Seeds {@link #hash} per process (the hashes are never stored), so ids cannot be chosen to collide. */
    private static final long SEED = new java.security.SecureRandom().nextLong();

    private final long topicId;
    private volatile long windowMillis;
    /** Messages ever answered as duplicates (persisted with the writes that answered them). */
    private volatile long deduplicated;
    /** The ids of the window, as hashes, in the order they were stored. */
    private final DedupIdWindow held = new DedupIdWindow();
    /** The ids the current write stores, in id order, with their hashes (so that {@link #commit} need not hash again). */
    private final DedupStaging staged = new DedupStaging();
    /** The window's ids of the sequence form, as runs (held, and pending for the current write). */
    private final DedupRuns runs = new DedupRuns();
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
        return (int) (held.size() + runs.heldIds());
    }

    /** Producers whose runs are held (tests). */
    int heldProducers() {
        return runs.producers();
    }

    /** The window's runs (tests: what memory they hold). */
    DedupRuns runs() {
        return runs;
    }

    /** The ids the last write staged (tests). */
    DedupStaging staged() {
        return staged;
    }

    /** The window's hashed ids (tests). */
    DedupIdWindow hashed() {
        return held;
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
        runs.rollback();
        evict(time - window);
        staged.clear();
    }

    private void load(RocksStore store, long from) {
        try (RocksStore.Range range = store.range(store.meta(), MessageRecordLayout.dedupLogKey(topicId, Math.max(0, from), 0),
                MessageRecordLayout.dedupLogUpperBound(topicId))) {
            for (range.it.seekToFirst(); range.it.isValid(); range.it.next()) {
                long storedAt = MessageRecordLayout.dedupLogKeyTime(range.it.key());
                DedupLogRecord.decode(MessageRecordLayout.dedupLogKeyFirstId(range.it.key()), range.it.value(),
                        new Loader(storedAt));
            }
            range.check();
        }
    }

    /**
     * Puts the ids of one log record back where a live write would hold them: sequence ids in runs
     * (or, below their producer's highest, on the general path with a spill mark), others by hash.
     */
    private final class Loader implements DedupLogRecord.Pair {
        private final long storedAt;

        Loader(long storedAt) {
            this.storedAt = storedAt;
        }

        @Override
        public void accept(long messageId, byte[] id, int length) {
            String text = new String(id, 0, length, StandardCharsets.UTF_8);
            long seq = DedupRuns.sequence(text);
            if (seq >= 0) {
                String prefix = text.substring(0, text.length() - 1 - DedupRuns.digits(seq));
                if (runs.loadRun(prefix, seq, 1, messageId, storedAt)) {
                    return;
                }
                runs.loadSpill(prefix, storedAt);
            }
            held.add(hash(id, length), messageId, storedAt);
        }

        @Override
        public void run(byte[] prefix, int prefixLength, long firstSeq, int count, long firstMessageId) {
            String text = new String(prefix, 0, prefixLength, StandardCharsets.UTF_8);
            if (!runs.loadRun(text, firstSeq, count, firstMessageId, storedAt)) {
                DedupLogRecord.Pair.super.run(prefix, prefixLength, firstSeq, count, firstMessageId);
            }
        }
    }

    /** Forgets the ids stored at or before {@code cutoff}. */
    private void evict(long cutoff) {
        held.evictThrough(cutoff);
        runs.evictThrough(cutoff);
    }

    private static final java.lang.invoke.VarHandle LONG_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** A 64-bit hash of the id's UTF-8 bytes ({@link #hash(byte[], int)}). */
    static long hash(String id) {
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        return hash(utf8, utf8.length);
    }

    /**
     * A 64-bit hash of the first {@code length} bytes: seeded with the length, eight bytes at a time
     * (each word multiplied by an odd constant, which loses nothing, folded in and rotated), then
     * murmur3's final avalanche. A byte at a time (FNV over the chars) cost several times more on a
     * typical 20-byte id; its quality only decides how often a lookup must read the log to confirm.
     */
    static long hash(byte[] b, int length) {
        long h = SEED ^ (length * 0x9E3779B97F4A7C15L);
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            h = Long.rotateLeft(h ^ ((long) LONG_LE.get(b, i) * 0xff51afd7ed558ccdL), 29) * 0xc4ceb9fe1a85ec53L;
        }
        long tail = 0;
        for (int k = 0; i + k < length; k++) {
            tail |= (b[i + k] & 0xFFL) << (8 * k);
        }
        h = Long.rotateLeft(h ^ (tail * 0xff51afd7ed558ccdL), 29) * 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    /**
     * Under the produce lock, after {@link #prepare}: gives each message of one produce its id. A
     * message whose deduplication id is held within the window, or was staged by an earlier message of
     * the same combined write, gets the original's id; every other message gets the next free id, in
     * order, and is marked in {@code a.stored}. Stages the kept ids: those of the sequence form as runs
     * ({@link DedupRuns}: no hash, no copy of the id), the others (and sequence ids below their
     * producer's highest) with their hash and UTF-8 bytes in {@link #staged}.
     *
     * @param a    the produce: its deduplication ids (null entries for none); its {@code ids} are set
     * @param time the publish time of this write
     * @param next the first free id
     * @return how many messages are kept (get new ids)
     */
    int resolve(RocksStore store, Topic.Append a, long time, long next) {
        String[] dedupIds = a.dedupIds;
        long[] given = a.seqs; // ids given as (prefix, sequence): never a string, never parsed
        String seqPrefix = a.seqPrefix;
        DedupRuns.Producer seqProducer = null; // the producer of seqPrefix, looked up once per produce
        long[] out = a.ids;
        boolean[] stored = a.stored;
        long window = windowMillis;
        long cutoff = time - window;
        boolean check = dedupIds != null && window > 0;
        long[] seqs = null;
        long[] hashes = null;
        byte[][] utf8s = null;
        if (check) {
            seqs = new long[out.length];
            for (int i = 0; i < out.length; i++) {
                String d = dedupIds[i];
                if (d == null) {
                    seqs[i] = given == null ? -1 : given[i];
                    continue;
                }
                seqs[i] = DedupRuns.sequence(d);
                if (seqs[i] < 0) { // another id: hashed up front so the window's loads overlap
                    if (hashes == null) {
                        hashes = new long[out.length];
                        utf8s = new byte[out.length][];
                    }
                    utf8s[i] = d.getBytes(StandardCharsets.UTF_8); // an ASCII id: one vectorised copy
                    hashes[i] = hash(utf8s[i], utf8s[i].length);
                }
            }
            if (hashes != null) {
                held.prefetch(hashes, hashes.length);
            }
        }
        int kept = 0;
        for (int i = 0; i < out.length; i++) {
            String d = check ? dedupIds[i] : null;
            // the id is (seqPrefix, seqs[i]) as given, not a string
            boolean fromSeq = check && d == null && given != null && given[i] >= 0;
            long original = -1;
            long seq = -1;
            DedupRuns.Producer p = null;
            byte[] utf8 = null;
            long hash = 0;
            if (d != null || fromSeq) {
                seq = seqs[i];
                boolean general = seq < 0;
                if (general) {
                    utf8 = utf8s[i];
                    hash = hashes[i];
                }
                if (!general) {
                    if (fromSeq) {
                        if (seqProducer == null) {
                            seqProducer = runs.producerOf(seqPrefix, false);
                        }
                        p = seqProducer;
                    } else {
                        p = runs.producer(d, seq, false);
                    }
                    if (p != null) {
                        original = p.find(seq, cutoff);
                        general = original < 0 && p.spilledUntil > cutoff;
                    }
                }
                if (general) {
                    if (d == null) { // given as (prefix, sequence): the string only for the general path
                        d = DedupRuns.id(seqPrefix, seq);
                    }
                    if (utf8 == null) { // a sequence id whose producer spilled ids to the general path
                        utf8 = d.getBytes(StandardCharsets.UTF_8);
                        hash = hash(utf8, utf8.length);
                    }
                    original = staged.find(hash, d);
                    if (original < 0) {
                        original = original(store, utf8, hash, time, window);
                    }
                }
            }
            if (original >= 0) {
                out[i] = original;
                continue;
            }
            stored[i] = true;
            long messageId = next + kept++;
            out[i] = messageId;
            if (d == null && !fromSeq) {
                continue;
            }
            if (seq >= 0) {
                if (p == null) {
                    if (fromSeq) {
                        seqProducer = runs.producerOf(seqPrefix, true);
                        p = seqProducer;
                    } else {
                        p = runs.producer(d, seq, true);
                    }
                }
                if (seq >= p.end()) {
                    runs.stage(p, seq, messageId, time);
                    continue;
                }
                runs.spill(p, time);
                if (d == null) {
                    d = DedupRuns.id(seqPrefix, seq);
                }
                if (utf8 == null) {
                    utf8 = d.getBytes(StandardCharsets.UTF_8);
                    hash = hash(utf8, utf8.length);
                }
            }
            staged.add(d, utf8, hash, messageId);
        }
        return kept;
    }

    /**
     * The message id a deduplication id names among the ids held (not those staged by the current
     * write), or -1: both paths, as {@link #resolve} looks. The broken variant in the tests calls it
     * outside the lock.
     */
    long heldOriginal(RocksStore store, String dedupId, long time) {
        long window = windowMillis;
        long seq = DedupRuns.sequence(dedupId);
        if (seq >= 0) {
            DedupRuns.Producer p = runs.producer(dedupId, seq, false);
            if (p == null) {
                return -1;
            }
            long original = p.find(seq, time - window);
            if (original >= 0 || p.spilledUntil <= time - window) {
                return original;
            }
        }
        byte[] utf8 = dedupId.getBytes(StandardCharsets.UTF_8);
        return original(store, utf8, hash(utf8, utf8.length), time, window);
    }

    /** The id a deduplication id names among the window's stored ids, or -1 (never stored, or its window passed). */
    long original(RocksStore store, byte[] dedupId, long hash, long time, long window) {
        return held.find(hash, time - window,
                (messageId, storedAt) -> storedIdIs(store, storedAt, messageId, dedupId));
    }

    /**
     * Whether the log record of the write at {@code storedAt} that stored {@code messageId} gives it
     * this deduplication id: the confirmation of a hash match. The record is the one at that time with
     * the greatest first message id not above {@code messageId} (writes at one time have ascending,
     * disjoint ids).
     */
    private boolean storedIdIs(RocksStore store, long storedAt, long messageId, byte[] dedupId) {
        boolean[] found = new boolean[2]; // [record holds messageId, with this id]
        try (RocksStore.Range range = store.range(store.meta(), MessageRecordLayout.dedupLogKey(topicId, storedAt, 0),
                MessageRecordLayout.dedupLogKey(topicId, storedAt + 1, 0))) {
            range.it.seekForPrev(MessageRecordLayout.dedupLogKey(topicId, storedAt, messageId));
            range.check();
            if (range.it.isValid()) {
                DedupLogRecord.decode(MessageRecordLayout.dedupLogKeyFirstId(range.it.key()), range.it.value(), (m, id, length) -> {
                    if (m == messageId) {
                        found[0] = true;
                        found[1] = java.util.Arrays.equals(id, 0, length, dedupId, 0, dedupId.length);
                    }
                });
            }
        }
        if (!found[0]) {
            throw StorageLayout.corrupt("the deduplication log has no record of message " + messageId
                    + " stored at " + storedAt, null);
        }
        return found[1];
    }

    /** Under the produce lock, after {@link #resolve}: adds the log record of the write's staged ids to its batch. */
    void index(WriteBatch batch, RocksStore store, long time) throws RocksDBException {
        if ((staged.count() == 0 && runs.writeRuns() == 0) || windowMillis <= 0) {
            return;
        }
        long first = Long.MAX_VALUE;
        if (staged.count() > 0) {
            first = staged.messageId(0);
        }
        if (runs.writeRuns() > 0) {
            first = Math.min(first, runs.writeRunOwner(0).messageId(runs.writeRunAt(0)));
        }
        batch.put(store.meta(), MessageRecordLayout.dedupLogKey(topicId, time, first),
                DedupLogRecord.encode(runs, staged, first));
    }

    /** Under the produce lock, after the write that {@link #resolve} staged for succeeded: remembers its ids and counts its duplicates. */
    void commit(long time, long duplicates) {
        if (windowMillis > 0) {
            int n = staged.count();
            long[] hashes = staged.hashes();
            held.prefetch(hashes, n);
            for (int e = 0; e < n; e++) {
                held.add(hashes[e], staged.messageId(e), time);
            }
            runs.commit();
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
        runs.rollback(); // what a failed write left pending (the next write's prepare would drop it too)
        runs.trimWriteArrays();
        staged.release(); // the last write's ids, already held or dropped
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
