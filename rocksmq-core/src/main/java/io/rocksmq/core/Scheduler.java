package io.rocksmq.core;

import io.rocksmq.api.ScheduleNotFoundException;
import io.rocksmq.api.StorageException;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Scheduled delivery: messages stored at once ({@link #schedule}) that appear on their topic at their due
 * time, getting their message id then.
 *
 * <h2>Where the schedule lives</h2>
 * In RocksDB only ({@link ScheduleLayout}): one entry per schedule call and due time (holding its
 * messages: RocksDB's cost is per entry) in a due-time index, plus one in a per-topic index, written and
 * deleted together; a cancel rewrites its entry without the message. The heap holds no entry per message: the waiter reads
 * the front of the due index when it wakes, open reads none of it, so ten million scheduled messages cost
 * what a hundred do, in heap and at open.
 *
 * <h2>The waiter</h2>
 * ONE thread per queue ({@code rocksmq-scheduler}), parked on {@link #changed} until the earliest due time
 * it knows of ({@link #nextDue}). When it wakes it moves every entry that is due, oldest first, at most
 * {@link #MAX_MOVE} per round, then reads the next due time and parks again. A {@link #schedule} whose due
 * time is before {@link #nextDue} signals it (after its write), so it wakes early; no polling, no timer per
 * message. Its park is at most {@link #MAX_PARK_MILLIS} so a step of the wall clock is noticed within a
 * minute (due times are wall-clock times, the park measures elapsed time).
 *
 * <h2>The move</h2>
 * A due message goes to its topic through {@link Topic#append} with the deletion of its two schedule
 * entries riding in the same {@code WriteBatch} ({@code Append.alsoWrite}), so it is stored with its id
 * and removed from the schedule atomically: never lost, never doubled, whatever the crash. Due messages of
 * one topic found in one round are one append (consecutive ids in due-time order). A message whose topic
 * is gone (destroyed, or re-created under a new internal id) is deleted instead.
 *
 * <h2>States and locks</h2>
 * {@link #lock} (taken with none of the package's levels 1-3 held; the move takes a topic's produce lock
 * inside it, and no holder of a produce lock takes it) guards {@link #stopped} and the writes of
 * {@link #nextDue}, and makes <em>removal</em> of a schedule entry exclusive: the waiter's read-then-move
 * (one round) and a {@link #cancel}'s check-then-delete both run holding it, so for each entry exactly one
 * of "delivered" and "cancelled" happens ({@code ScheduleRaceTest} shows the unlocked cancel of
 * {@code ScheduleVariants} failing that). The waiter releases it between rounds. Inserts write outside the
 * lock (a new entry cannot be removed before its handle is returned), then lower {@link #floor} (the
 * earliest due written since the waiter's round began), then read the volatile {@link #nextDue} and take
 * the lock only if their entry is earlier. The waiter announces its park by writing {@link #nextDue}, then
 * reads {@link #floor} again and does another round if an earlier entry came (Dekker: either it sees the
 * insert's floor, or the insert sees its {@link #nextDue} and signals it, under the lock it holds until it
 * parks). A round reads the index from the first entry it left (or {@link #floor}, if lower), never over
 * the deletions of the entries moved before (they stay in the files until compaction). Destroying a topic
 * deletes its entries in the destroy's batch ({@link #deleteTopic}) without this lock: the topic is closed
 * by then, so the waiter cannot enter it and deletes such entries itself.
 *
 * <p>Thread-safe.
 */
final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** Most messages moved per round, but at least one entry (bounds one round's memory and its lock hold). */
    static final int MAX_MOVE = 1_000;
    /** Longest park: bounds how late a message gets after the wall clock is stepped forward. */
    static final long MAX_PARK_MILLIS = 60_000;
    /** Park after a failed round (disk full, say) before trying again. */
    static final long RETRY_MILLIS = 1_000;

    /** How a cancel removes an entry: {@link #LOCKED} here; a broken variant in test sources. */
    interface Cancel {
        void cancel(Scheduler scheduler, Topic topic, ScheduleHandle handle);
    }

    /** The correct cancel: the check and the delete under {@link #lock}, exclusive with the waiter's move. */
    static final Cancel LOCKED = (s, t, h) -> {
        s.lock.lock();
        try {
            s.cancelEntry(t, h);
        } finally {
            s.lock.unlock();
        }
    };

    private final RocksMqConfig config;
    private final RocksStore store;
    private final TopicRegistry registry;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** The earliest due time the parked waiter knows of; written under {@link #lock}, read without it. */
    private volatile long nextDue = Long.MAX_VALUE;
    /** The earliest due time written since the waiter's round began ({@code Long.MAX_VALUE}: none). */
    private final AtomicLong floor = new AtomicLong(0);
    /** Due time of the first entry the waiter left; only the waiter thread uses it (0: read from the start). */
    private long cursor;
    /** Set once by {@link #close}; under {@link #lock}. */
    private boolean stopped;
    /** High bits of every sequence of this open; 0 until {@link #start} (read-only queues never schedule). */
    private long epoch;
    private final AtomicLong counter = new AtomicLong();
    private final AtomicLong moved = new AtomicLong();
    private volatile Cancel cancel = LOCKED;
    private Thread waiter;
    /** The queue's listener, told of each move after the waiter released {@link #lock}; null until set. */
    private volatile ListenerSlot listener;
    /** The moves of the current turn, to tell the listener; only the waiter thread uses it. */
    private final List<Map.Entry<String, List<ProducerMessage>>> movedThisTurn = new ArrayList<>();

    Scheduler(RocksMqConfig config, RocksStore store, TopicRegistry registry) {
        this.config = config;
        this.store = store;
        this.registry = registry;
    }

    /** Takes this open's sequence epoch (one write) and starts the waiter, which first moves what fell due while closed. */
    void start() {
        byte[] v = store.getMeta(ScheduleLayout.epochKey());
        epoch = (v == null ? 0 : ScheduleLayout.decodeLong(v, "schedule epoch")) + 1;
        store.putMeta(ScheduleLayout.epochKey(), ScheduleLayout.longValue(epoch));
        waiter = new Thread(this::run, "rocksmq-scheduler");
        waiter.setDaemon(true);
        waiter.start();
    }

    /**
     * Stores the messages (validated, each with a delivery time) in the schedule as one atomic write: one
     * due entry per distinct due time. The caller entered the topic.
     */
    List<ScheduleHandle> schedule(Topic t, List<ProducerMessage> messages, Durability durability) {
        if (waiter == null) {
            throw new IllegalStateException("scheduler not started");
        }
        long now = config.clock().millis();
        long base = nextSequences(messages.size());
        List<ScheduleHandle> handles = new ArrayList<>(messages.size());
        Map<Long, List<ScheduleLayout.Item>> byDue = new LinkedHashMap<>();
        Map<Long, Long> firstOfDue = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            long due = Math.max(0, messages.get(i).dueAt(now));
            long sequence = base + i;
            long first = firstOfDue.computeIfAbsent(due, d -> sequence);
            byDue.computeIfAbsent(due, d -> new ArrayList<>())
                    .add(new ScheduleLayout.Item((int) (sequence - first), messages.get(i).delivered()));
            handles.add(new ScheduleHandle(t.name(), due, sequence));
        }
        long earliest = Long.MAX_VALUE;
        long ticket;
        boolean durable = durability == Durability.FSYNC;
        try (WriteBatch batch = new WriteBatch()) {
            long bytes = 0;
            for (Map.Entry<Long, List<ScheduleLayout.Item>> e : byDue.entrySet()) {
                long due = e.getKey();
                long first = firstOfDue.get(due);
                byte[] value = ScheduleLayout.entryValue(t.id(), t.name(), e.getValue());
                batch.put(store.meta(), ScheduleLayout.dueKey(due, first), value);
                batch.put(store.meta(), ScheduleLayout.topicKey(t.id(), first),
                        ScheduleLayout.indexValue(due, e.getValue().size()));
                bytes += value.length;
                earliest = Math.min(earliest, due);
            }
            if (durable) {
                store.beginDurableWrite();
            }
            try {
                ticket = store.writeGuarded(batch, bytes);
            } finally {
                if (durable) {
                    store.endDurableWrite();
                }
            }
        } catch (RocksDBException e) {
            throw RocksStore.storage("cannot build the schedule batch", e);
        }
        floor.accumulateAndGet(earliest, Math::min); // after the write: a round that reads it finds the entries
        if (earliest < nextDue) { // usually false (later than what the waiter waits for): no lock
            lock.lock();
            try {
                if (earliest < nextDue) {
                    nextDue = earliest;
                }
                changed.signal();
            } finally {
                lock.unlock();
            }
        }
        if (durable) {
            store.awaitDurable(ticket);
        }
        return handles;
    }

    /** The first of {@code n} consecutive sequences, unique in the queue. */
    private long nextSequences(int n) {
        long first = counter.getAndAdd(n);
        if (first + n >= 1L << ScheduleLayout.SEQUENCE_BITS) {
            throw new StorageException("schedule sequence exhausted", "reopen the queue", null);
        }
        return epoch << ScheduleLayout.SEQUENCE_BITS | first;
    }

    /**
     * Cancels a waiting message of topic {@code t}.
     *
     * @throws ScheduleNotFoundException if it is not waiting (delivered, cancelled, dropped, never existed)
     */
    void cancel(Topic t, ScheduleHandle handle) {
        cancel.cancel(this, t, handle);
    }

    /** The check-then-delete of one message; {@link #LOCKED} runs it under {@link #lock}. */
    void cancelEntry(Topic t, ScheduleHandle h) {
        long due = h.dueAtMillis();
        byte[] key = null;
        byte[] value = null;
        // The entry holding it: the last one due then whose first sequence is not after it.
        try (RocksStore.Range r = store.range(store.meta(), ScheduleLayout.dueKey(due, 0),
                ScheduleLayout.dueKey(due, h.sequence() + 1))) {
            r.it.seekToLast();
            if (r.it.isValid()) {
                key = r.it.key();
                value = r.it.value();
            }
            r.check();
        }
        if (key == null || ScheduleLayout.valueTopicId(value) != t.id()) {
            throw new ScheduleNotFoundException(t.name(), h.token());
        }
        long first = ScheduleLayout.dueKeySequence(key);
        ScheduleLayout.Stored stored = ScheduleLayout.decode(value);
        List<ScheduleLayout.Item> kept = new ArrayList<>(stored.items());
        if (!kept.removeIf(item -> first + item.offset() == h.sequence())) {
            throw new ScheduleNotFoundException(t.name(), h.token());
        }
        try (WriteBatch batch = new WriteBatch()) {
            if (kept.isEmpty()) {
                batch.delete(store.meta(), key);
                batch.delete(store.meta(), ScheduleLayout.topicKey(t.id(), first));
            } else {
                batch.put(store.meta(), key, ScheduleLayout.entryValue(t.id(), t.name(), kept));
                batch.put(store.meta(), ScheduleLayout.topicKey(t.id(), first), ScheduleLayout.indexValue(due, kept.size()));
            }
            store.write(batch);
        } catch (RocksDBException e) {
            throw RocksStore.storage("cannot cancel a scheduled message", e);
        }
    }
    /** Wakes the waiter to look at the schedule now (tests that move a {@code MutableClock}). */
    void wake() {
        lock.lock();
        try {
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Installs a cancel variant (tests of the race). */
    void cancelVariant(Cancel variant) {
        this.cancel = variant;
    }

    /** Messages moved from the schedule to their topics since open. */
    long moved() {
        return moved.get();
    }

    /** The topic's waiting messages in due-time order, at most {@code max}. */
    List<ScheduledMessage> list(Topic t, int max) {
        List<long[]> entries = index(t.id());
        entries.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        List<ScheduledMessage> out = new ArrayList<>();
        for (long[] e : entries) {
            if (out.size() >= max) {
                break;
            }
            byte[] value = store.getMeta(ScheduleLayout.dueKey(e[0], e[1]));
            if (value == null) {
                continue; // delivered or cancelled since the index was read
            }
            for (ScheduleLayout.Item item : ScheduleLayout.decode(value).items()) {
                if (out.size() < max) {
                    out.add(new ScheduledMessage(new ScheduleHandle(t.name(), e[0], e[1] + item.offset()), item.message()));
                }
            }
        }
        return out;
    }

    /** How many messages of the topic wait (one scan of its index). */
    long count(Topic t) {
        long n = 0;
        for (long[] e : index(t.id())) {
            n += e[2];
        }
        return n;
    }

    /** The topic's index: {due, first sequence, count} per due entry. */
    private List<long[]> index(long topicId) {
        List<long[]> out = new ArrayList<>();
        try (RocksStore.Range r = store.range(store.meta(), ScheduleLayout.topicStart(topicId),
                ScheduleLayout.topicStart(topicId + 1))) {
            for (r.it.seekToFirst(); r.it.isValid(); r.it.next()) {
                byte[] v = r.it.value();
                out.add(new long[] {ScheduleLayout.indexDue(v), StorageLayout.getLong(r.it.key(), 10),
                        ScheduleLayout.indexCount(v)});
            }
            r.check();
        }
        return out;
    }

    /** Adds the deletion of every schedule entry of the topic to a destroy's batch. */
    static void deleteTopic(WriteBatch batch, RocksStore store, long topicId) throws RocksDBException {
        byte[] start = ScheduleLayout.topicStart(topicId);
        byte[] end = ScheduleLayout.topicStart(topicId + 1);
        boolean any = false;
        try (RocksStore.Range r = store.range(store.meta(), start, end)) {
            for (r.it.seekToFirst(); r.it.isValid(); r.it.next()) {
                long due = ScheduleLayout.indexDue(r.it.value());
                batch.delete(store.meta(), ScheduleLayout.dueKey(due, StorageLayout.getLong(r.it.key(), 10)));
                any = true;
            }
            r.check();
        }
        if (any) {
            batch.deleteRange(store.meta(), start, end);
        }
    }

    // ------------------------------------------------------------------ the waiter

    /**
     * Tells {@code slot}'s listener of every move from now on, as a produce ({@link QueueListener#onProduce},
     * on the waiter thread, with no lock held: after the turn's lock is released). Moves made before (at
     * open, of what fell due while closed) precede any listener the application could install.
     */
    void listener(ListenerSlot slot) {
        this.listener = slot;
    }

    /** The waiter's loop: one round per turn, the lock held from the round's read to its park, released between turns. */
    private void run() {
        try {
            boolean more = true;
            while (more) {
                long start = System.nanoTime();
                more = turn();
                tellMoves(start);
            }
        } catch (InterruptedException e) {
            LOG.warn("scheduler interrupted; scheduled messages move again after the next open");
        }
    }

    /**
     * After a turn, outside {@link #lock}: tells the listener of the turn's moves. A listener that closes the
     * queue here is on the waiter thread: {@link #close} then does not wait for the waiter (itself), which
     * finds the queue stopped at its next turn and ends without touching the store again.
     */
    private void tellMoves(long startNanos) {
        ListenerSlot slot = listener;
        if (slot != null) {
            for (Map.Entry<String, List<ProducerMessage>> m : movedThisTurn) {
                slot.produced(m.getKey(), m.getValue(), startNanos);
            }
        }
        movedThisTurn.clear();
    }

    /** One round and, if nothing more is due, the park; false once stopped. */
    private boolean turn() throws InterruptedException {
        lock.lock();
        try {
            if (stopped) {
                return false;
            }
            long now = config.clock().millis();
            long from = Math.min(cursor, floor.getAndSet(Long.MAX_VALUE));
            long earliest;
            try {
                earliest = moveDue(now, from);
                cursor = earliest;
            } catch (RuntimeException e) {
                LOG.warn("could not move due scheduled messages; retrying in {} ms", RETRY_MILLIS, e);
                cursor = from;
                earliest = now + RETRY_MILLIS;
            }
            if (earliest <= now || !movedThisTurn.isEmpty()) {
                return true; // the round's limit left due entries, or the listener is to be told before the park
            }
            nextDue = earliest; // announce the park, then look again (Dekker, with schedule's write-floor-read)
            if (floor.get() < earliest) {
                return true; // an earlier entry was written meanwhile
            }
            long park = Math.min(earliest - config.clock().millis(), MAX_PARK_MILLIS);
            if (park > 0) {
                changed.awaitNanos(TimeUnit.MILLISECONDS.toNanos(park));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** One stored entry of the due index. */
    private record Entry(byte[] key, ScheduleLayout.Stored stored) {
    }

    /**
     * Under {@link #lock}: moves the entries due at {@code now} (about {@link #MAX_MOVE} messages), oldest first,
     * reading the index from due time {@code from} on (no entry is earlier).
     *
     * @return the due time of the earliest entry left, {@code Long.MAX_VALUE} if none
     */
    private long moveDue(long now, long from) {
        Map<Long, List<Entry>> byTopic = new LinkedHashMap<>();
        int count = 0;
        long earliestLeft = Long.MAX_VALUE;
        // From the first entry left last time (or an earlier one written since): not over the deletions of
        // every entry moved before, which stay in the index's files until compaction.
        try (RocksStore.Range r = store.range(store.meta(), ScheduleLayout.dueKey(Math.max(0, from), 0),
                ScheduleLayout.dueEnd(Long.MAX_VALUE))) {
            for (r.it.seekToFirst(); r.it.isValid(); r.it.next()) {
                byte[] key = r.it.key();
                long due = ScheduleLayout.dueKeyDue(key);
                if (due > now || count >= MAX_MOVE) {
                    earliestLeft = due;
                    break;
                }
                ScheduleLayout.Stored stored = ScheduleLayout.decode(r.it.value());
                byTopic.computeIfAbsent(stored.topicId(), k -> new ArrayList<>()).add(new Entry(key, stored));
                count += stored.items().size();
            }
            r.check();
        }
        for (Map.Entry<Long, List<Entry>> e : byTopic.entrySet()) {
            moveToTopic(e.getKey(), e.getValue(), now);
        }
        return earliestLeft;
    }

    /** Appends one topic's due messages with the deletion of their entries, in one batch; drops them if the topic is gone. */
    private void moveToTopic(long topicId, List<Entry> entries, long now) {
        List<byte[][]> deletes = new ArrayList<>(2 * entries.size());
        List<ProducerMessage> messages = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            deletes.add(new byte[][] {e.key(), null});
            deletes.add(new byte[][] {ScheduleLayout.topicKey(topicId, ScheduleLayout.dueKeySequence(e.key())), null});
            for (ScheduleLayout.Item item : e.stored().items()) {
                messages.add(item.message());
            }
        }
        Topic t = registry.view().get(entries.get(0).stored().topic());
        if (t == null || t.id() != topicId || !t.lifecycle().tryEnter()) {
            try (WriteBatch batch = new WriteBatch()) {
                SharedLayout.stageMeta(batch, store, deletes);
                store.write(batch);
            } catch (RocksDBException ex) {
                throw RocksStore.storage("cannot drop the schedule of a destroyed topic", ex);
            }
            return;
        }
        try {
            Topic.Append append = new Topic.Append(messages, ProducePath.dedupIds(messages),
                    config.maxBatchEntryBytes(), now);
            append.alsoWrite = deletes;
            t.append(store, append);
            t.signal().signal();
            moved.addAndGet(messages.size());
            movedThisTurn.add(Map.entry(t.name(), messages));
        } finally {
            t.lifecycle().exit();
        }
    }

    /** Stops the waiter (after the queue refused new calls, before RocksDB closes); what is due moves after the next open. */
    @Override
    public void close() {
        lock.lock();
        try {
            stopped = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
        if (waiter != null && waiter != Thread.currentThread()) { // the waiter itself: a listener closing the queue
            boolean interrupted = false;
            while (true) {
                try {
                    waiter.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
