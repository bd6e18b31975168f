package io.rocksmq.core;

import io.rocksmq.core.SharedMessageStates.Entry;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of a shared consumer group (a work queue): which of the topic's messages are available,
 * locked to a consumer, waiting to be redelivered or finished, with their delivery counts. This class runs
 * the operations and owns what is written; the per-message states, their fencing and their timers are its
 * {@link SharedMessageStates} (the state diagram is there).
 *
 * <h2>Who changes it</h2>
 * <ul>
 *   <li>Every state change happens under the group's position lock ({@link ConsumerGroup#underPositionLock}),
 *       which the caller holds for every method here; the same lock under which retention moves the
 *       position, so a retention rule that deletes unread messages (a hard cap, or the expiry rule, which
 *       stops before a message held under a lock not lapsed) moves the floor and {@link #catchUp} drops
 *       what lay below it. Nothing else touches this object or its {@link SharedMessageStates}.</li>
 *   <li>Time (lock deadlines, release delays) is read from the queue's clock by the caller
 *       ({@link Op#now}).</li>
 * </ul>
 *
 * <h2>What is persisted, in which write</h2>
 * Locks and delays are not persisted: after a restart every unfinished message is AVAILABLE again with
 * its count kept. Counts and finishes are, each in the {@code WriteBatch} of its operation, before
 * memory changes (a failed write changes nothing):
 * <ul>
 *   <li>acquire: one batch with the new count of every message handed out ({@code done = 0});</li>
 *   <li>ack: the message's {@code done = 1} record; or, when it is the floor, the new floor (the group's
 *       position) and the deletion of the finished records it passes;</li>
 *   <li>dead letter: the same records plus the counters record ({@code rejected}, {@code deadLettered}),
 *       in the very batch that produces the dead letter to the dead-letter topic
 *       ({@code Topic.append}'s extra records), so a dead letter is never lost and never doubled;</li>
 *   <li>release and renew write nothing (the count was written when the delivery was acquired);</li>
 *   <li>an expired message (its own expiry or the topic's default time-to-live, checked when it would be
 *       delivered) is finished like an ack, in a write of its own, and never delivered.</li>
 * </ul>
 * The record layout is in {@link StorageLayout} ({@code 0x14}).
 *
 * <h2>Place in the lock order</h2>
 * Level 3 (the group's position lock). A dead letter takes the dead-letter topic's produce lock (level 4)
 * while holding it; nothing that holds a produce lock takes a position lock, so this adds no cycle.
 * Destruction follows the stream groups: every operation enters the group's {@link Lifecycle} first, and
 * an acquire waits for messages outside it (on a {@link ConsumerRegistration}).
 *
 * <h2>Seams</h2>
 * Not final: the deliberately broken variants in the test sources (no fencing, dead letter and removal
 * in two writes, counts not persisted) override {@link #fences}, {@link #sendDeadLetter},
 * {@link #persistCounts} and {@link #commit}, and are installed through {@link Factory}, to show that the
 * history test catches each bug. Production code never subclasses it.
 *
 * <p>Not thread-safe by itself: confined to holders of the group's position lock.
 */
class SharedGroupState {
    private static final Logger LOG = LoggerFactory.getLogger(SharedGroupState.class);
    /**
     * Starts at a random point so that incarnations of different JVMs (a server restarted under a client
     * that still holds deliveries) almost never meet; never {@link SharedGroup#ANY_INCARNATION}.
     */
    private static final java.util.concurrent.atomic.AtomicLong INCARNATIONS =
            new java.util.concurrent.atomic.AtomicLong(java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 62));
    /** Unique in this JVM: a delivery names it, so a re-created group of the same name refuses the old one's. */
    final long incarnation = INCARNATIONS.incrementAndGet();

    /** Where dead letters go: the queue's topics. */
    interface DeadLetters {
        /**
         * Produces {@code message} to {@code topic} with {@code alsoWrite} in the same write batch; false
         * (nothing written) if there is no such topic.
         */
        boolean produce(String topic, ProducerMessage message, List<byte[][]> alsoWrite);
    }

    /** Makes the state of a group (the constructor's arguments); tests install broken variants. */
    interface Factory {
        SharedGroupState create(SharedGroupOptions options, long topicId, String name, long floor, long[] counters,
                                Map<Long, byte[]> records);
    }

    /** What one operation needs: the store, the group's topic and group, the time, the dead-letter sink. */
    record Op(RocksStore store, Topic topic, ConsumerGroup group, long now, DeadLetters deadLetters) {
    }

    private final SharedGroupOptions options;
    private final long topicId;
    private final String name;
    /** The per-message states above the floor. */
    private final SharedMessageStates states;
    /** Records to delete with the next write (below a floor that retention moved, or at open). */
    private final List<byte[]> garbage = new ArrayList<>();
    private long rejected;
    private long deadLettered;
    private long acquired;
    private long acked;
    private long released;
    private long redelivered;
    private long expiredMessages;

    /**
     * The state of a group as stored: {@code records} maps message ids to their stored state values
     * (anything below {@code floor} is garbage), {@code counters} is [rejected, deadLettered].
     */
    SharedGroupState(SharedGroupOptions options, long topicId, String name, long floor, long[] counters,
                     Map<Long, byte[]> records) {
        this.options = options;
        this.topicId = topicId;
        this.name = name;
        this.states = new SharedMessageStates(name, floor);
        this.rejected = counters[0];
        this.deadLettered = counters[1];
        records.forEach((id, value) -> {
            if (id < floor) {
                garbage.add(SharedLayout.sharedMessageKey(topicId, name, id));
                return;
            }
            if (SharedLayout.sharedMessageDone(value)) {
                states.loadDone(id);
            } else {
                states.loadAvailable(id, SharedLayout.sharedMessageDeliveries(value));
            }
        });
    }

    SharedGroupOptions options() {
        return options;
    }

    // ------------------------------------------------------------------ operations (under the position lock)

    /**
     * Hands out up to {@code max} messages (fewer when {@code maxInFlight} is reached): AVAILABLE ones
     * first, lowest id first, then fresh ones in id order; dead-letters AVAILABLE ones that used up
     * their deliveries on the way. The new counts are written in one batch before anything changes.
     */
    List<SharedGroup.Delivery> acquire(Op op, int max) {
        catchUp(op);
        int limit = Math.min(max, options.maxInFlight() - states.inFlight());
        List<Entry> again = new ArrayList<>();
        List<ConsumerMessage> messages = new ArrayList<>();
        // Walked by higher(), not an iterator: dead-lettering on the way removes from the set.
        for (Long id = states.nextReady(null); id != null && again.size() < limit; id = states.nextReady(id)) {
            Entry e = states.entry(id);
            ConsumerMessage m = readOne(op, id);
            if (m == null) {
                continue; // deleted below the cut: catchUp drops it once retention moved the floor
            }
            if (expired(op, m)) {
                expire(op, e);
                continue;
            }
            if (options.exhausted(e.attempts)) {
                deadLetter(op, e, m);
                continue;
            }
            again.add(e);
            messages.add(m);
        }
        long next = states.frontier();
        List<ConsumerMessage> fresh = new ArrayList<>();
        while (again.size() + fresh.size() < limit && next <= op.topic().latestId()) {
            List<ConsumerMessage> batch = MessageReader.read(op.store(), op.topic(), next,
                    limit - again.size() - fresh.size(), op.group().cursor());
            if (batch.isEmpty()) {
                break;
            }
            for (ConsumerMessage m : batch) {
                if (again.size() + fresh.size() >= limit) {
                    break;
                }
                next = m.id() + 1;
                if (states.known(m.id())) {
                    continue;
                }
                if (expired(op, m)) {
                    Entry e = states.track(m.id());
                    try {
                        expire(op, e);
                    } catch (RuntimeException | Error failed) {
                        states.untrack(e.id); // nothing was written: it stays fresh
                        throw failed;
                    }
                } else {
                    fresh.add(m);
                }
            }
        }
        if (again.isEmpty() && fresh.isEmpty()) {
            states.advanceFrontier(next);
            return List.of();
        }
        List<byte[][]> writes = new ArrayList<>();
        for (Entry e : again) {
            writes.add(record(e.id, e.attempts + 1, false));
        }
        for (ConsumerMessage m : fresh) {
            writes.add(record(m.id(), 1, false));
        }
        persistCounts(op, writes);
        states.advanceFrontier(next);
        long deadline = op.now() + options.lockDuration().toMillis();
        List<SharedGroup.Delivery> out = new ArrayList<>(again.size() + fresh.size());
        for (int i = 0; i < again.size(); i++) {
            out.add(lock(again.get(i), deadline, messages.get(i)));
            redelivered++;
        }
        for (ConsumerMessage m : fresh) {
            out.add(lock(states.track(m.id()), deadline, m));
        }
        acquired += out.size();
        return out;
    }

    /** True if the message's expiry time ({@link ProducerMessage#withTtl}, the topic's default) has passed. */
    private static boolean expired(Op op, ConsumerMessage m) {
        long own = m.expiresAt();
        long ttl = op.topic().defaultTtlMillis();
        long expiresAt = own > 0 ? own : ttl > 0 ? m.publishTime() + ttl : 0;
        return expiresAt > 0 && expiresAt <= op.now();
    }

    /** Finishes an expired message without delivering it (as a stream group skips it), counted. */
    private void expire(Op op, Entry e) {
        finishInOwnWrite(op, e);
        expiredMessages++;
    }

    /**
     * How many of the expired messages {@code [from, to)} (at or above the floor) this group had not
     * finished: retention deletes them and moves the floor past them, and they count as expired, as an
     * acquire would have counted them. Called by the retention pass under the position lock, before it
     * moves the floor (so before {@link #catchUp} forgets the finished ones).
     */
    long unfinishedIn(long from, long to) {
        return states.unfinishedIn(from, to);
    }

    /**
     * The lowest message at or above {@code floor} a consumer holds with a lock still valid at {@code now},
     * {@link Long#MAX_VALUE} if none: the retention's expiry rule stops before it (its worker may still
     * finish it, as it could had retention not run). Under the position lock.
     */
    long lowestInFlight(long floor, long now) {
        return states.lowestInFlight(floor, now);
    }

    /** Adds expired messages retention moved the floor past ({@link #unfinishedIn}), once its write succeeded. */
    void expiredByRetention(long count) {
        expiredMessages += count;
    }

    /** Finishes the delivery as processed. */
    void ack(Op op, long id, int attempt) {
        catchUp(op);
        finishInOwnWrite(op, states.finishable(id, attempt, fences()));
        acked++;
    }

    /** Writes what finishes {@code e} (its done record, or the floor it moves) in one batch, then finishes it. */
    private void finishInOwnWrite(Op op, Entry e) {
        List<byte[][]> writes = new ArrayList<>();
        long newFloor = stageFinish(op, e, writes);
        commit(op, writes);
        finish(op, e, newFloor);
    }

    /** Dead-letters the delivery now. */
    void reject(Op op, long id, int attempt) {
        catchUp(op);
        Entry e = states.finishable(id, attempt, fences());
        deadLetter(op, e, readOne(op, id));
    }

    /**
     * Gives the delivery back: available again after {@code delayMillis} (negative: the group's
     * redelivery delay for this attempt), or dead-lettered at once if it was the last allowed delivery.
     */
    void release(Op op, long id, int attempt, long delayMillis) {
        catchUp(op);
        Entry e = states.held(id, attempt, fences());
        if (options.exhausted(e.attempts)) {
            deadLetter(op, e, readOne(op, id));
            return;
        }
        long delay = delayMillis >= 0 ? delayMillis : options.redeliveryDelayMillis(e.attempts);
        states.release(e, op.now(), delay);
        released++;
    }

    /** Extends the delivery's lock by the lock duration from now; returns the new deadline. */
    long renew(Op op, long id, int attempt) {
        catchUp(op);
        Entry e = states.held(id, attempt, fences());
        states.renew(e, op.now() + options.lockDuration().toMillis());
        return e.dueAt;
    }

    /** The earliest time something may become available (a lock expiry or a delay's end), or MAX_VALUE. */
    long nextDueMillis() {
        return states.nextDueMillis();
    }

    SharedGroup.Stats stats(Op op) {
        catchUp(op);
        long[] delayedAndOldest = states.delayedAndOldestLock();
        long oldestLock = delayedAndOldest[1];
        return new SharedGroup.Stats(op.group().position(), states.inFlight(), states.readyCount(),
                (int) delayedAndOldest[0], oldestLock == Long.MAX_VALUE ? -1 : oldestLock, acquired, acked, released,
                states.expiredLocks(), redelivered,
                rejected, deadLettered, expiredMessages);
    }

    /** True when {@code maxInFlight} messages are locked: acquirers wait for room. */
    boolean full() {
        return states.inFlight() >= options.maxInFlight();
    }

    /** Objects this state keeps for messages above the floor: entries plus runs of finished ids (tests). */
    int heldObjects() {
        return states.heldObjects();
    }

    // ------------------------------------------------------------------ internals

    /**
     * Moves what is due: expired locks and ended delays become AVAILABLE. Drops the entries below a
     * floor that retention moved (their messages are deleted).
     */
    private void catchUp(Op op) {
        states.catchUp(op.group().position(), op.now(),
                id -> garbage.add(SharedLayout.sharedMessageKey(topicId, name, id)));
    }

    private SharedGroup.Delivery lock(Entry e, long deadline, ConsumerMessage m) {
        return new SharedGroup.Delivery(m, states.lock(e, deadline), deadline, incarnation);
    }

    /**
     * Stages the records that finish {@code e}: its done record, or, when it is the floor, the new floor
     * and the deletion of the finished records the floor passes. Returns the floor after the write.
     */
    private long stageFinish(Op op, Entry e, List<byte[][]> writes) {
        long floor = op.group().position();
        if (e.id != floor) {
            writes.add(record(e.id, e.attempts, true));
            return floor;
        }
        long newFloor = states.floorAfterFinishing(floor);
        for (long id = floor; id < newFloor; id++) {
            writes.add(new byte[][] {SharedLayout.sharedMessageKey(topicId, name, id), null});
        }
        writes.add(new byte[][] {op.group().positionKey(), StorageLayout.positionValue(newFloor)});
        return newFloor;
    }

    /** After the finishing write succeeded: {@code e} is DONE (a run in {@link #done}, or below the new floor). */
    private void finish(Op op, Entry e, long newFloor) {
        long floor = op.group().position();
        states.finish(e, floor, newFloor);
        if (newFloor > floor) {
            op.group().position(newFloor);
        }
    }

    /**
     * Finishes {@code e} as a dead letter: produced to the dead-letter topic in the same batch as the
     * finish, or, with no such topic (or no message left to send), archived as rejected and counted.
     */
    private void deadLetter(Op op, Entry e, ConsumerMessage m) {
        String topic = options.deadLetterTopic();
        if (topic != null && m != null) {
            List<byte[][]> writes = new ArrayList<>();
            long newFloor = stageFinish(op, e, writes);
            writes.add(counters(rejected, deadLettered + 1));
            writes.addAll(takeGarbage());
            if (sendDeadLetter(op, topic, deadLetterMessage(op, e, m), writes)) {
                garbage.clear();
                deadLettered++;
                finish(op, e, newFloor);
                return;
            }
            LOG.warn("shared group '{}': dead-letter topic '{}' does not exist; message {} archived as rejected",
                    name, topic, e.id);
        }
        List<byte[][]> archive = new ArrayList<>();
        long newFloor = stageFinish(op, e, archive);
        archive.add(counters(rejected + 1, deadLettered));
        commit(op, archive);
        rejected++;
        finish(op, e, newFloor);
    }

    private ProducerMessage deadLetterMessage(Op op, Entry e, ConsumerMessage m) {
        Map<String, String> properties = new HashMap<>(m.properties());
        properties.put(SharedGroupOptions.DEAD_LETTER_TOPIC_PROPERTY, op.topic().name());
        properties.put(SharedGroupOptions.DEAD_LETTER_ID_PROPERTY, Long.toString(e.id));
        properties.put(SharedGroupOptions.DEAD_LETTER_DELIVERIES_PROPERTY, Integer.toString(e.attempts));
        return ProducerMessage.of(m.payload(), properties);
    }

    private byte[][] record(long id, int deliveries, boolean done) {
        return new byte[][] {SharedLayout.sharedMessageKey(topicId, name, id),
                SharedLayout.sharedMessageValue(deliveries, done)};
    }

    private byte[][] counters(long rejectedCount, long deadLetteredCount) {
        return new byte[][] {SharedLayout.sharedCountersKey(topicId, name),
                SharedLayout.sharedCountersValue(rejectedCount, deadLetteredCount)};
    }

    private List<byte[][]> takeGarbage() {
        List<byte[][]> deletes = new ArrayList<>(garbage.size());
        for (byte[] key : garbage) {
            deletes.add(new byte[][] {key, null});
        }
        return deletes;
    }

    // ------------------------------------------------------------------ seams (see the class comment)

    /** True: an operation naming an earlier delivery attempt is refused. */
    boolean fences() {
        return true;
    }

    /** Writes an acquire's new delivery counts. */
    void persistCounts(Op op, List<byte[][]> writes) {
        commit(op, writes);
    }

    /** Produces a dead letter with the records that finish it in the same batch; false if there is no such topic. */
    boolean sendDeadLetter(Op op, String topic, ProducerMessage message, List<byte[][]> writes) {
        return op.deadLetters().produce(topic, message, writes);
    }

    /** Writes {@code writes} (and the pending garbage deletes) to the meta family in one batch. */
    void commit(Op op, List<byte[][]> writes) {
        try (WriteBatch batch = new WriteBatch()) {
            SharedLayout.stageMeta(batch, op.store(), writes);
            SharedLayout.stageMeta(batch, op.store(), takeGarbage());
            op.store().write(batch);
        } catch (RocksDBException e) {
            throw RocksStore.storage("cannot write the state of shared group '" + name + "'", e);
        }
        garbage.clear();
    }

    private static ConsumerMessage readOne(Op op, long id) {
        List<ConsumerMessage> got = MessageReader.read(op.store(), op.topic(), id, 1);
        return got.isEmpty() || got.get(0).id() != id ? null : got.get(0);
    }
}
