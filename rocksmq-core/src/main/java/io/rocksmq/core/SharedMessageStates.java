package io.rocksmq.core;

import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.LockExpiredException;
import io.rocksmq.api.StaleDeliveryException;

import java.util.Comparator;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongConsumer;

/**
 * The in-memory lock and redelivery bookkeeping of a shared group ({@link SharedGroupState} owns one): the
 * state of every message above the ack floor, its delivery attempt, its lock deadline or release delay, and
 * the timers that make locks expire and delays end. Nothing here writes: {@link SharedGroupState} writes
 * first and calls the method that changes memory only once its write succeeded.
 *
 * <h2>States of a message, and who changes them</h2>
 * The <b>ack floor</b> {@code F} is the group's position ({@link ConsumerGroup#position()}): every message
 * below it is finished. Above it, a message is in one of these states (an {@link Entry} in
 * {@link #entries}; DONE as a run of ids in {@link #done}; or neither for a message never delivered since
 * the queue opened, which is <i>fresh</i> when at or above {@link #frontier}):
 * <pre>
 *   fresh ──acquire──▶ IN_FLIGHT(attempt a, lock deadline d) ──ack──▶ DONE (acked)
 *                        │   ▲        │  └──reject, or release/acquire past maxDeliveries──▶ DONE (dead letter)
 *                        │   │        └──renew──▶ IN_FLIGHT(a, d')
 *            d passes ───┤   └──acquire (a+1)── AVAILABLE ◀── DELAYED(until u) when u passes
 *                        └──release(delay)──▶ DELAYED(u) or, with no delay, AVAILABLE
 * </pre>
 * <ul>
 *   <li>The delivery attempt ({@link Entry#attempts}) only grows: it is the fence. An ack, release,
 *       reject or renew names (id, attempt); one naming an earlier attempt gets a
 *       {@link StaleDeliveryException}, so a worker whose lock expired cannot finish the delivery that
 *       a later worker holds.</li>
 *   <li>Expiry is lazy: {@link #timers} holds (due time, id) pairs and every operation first moves what is
 *       due ({@link #catchUp}); a waiting acquirer parks until the earliest due time at most
 *       ({@link #nextDueMillis}), so no timer runs per message and nothing polls.</li>
 * </ul>
 *
 * <p>Not thread-safe: confined, with its {@link SharedGroupState}, to holders of the group's position lock.
 */
final class SharedMessageStates {
    enum Phase { AVAILABLE, IN_FLIGHT, DELAYED }

    /** One message above the floor that has a state. */
    static final class Entry {
        final long id;
        /** Deliveries so far (persisted); the attempt number of the latest delivery. */
        int attempts;
        Phase phase;
        /** Lock deadline (IN_FLIGHT) or end of the release delay (DELAYED), clock millis. */
        long dueAt;
        /** AVAILABLE because the lock of delivery {@link #attempts} expired (so it may still be acked). */
        boolean lapsed;

        Entry(long id, int attempts, Phase phase) {
            this.id = id;
            this.attempts = attempts;
            this.phase = phase;
        }
    }

    private record Timer(long dueAt, long id) {
    }

    /** The group's name, for the fencing errors. */
    private final String name;
    private final TreeMap<Long, Entry> entries = new TreeMap<>();
    /**
     * Finished (DONE) messages above the floor: runs of ids rather than entries, so that a floor held back
     * by one message costs memory by the gaps between finished messages, not by their number.
     */
    private final IdRanges done = new IdRanges();
    /** Ids of the AVAILABLE entries. */
    private final TreeSet<Long> ready = new TreeSet<>();
    /** Due times of IN_FLIGHT and DELAYED entries; a timer whose entry moved on is stale and skipped. */
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(
            Comparator.comparingLong(Timer::dueAt).thenComparingLong(Timer::id));
    /** Every message at or above it without an entry was never delivered since open. */
    private long frontier;
    /** The floor as this state last saw it; retention may have moved the position since. */
    private long floorSeen;
    private int inFlight;
    private long expiredLocks;

    SharedMessageStates(String name, long floor) {
        this.name = name;
        this.frontier = floor;
        this.floorSeen = floor;
    }

    // ------------------------------------------------------------------ loading (from the stored records)

    /** A stored finished message above the floor. */
    void loadDone(long id) {
        done.add(id);
    }

    /** A stored unfinished message above the floor: AVAILABLE again (locks do not survive a restart). */
    void loadAvailable(long id, int attempts) {
        entries.put(id, new Entry(id, attempts, Phase.AVAILABLE));
        ready.add(id);
    }

    // ------------------------------------------------------------------ reading

    Entry entry(long id) {
        return entries.get(id);
    }

    /** The lowest AVAILABLE id after {@code id} (null: the lowest), or null. */
    Long nextReady(Long id) {
        if (ready.isEmpty()) {
            return null;
        }
        return id == null ? ready.first() : ready.higher(id);
    }

    /** True if the message has a state or is finished (so it is not fresh). */
    boolean known(long id) {
        return entries.containsKey(id) || done.contains(id);
    }

    /**
     * The lowest id at or above {@code floor} locked to a consumer whose lock has not lapsed at
     * {@code now}, or {@link Long#MAX_VALUE} if none is.
     */
    long lowestInFlight(long floor, long now) {
        if (inFlight == 0) {
            return Long.MAX_VALUE;
        }
        for (Entry e : entries.tailMap(floor, true).values()) {
            if (e.phase == Phase.IN_FLIGHT && e.dueAt > now) {
                return e.id;
            }
        }
        return Long.MAX_VALUE;
    }

    /** How many messages of {@code [from, to)} (all at or above the floor) are not finished. */
    long unfinishedIn(long from, long to) {
        return to <= from ? 0 : to - from - done.countIn(from, to);
    }

    long frontier() {
        return frontier;
    }

    int inFlight() {
        return inFlight;
    }

    int readyCount() {
        return ready.size();
    }

    long expiredLocks() {
        return expiredLocks;
    }

    /** The first id from {@code floor + 1} on that is not finished: where the floor goes when {@code floor} finishes. */
    long floorAfterFinishing(long floor) {
        return done.firstAbsentFrom(floor + 1);
    }

    /** The earliest time something may become available (a lock expiry or a delay's end), or MAX_VALUE. */
    long nextDueMillis() {
        Timer t = timers.peek();
        return t == null ? Long.MAX_VALUE : t.dueAt();
    }

    /** [DELAYED count, oldest lock deadline or MAX_VALUE]. */
    long[] delayedAndOldestLock() {
        int delayed = 0;
        long oldestLock = Long.MAX_VALUE;
        for (Entry e : entries.values()) {
            if (e.phase == Phase.DELAYED) {
                delayed++;
            } else if (e.phase == Phase.IN_FLIGHT) {
                oldestLock = Math.min(oldestLock, e.dueAt);
            }
        }
        return new long[] {delayed, oldestLock};
    }

    /** Objects kept for messages above the floor: entries plus runs of finished ids. */
    int heldObjects() {
        return entries.size() + done.runCount();
    }

    // ------------------------------------------------------------------ changes

    /**
     * Moves what is due at {@code now}: expired locks and ended delays become AVAILABLE. Drops the states
     * below {@code floor} when retention moved it (their messages are deleted), naming each dropped id to
     * {@code dropped} (whose record is then garbage).
     */
    void catchUp(long floor, long now, LongConsumer dropped) {
        if (floor > floorSeen) {
            Map<Long, Entry> below = entries.headMap(floor);
            for (Entry e : below.values()) {
                if (e.phase == Phase.IN_FLIGHT) {
                    inFlight--;
                }
                ready.remove(e.id);
                dropped.accept(e.id);
            }
            below.clear();
            done.removeBelow(floor, dropped);
            floorSeen = floor;
            frontier = Math.max(frontier, floor);
        }
        while (!timers.isEmpty() && timers.peek().dueAt() <= now) {
            Timer t = timers.poll();
            Entry e = entries.get(t.id());
            if (e == null || e.dueAt != t.dueAt() || (e.phase != Phase.IN_FLIGHT && e.phase != Phase.DELAYED)) {
                continue; // renewed, finished or released since: a stale timer
            }
            if (e.phase == Phase.IN_FLIGHT) {
                inFlight--;
                expiredLocks++;
                e.lapsed = true;
            }
            e.phase = Phase.AVAILABLE;
            ready.add(e.id);
        }
    }

    /** Moves the frontier up to {@code next} (everything below it was seen by an acquire). */
    void advanceFrontier(long next) {
        frontier = Math.max(frontier, next);
    }

    /** A state for a fresh message (not yet delivered; not AVAILABLE either until locked or finished). */
    Entry track(long id) {
        Entry e = new Entry(id, 0, Phase.AVAILABLE);
        entries.put(id, e);
        return e;
    }

    /** Forgets the state {@link #track} made when the write that would finish it failed: fresh again. */
    void untrack(long id) {
        entries.remove(id);
    }

    /** Locks {@code e} to a new delivery until {@code deadline}; returns its attempt. */
    int lock(Entry e, long deadline) {
        ready.remove(e.id);
        e.attempts++;
        e.phase = Phase.IN_FLIGHT;
        e.lapsed = false;
        e.dueAt = deadline;
        timers.add(new Timer(deadline, e.id));
        inFlight++;
        return e.attempts;
    }

    /** Gives a held delivery back: AVAILABLE now ({@code delay} 0) or DELAYED until {@code now + delay}. */
    void release(Entry e, long now, long delay) {
        inFlight--;
        if (delay == 0) {
            e.phase = Phase.AVAILABLE;
            ready.add(e.id);
        } else {
            e.phase = Phase.DELAYED;
            e.dueAt = now + delay;
            timers.add(new Timer(e.dueAt, e.id));
        }
    }

    /** Extends a held delivery's lock to {@code dueAt}. */
    void renew(Entry e, long dueAt) {
        e.dueAt = dueAt;
        timers.add(new Timer(e.dueAt, e.id));
    }

    /**
     * After the finishing write succeeded: {@code e} is DONE, a run in {@link #done} or, when the write moved
     * the floor from {@code floor} to {@code newFloor}, below the new floor with everything it passed.
     */
    void finish(Entry e, long floor, long newFloor) {
        if (e.phase == Phase.IN_FLIGHT) {
            inFlight--;
        }
        ready.remove(e.id);
        entries.remove(e.id);
        if (newFloor > floor) {
            entries.headMap(newFloor).clear();
            done.removeBelow(newFloor, id -> { }); // their records are deleted by the write that moved the floor
            floorSeen = newFloor;
            frontier = Math.max(frontier, newFloor);
        } else {
            done.add(e.id);
        }
    }

    // ------------------------------------------------------------------ fencing

    /** The entry a (id, attempt) names, if it may be acked or rejected: held, or lapsed and not taken since. */
    Entry finishable(long id, int attempt, boolean fences) {
        Entry e = current(id, attempt, fences);
        if (e.phase != Phase.IN_FLIGHT && !e.lapsed) {
            throw new StaleDeliveryException(name, id, attempt, e.attempts, "it was released");
        }
        return e;
    }

    /** The entry a (id, attempt) names, if its lock still holds (release and renew need that). */
    Entry held(long id, int attempt, boolean fences) {
        Entry e = current(id, attempt, fences);
        if (e.phase != Phase.IN_FLIGHT) {
            if (e.lapsed) {
                throw new LockExpiredException(name, id, attempt);
            }
            throw new StaleDeliveryException(name, id, attempt, e.attempts, "it was released");
        }
        return e;
    }

    private Entry current(long id, int attempt, boolean fences) {
        Entry e = entries.get(id);
        if (e == null) {
            throw new DeliveryNotFoundException(name, id, done.contains(id) || id < floorSeen
                    ? "it was already acknowledged or dead-lettered" : "it is not delivered");
        }
        if (attempt != e.attempts && fences) {
            if (attempt < e.attempts) {
                throw new StaleDeliveryException(name, id, attempt, e.attempts, "it was delivered again since");
            }
            throw new DeliveryNotFoundException(name, id, "delivery " + attempt + " was never made (latest: "
                    + e.attempts + ")");
        }
        return e;
    }
}
