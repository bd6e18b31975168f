package io.rocksmq.core;

import io.rocksmq.api.WrongGroupTypeException;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One incarnation of a consumer group on a topic: its position, its lifecycle, its registrations.
 *
 * <h2>States and who changes them</h2>
 * {@link Lifecycle}: ACTIVE -> CLOSING ("destroying") -> CLOSED ("destroyed"). Only
 * {@code TopicRegistry.destroyGroup} and {@code destroyTopic} move it, under the topic's admin lock;
 * closing the queue ends the group's registrations but leaves its lifecycle as it is (the queue's own
 * lifecycle refuses every call by then). Every operation on the group ({@code consume}, {@code seek},
 * {@code notifyGroup}) first {@link Lifecycle#tryEnter() enters} it and exits when done, so destruction
 * can refuse new operations, wait for those in flight, and only then remove the group and end its
 * registrations. A group re-created with the same name is a new object: the old one's registrations
 * never see it.
 *
 * <h2>Locks</h2>
 * <ul>
 *   <li>{@link #positionLock} guards {@link #position} changes and the position write to storage, so
 *       two concurrent {@code consume} calls never return the same message; {@link #persistedPosition}
 *       and {@link #persistedAtMillis}; the skip counters; and the group's {@link ReadCursor}. Other classes take it through {@link #underPositionLock}, or
 *       {@link #lockPosition}/{@link #unlockPosition} when they must hold several groups' (retention's
 *       cut, in name order).</li>
 *   <li>{@link #registrations} is copy-on-write under the topic's admin lock.</li>
 *   <li>{@link #signals} is lock-free; {@link #position} is volatile so lag can be read without the lock.</li>
 * </ul>
 *
 * <h2>When the position is persisted</h2>
 * With a position commit interval of 0 (the default, {@link RocksMqConfig#positionCommitInterval()})
 * every consume that moves the position writes it before returning, so {@link #persistedPosition}
 * always equals {@link #position}. With an interval {@code d > 0} a consume writes it only if the last
 * write was at least {@code d} before (by the queue's clock) or if it finds nothing to deliver; seek,
 * the retention pass and close write a pending position too. In between, the position is ahead of
 * the stored one, and a crash redelivers what the consumes since the last write returned.
 *
 * <p>Thread-safe.
 */
final class ConsumerGroup {
    /** {@link #persistedAtMillis} before the first write since open: the next consume writes. */
    private static final long NEVER = Long.MIN_VALUE;

    private final String name;
    private final byte[] positionKey;
    private final Lifecycle lifecycle = new Lifecycle();
    private final ReentrantLock positionLock = new ReentrantLock();
    /** Next id to read; written under {@link #positionLock}. */
    private volatile long position;
    /** The position as last written to storage (or recovered); under {@link #positionLock}. */
    private long persistedPosition;
    /** The queue clock's time of the last position write by a consume, or {@link #NEVER}; under {@link #positionLock}. */
    private long persistedAtMillis = NEVER;
    /** Explicit notifications and seeks: part of the sequence registrations wait on. */
    private final AtomicLong signals = new AtomicLong();
    /** Changed under the topic's admin lock. */
    private final RegistrationSet registrations = new RegistrationSet();
    /**
     * Messages a hard retention cap deleted before this group read them: in total, and since the last
     * {@code takeSkippedMessages}. Written under {@link #positionLock} (with their record), read anywhere.
     */
    private volatile long skippedTotal;
    private volatile long skippedNotTaken;
    /**
     * Expired messages this group's position moved past since open; written under {@link #positionLock}.
     * The rule: whoever moves the position past an expired message counts it, once. {@link #consume}
     * counts what it skips as it reads and moves; retention counts the expired prefix it moves the group
     * past ({@link #expiredByRetention}); a client consumer, which reads without the group and moves it
     * by its acknowledgements, counts what it skipped when its commit moves the position past it
     * ({@link #moveTo}). A seek counts nothing.
     */
    private volatile long expired;

    long expired() {
        return expired;
    }

    /** Under {@link #positionLock}: retention moved the position past {@code count} expired messages unread. */
    void expiredByRetention(long count) {
        expired += count;
    }

    /** Under {@link #positionLock}. */
    private final ReadCursor cursor = new ReadCursor();
    /** A shared group's state (its position is the ack floor), guarded by {@link #positionLock}; null for a stream group. */
    private final SharedGroupState shared;

    ConsumerGroup(String name, byte[] positionKey, long position) {
        this(name, positionKey, position, null);
    }

    ConsumerGroup(String name, byte[] positionKey, long position, SharedGroupState shared) {
        this.name = name;
        this.positionKey = positionKey;
        this.position = position;
        this.persistedPosition = position;
        this.shared = shared;
    }

    /** The shared group's state (use it under {@link #underPositionLock}), or null for a stream group. */
    SharedGroupState shared() {
        return shared;
    }

    /** Refuses a stream operation (consume, seek) on a shared group. */
    void requireStream(Topic t) {
        if (shared != null) {
            throw new WrongGroupTypeException(t.name(), name, true);
        }
    }

    String name() {
        return name;
    }

    byte[] positionKey() {
        return positionKey;
    }

    Lifecycle lifecycle() {
        return lifecycle;
    }

    long position() {
        return position;
    }

    /** Under {@link #positionLock}, after the position is durable in the write-ahead log. */
    void position(long next) {
        position = next;
        persistedPosition = next;
    }

    /**
     * The position if it is ahead of the one in storage (a position commit interval delayed its
     * write), else -1. Under {@link #positionLock}; whoever writes it calls {@link #position(long)} after.
     */
    long pendingPosition() {
        return position != persistedPosition ? position : -1;
    }

    /** Writes a pending position (see {@link #pendingPosition()}); takes {@link #positionLock}. */
    void persistPendingPosition(RocksStore store) {
        positionLock.lock();
        try {
            long pending = pendingPosition();
            if (pending >= 0) {
                store.putMeta(positionKey, StorageLayout.positionValue(pending));
                persistedPosition = pending;
            }
        } finally {
            positionLock.unlock();
        }
    }

    /** Runs {@code action} holding {@link #positionLock}. */
    <R> R underPositionLock(Supplier<R> action) {
        positionLock.lock();
        try {
            return action.get();
        } finally {
            positionLock.unlock();
        }
    }

    /** Takes {@link #positionLock}; for a caller that must hold several groups' at once (in name order). */
    void lockPosition() {
        positionLock.lock();
    }

    void unlockPosition() {
        positionLock.unlock();
    }

    /**
     * Reads up to {@code max} messages from the position and advances it past them, persisted before
     * it returns unless a commit interval delays the write (see the class javadoc); expired messages
     * (at {@code now}) are skipped, counted, and advanced past too. The caller has entered the topic
     * and this group.
     *
     * @param commitIntervalMillis the queue's position commit interval; 0 writes on every move
     */
    List<ConsumerMessage> consume(RocksStore store, Topic t, int max, long now, long commitIntervalMillis) {
        requireStream(t);
        positionLock.lock();
        try {
            long from = position;
            if (from > t.latestId()) {
                persistPending(store, now); // nothing committed past the position: no need to read
                return List.of();
            }
            ExpiringRead.Result read = ExpiringRead.read(f -> MessageReader.read(store, t, f, max, cursor), from,
                    t.latestId(), now, t.defaultTtlMillis());
            long next = read.next();
            if (next != from && commitDue(now, commitIntervalMillis)) {
                persist(store, next, now);
            }
            position = next;
            if (read.messages().isEmpty()) {
                persistPending(store, now);
            }
            if (read.expired() > 0) {
                expired += read.expired();
            }
            return read.messages();
        } finally {
            positionLock.unlock();
        }
    }

    /** Under {@link #positionLock}: whether a consume at {@code now} writes the position it moved. */
    private boolean commitDue(long now, long intervalMillis) {
        // A clock that went back counts as due: a stuck write would widen what a crash redelivers.
        return intervalMillis == 0 || persistedAtMillis == NEVER || now < persistedAtMillis
                || now - persistedAtMillis >= intervalMillis;
    }

    /** Under {@link #positionLock}. */
    private void persistPending(RocksStore store, long now) {
        if (position != persistedPosition) {
            persist(store, position, now);
        }
    }

    /** Under {@link #positionLock}: writes {@code next}; the caller sets {@link #position} after. */
    private void persist(RocksStore store, long next, long now) {
        store.putMeta(positionKey, StorageLayout.positionValue(next));
        persistedPosition = next;
        persistedAtMillis = now;
    }

    /**
     * Moves the position to {@code target}'s answer (computed under the lock), persisted, then wakes
     * the group's registrations. The caller has entered the topic and this group. {@code passed}: null
     * for a seek; for a commit by a reader that read without the group ({@link RocksMq#commitPosition}),
     * the ids of {@code passed} between the old position and the new one (when it moves forward) are
     * added to the {@link #expired() expired count} in the same step. Those at or above the new position,
     * and those below the old one (retention, a seek or another consumer moved the group past them, and
     * whoever did counted them), add nothing.
     */
    void moveTo(RocksStore store, LongSupplier target, ExpiredIds passed) {
        positionLock.lock();
        try {
            long from = position;
            long next = target.getAsLong();
            store.putMeta(positionKey, StorageLayout.positionValue(next));
            position(next);
            if (passed != null && next > from) {
                expired += passed.countIn(from, next);
            }
        } finally {
            positionLock.unlock();
        }
        signal();
    }

    /** Under {@link #positionLock}. */
    ReadCursor cursor() {
        return cursor;
    }

    /** Releases the group's iterator; takes {@link #positionLock}. Once the group ended, nothing reopens it. */
    void closeCursor() {
        positionLock.lock();
        try {
            cursor.close();
        } finally {
            positionLock.unlock();
        }
    }

    /**
     * Closes the cursor if unused since {@link ReadCursor#MAX_AGE_NANOS} before {@code now}, unless a
     * read holds {@link #positionLock} (this only tries it: the retention worker must not wait for reads).
     */
    void closeCursorIfIdle(long now) {
        if (positionLock.tryLock()) {
            try {
                cursor.closeIfIdle(now);
            } finally {
                positionLock.unlock();
            }
        }
    }

    long skippedTotal() {
        return skippedTotal;
    }

    long skippedNotTaken() {
        return skippedNotTaken;
    }

    /** Under {@link #positionLock} (or before publication), after the skip counter record is written. */
    void skipped(long total, long notTaken) {
        skippedTotal = total;
        skippedNotTaken = notTaken;
    }

    long signals() {
        return signals.get();
    }

    /** Wakes this group's registrations. Caller has entered {@link #lifecycle}. */
    void signal() {
        signals.incrementAndGet();
        for (ConsumerRegistration r : registrations.snapshot()) {
            r.unparkWaiter();
        }
    }

    /** Under the topic's admin lock. */
    void addRegistration(ConsumerRegistration r) {
        registrations.add(r);
    }

    /** Under the topic's admin lock. */
    void removeRegistration(ConsumerRegistration r) {
        registrations.remove(r);
    }

    /** Under the topic's admin lock, once removed from the registry: detaches and returns the registrations. */
    ConsumerRegistration[] takeRegistrations() {
        return registrations.clear();
    }
}
