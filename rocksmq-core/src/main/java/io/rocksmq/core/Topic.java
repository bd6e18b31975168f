package io.rocksmq.core;

import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One incarnation of a topic: its identity, its id counter, its consumer groups and its wake-up signal.
 *
 * <h2>States and who changes them</h2>
 * {@link Lifecycle}: ACTIVE -> CLOSING ("destroying") -> CLOSED. Moved only by
 * {@code TopicRegistry.destroyTopic} (under the registry's lock); closing the queue leaves it as it is
 * (the queue's own lifecycle refuses every call by then). Every operation on the topic or one of its
 * groups enters the topic's lifecycle first, so destruction waits for them all before it deletes
 * anything.
 *
 * <h2>Locks</h2>
 * <ul>
 *   <li>{@link #produceLock} guards {@link #nextId} and {@link #lastPublishTime}; it is
 *       held from id allocation to the end of the write, so ids become visible in order and a consumer
 *       can never skip an id that a slower concurrent producer has not committed yet. Topics never
 *       share it: produce to one topic never waits for another. Its holder writes every produce
 *       queued in {@link #combiner} (write combining, see {@link WriteCombiner}).</li>
 *   <li>{@link #adminLock} serialises group creation/destruction, registration changes, retention
 *       policy changes and retention's cut (rare); the produce, consume and notify paths never take it.
 *       Other classes take it through {@link #underAdminLock}. It guards changes to {@link #groups};
 *       reads of the map need no lock (a group found there may be closing: enter its lifecycle).</li>
 *   <li>The deduplication ids ({@link Deduplication}) change only under {@link #produceLock}: checked
 *       around the write that stores the messages (and logs them), purged under it.</li>
 *   <li>{@link #latestId} is volatile: written under {@link #produceLock} after the commit, read
 *       anywhere.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
final class Topic {
    private static final Logger LOG = LoggerFactory.getLogger(Topic.class);
    /** How far ahead of the clock a publish time may be: absorbs small steps back of the clock. */
    static final long MAX_PUBLISH_LEAD_MILLIS = 60_000;

    private final String name;
    private final long id;
    private final long startId;
    private final byte[] counterKey;
    private final Lifecycle lifecycle = new Lifecycle();
    private final ReentrantLock produceLock = new ReentrantLock();
    private final ReentrantLock adminLock = new ReentrantLock();
    /** Changed under {@link #adminLock} (or before the topic is published), read anywhere. */
    private final ConcurrentHashMap<String, ConsumerGroup> groups = new ConcurrentHashMap<>();
    private final TopicSignal signal = new TopicSignal();
    /** Space accounting for retention; produce updates it under {@link #produceLock}. */
    private final TopicSpace space;
    private final RecentReads recentReads;
    private final Deduplication dedup;

    /** Next id to allocate; under {@link #produceLock}. */
    private long nextId;
    /** Publish time of the last batch; publish times never go backwards within a topic. Under {@link #produceLock}. */
    private long lastPublishTime;
    /** The topic's default time-to-live, ms (0: none); set under {@link #adminLock}, read anywhere. */
    private volatile long defaultTtlMillis;
    /** Id of the newest committed message, -1 if none was ever produced in this incarnation. */
    private volatile long latestId;

    /** {@code producedBytes}: stored bytes ever produced, or {@link StorageLayout#UNKNOWN_BYTES}. */
    Topic(String name, long id, long startId, long nextId, long lastPublishTime, long producedBytes,
          RecentReads.Budget readBudget) {
        this(name, id, startId, nextId, lastPublishTime, producedBytes, readBudget,
                new Deduplication(id, MessageSettings.DEFAULT_DEDUPLICATION_WINDOW.toMillis()));
    }

    /** With its deduplication (a test may give a variant). */
    Topic(String name, long id, long startId, long nextId, long lastPublishTime, long producedBytes,
          RecentReads.Budget readBudget, Deduplication dedup) {
        this.dedup = dedup;
        this.name = name;
        this.id = id;
        this.startId = startId;
        this.counterKey = StorageLayout.topicCounterKey(id);
        this.nextId = nextId;
        this.lastPublishTime = lastPublishTime;
        this.latestId = nextId > startId ? nextId - 1 : -1;
        this.space = new TopicSpace(startId, nextId, lastPublishTime, producedBytes);
        this.recentReads = new RecentReads(readBudget);
    }

    String name() {
        return name;
    }

    long id() {
        return id;
    }

    long startId() {
        return startId;
    }

    Lifecycle lifecycle() {
        return lifecycle;
    }

    /** Runs {@code action} holding {@link #adminLock}. */
    <R> R underAdminLock(Supplier<R> action) {
        adminLock.lock();
        try {
            return action.get();
        } finally {
            adminLock.unlock();
        }
    }

    /** The group of that name in the map (possibly closing), or null. */
    ConsumerGroup group(String name) {
        return groups.get(name);
    }

    /** A live view of the groups (possibly closing ones among them). */
    Collection<ConsumerGroup> groups() {
        return groups.values();
    }

    /** Under {@link #adminLock}, or before the topic is published. */
    void addGroup(ConsumerGroup g) {
        groups.put(g.name(), g);
    }

    /** Under {@link #adminLock}: removes exactly this incarnation of the group. */
    void removeGroup(ConsumerGroup g) {
        groups.remove(g.name(), g);
    }

    /** Under {@link #adminLock}, once the topic left the registry. */
    void clearGroups() {
        groups.clear();
    }

    TopicSignal signal() {
        return signal;
    }

    RecentReads recentReads() {
        return recentReads;
    }

    TopicSpace space() {
        return space;
    }

    long latestId() {
        return latestId;
    }

    /** The id the next produced message will get (the position "after everything committed"). */
    long nextIdAfterCommitted() {
        long latest = latestId;
        return latest < 0 ? startId : latest + 1;
    }

    /**
     * Where a seek to {@code id} puts a group: within {@code [startId, end]}, the range recovery accepts,
     * so a position never needs repairing. Past the end means "after everything so far" (as Kafka clamps
     * an offset reset); below this topic's first id means its first id. The end is the stored end, not
     * only the committed one: a reader may already see the messages of a write whose produce has not
     * returned yet (a read-then-seek consumer seeks just past them), so when {@code id} is past the
     * committed end, {@code storedEnd} (one past the last stored id) is asked.
     */
    long clampPosition(long id, LongSupplier storedEnd) {
        long end = nextIdAfterCommitted();
        if (id > end) {
            end = Math.max(end, storedEnd.getAsLong());
        }
        return Math.max(startId, Math.min(id, end));
    }

    /** One produce's encoded chunks, queued in {@link #combiner} for whoever holds {@link #produceLock}. */
    static final class Append extends WriteCombiner.Request {
        byte[][] chunks;
        int[] chunkFirst;
        final int count;
        final long now;
        /**
         * The messages (re-encoded under the lock if some are duplicates; null for a payload block, which
         * has no deduplication ids); their deduplication ids or null.
         */
        final List<ProducerMessage> messages;
        final String[] dedupIds;
        /**
         * Ids given as (prefix, sequence) instead of strings ({@link RocksMq#produceWithSequenceIds}):
         * message {@code i} with {@code seqs[i] >= 0} (and a null {@code dedupIds[i]}) has the id
         * {@code seqPrefix:seqs[i]}; both null when none is (then {@code dedupIds} says everything).
         */
        final String seqPrefix;
        final long[] seqs;
        final int maxChunkBytes;
        /** Metadata (key, value) puts and (key, null) deletes written in the same batch (a dead letter's). */
        List<byte[][]> alsoWrite = List.of();
        /** Encoded bytes of all its chunks. */
        private final long bytes;
        // Set before the lock by the deduplication hook (null unless a test variant sets it).
        long[] prechecked;
        // Set by the group writer before the request is done; read by the owner after.
        long[] ids;
        /** Under the lock, for a produce with deduplication ids: which messages get new ids. */
        boolean[] stored;
        long ticket;

        Append(List<ProducerMessage> messages, String[] dedupIds, int maxChunkBytes, long now) {
            this(messages, dedupIds, null, null, maxChunkBytes, now);
        }

        /** With ids given as (prefix, sequence) too: {@code dedupIds} is then not null (its entries are, for those). */
        Append(List<ProducerMessage> messages, String[] dedupIds, String seqPrefix, long[] seqs, int maxChunkBytes,
               long now) {
            this.messages = messages;
            this.dedupIds = dedupIds;
            this.seqPrefix = seqPrefix;
            this.seqs = seqs;
            this.maxChunkBytes = maxChunkBytes;
            this.count = messages.size();
            this.now = now;
            encode(messages);
            long b = 0;
            for (byte[] c : chunks) {
                b += c.length;
            }
            this.bytes = b;
        }

        /**
         * The produce of a payload block ({@link RocksMq#producePayloads}): encoded straight from the
         * block (outside any lock); no deduplication ids, so the messages (a view built for a listener
         * only) are never re-encoded.
         */
        Append(PayloadBlock block, int maxChunkBytes, long now) {
            this.messages = null;
            this.dedupIds = null;
            this.seqPrefix = null;
            this.seqs = null;
            this.maxChunkBytes = maxChunkBytes;
            this.count = block.count();
            this.now = now;
            List<int[]> ranges = BatchFormat.chunks(block, maxChunkBytes);
            chunks = new byte[ranges.size()][];
            chunkFirst = new int[ranges.size()];
            int at = 0;
            long b = 0;
            for (int c = 0; c < chunks.length; c++) {
                int[] r = ranges.get(c);
                chunks[c] = BatchFormat.encodePayloads(block, r[0], r[1], at);
                chunkFirst[c] = r[0];
                for (int i = r[0]; i < r[1]; i++) {
                    at += block.size(i);
                }
                b += chunks[c].length;
            }
            this.bytes = b;
        }

        /** Encodes the messages into chunks of at most {@link #maxChunkBytes} (outside any lock). */
        private void encode(List<ProducerMessage> list) {
            List<int[]> ranges = list.isEmpty() ? List.of() : BatchFormat.chunks(list, maxChunkBytes);
            chunks = new byte[ranges.size()][];
            chunkFirst = new int[ranges.size()];
            for (int c = 0; c < chunks.length; c++) {
                int[] r = ranges.get(c);
                chunks[c] = BatchFormat.encodeBatch(list, r[0], r[1], now);
                chunkFirst[c] = r[0];
            }
        }

        /** Under the lock, when some messages were duplicates: encodes only those that get new ids. */
        private void keepOnly() {
            List<ProducerMessage> kept = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (stored[i]) {
                    kept.add(messages.get(i));
                }
            }
            encode(kept);
        }

        @Override
        long bytes() {
            return bytes;
        }
    }

    /** The most a combined write takes beyond its first produce. */
    static final long MAX_COMBINED_BYTES = 4L << 20;
    private final WriteCombiner<Append> combiner = new WriteCombiner<>(produceLock, MAX_COMBINED_BYTES);

    /**
     * Allocates ids, stamps the publish time, and writes the pre-encoded chunks plus the new id counter
     * as one atomic batch. Ids and counter change only if the write succeeded. Concurrent produces are
     * written several at a time, in one RocksDB write, each keeping consecutive ids for the messages it
     * stores ({@link WriteCombiner}). Messages with a deduplication id already stored get the original's
     * id and are not stored again ({@link Deduplication}).
     *
     * @return the sync ticket of the write ({@link RocksStore#awaitDurable}); the ids are in {@code mine.ids}
     */
    long append(RocksStore store, Append mine) {
        if (mine.dedupIds != null) {
            mine.prechecked = dedup.beforeLock(store, mine.dedupIds, mine.now);
        }
        combiner.submit(mine, group -> write(store, group));
        return mine.ticket;
    }

    /** Under {@link #produceLock}: writes the produces of one group as one batch, in order. */
    private void write(RocksStore store, List<Append> group) {
        long clock = Long.MIN_VALUE;
        long bytes = 0;
        for (Append a : group) {
            clock = Math.max(clock, a.now);
            bytes += a.bytes();
        }
        long time = publishTime(lastPublishTime, clock);
        long next = nextId;
        long produced = space.producedBytes();
        boolean closesSegment;
        long ticket;
        long duplicates = 0;
        boolean withIds = false; // some produce of the write carries deduplication ids
        for (Append a : group) {
            if (a.dedupIds != null) {
                dedup.prepare(store, time);
                withIds = true;
                break;
            }
        }
        // A fresh batch per write, sized up front: a batch kept per topic would pin native memory
        // as large as the topic's largest produce, times the number of topics.
        try (WriteBatch batch = new WriteBatch(reservedBytes(group))) {
            for (Append a : group) {
                a.ids = new long[a.count];
                int kept = a.count;
                if (a.dedupIds == null) {
                    for (int i = 0; i < a.count; i++) {
                        a.ids[i] = next + i;
                    }
                } else {
                    a.stored = new boolean[a.count];
                    kept = dedup.resolve(store, a, time, next);
                    if (kept < a.count) {
                        a.keepOnly();
                        duplicates += a.count - kept;
                    }
                }
                for (int c = 0; c < a.chunks.length; c++) {
                    BatchFormat.patchPublishTime(a.chunks[c], time);
                    batch.put(store.messages(), StorageLayout.messageKey(id, next + a.chunkFirst[c]), a.chunks[c]);
                    produced += StorageLayout.entryBytes(a.chunks[c].length);
                }
                next += kept;
                SharedLayout.stageMeta(batch, store, a.alsoWrite);
            }
            if (withIds) {
                dedup.index(batch, store, time);
            }
            if (duplicates > 0) {
                dedup.stageCount(batch, store, duplicates);
            }
            batch.put(store.meta(), counterKey, StorageLayout.topicCounterValue(next, time, produced));
            closesSegment = space.stageSegment(batch, store.meta(), id, next, produced, time);
            ticket = store.writeGuarded(batch, bytes);
        } catch (org.rocksdb.RocksDBException e) {
            throw RocksStore.storage("cannot build write batch", e);
        }
        nextId = next;
        lastPublishTime = time;
        latestId = next - 1;
        space.appended(next, produced, time, closesSegment);
        if (withIds) {
            dedup.commit(time, duplicates);
        }
        for (Append a : group) {
            a.ticket = ticket;
        }
    }

    /**
     * Forgets the deduplication ids whose window passed and deletes their records, under
     * {@link #produceLock} (the ids change only under it, see {@link Deduplication}).
     *
     * @return whether records were deleted
     */
    boolean purgeDeduplication(RocksStore store, long now) {
        produceLock.lock();
        try {
            return dedup.purge(store, now);
        } finally {
            produceLock.unlock();
        }
    }

    Deduplication deduplication() {
        return dedup;
    }

    long defaultTtlMillis() {
        return defaultTtlMillis;
    }

    /** Under {@link #adminLock} (or before the topic is published), after the settings record was written. */
    void defaultTtlMillis(long millis) {
        defaultTtlMillis = millis;
    }

    /**
     * The publish time of a write made when the clock read {@code clock}: never before the previous
     * one (so time search and time retention can rely on order), but never more than
     * {@link #MAX_PUBLISH_LEAD_MILLIS} ahead of the clock either. Without that bound one produce under a
     * clock set years ahead would stamp every later message of the topic, even after restart, with
     * that future time; with it, times step back once (logged at WARN) when the clock comes back.
     */
    long publishTime(long previous, long clock) {
        if (previous > clock + MAX_PUBLISH_LEAD_MILLIS) {
            LOG.warn("topic '{}': the clock ({}) is {} ms behind the last publish time ({}): it was ahead, or was"
                            + " set back; publish times step back to {} (at most {} ms ahead of the clock)", name,
                    Instant.ofEpochMilli(clock), previous - clock, Instant.ofEpochMilli(previous),
                    Instant.ofEpochMilli(clock + MAX_PUBLISH_LEAD_MILLIS), MAX_PUBLISH_LEAD_MILLIS);
            return clock + MAX_PUBLISH_LEAD_MILLIS;
        }
        return Math.max(previous, clock);
    }

    /** Unregisters a registration closed by its consumer. */
    void unregister(ConsumerRegistration r) {
        adminLock.lock();
        try {
            signal.remove(r);
            r.consumerGroup().removeRegistration(r);
        } finally {
            adminLock.unlock();
        }
    }

    /** WriteBatch header, per-entry tags and varint lengths, keys and values. */
    private static int reservedBytes(List<Append> group) {
        long bytes = 12 + 64;
        for (Append a : group) {
            for (byte[] c : a.chunks) {
                bytes += 32 + c.length;
            }
            if (a.dedupIds != null) {
                bytes += 16L * a.count; // the write's dedup log record (prefix-compressed ids)
            }
        }
        return (int) Math.min(bytes, Integer.MAX_VALUE);
    }
}
