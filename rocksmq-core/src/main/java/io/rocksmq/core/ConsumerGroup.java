package io.rocksmq.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One incarnation of a consumer group on a topic: its position, its lifecycle, its registrations.
 *
 * <h2>States and who changes them</h2>
 * {@link Lifecycle}: ACTIVE -> CLOSING ("destroying") -> CLOSED ("destroyed"). Only
 * {@code RocksMq.destroyConsumerGroup}/{@code destroyTopic}/{@code close} move it, under the topic's
 * admin lock. Every operation on the group ({@code consume}, {@code seek}, {@code notify}) first
 * {@link Lifecycle#tryEnter() enters} it and exits when done, so destruction can refuse new
 * operations, wait for those in flight, and only then remove the group and end its registrations.
 * A group re-created with the same name is a new object: the old one's registrations never see it.
 *
 * <h2>Locks</h2>
 * <ul>
 *   <li>{@link #readLock} guards {@link #position} changes and the position write to storage, so two
 *       concurrent {@code consume} calls never return the same message; and the group's
 *       {@link ReadCursor}.</li>
 *   <li>{@link #registrations} is copy-on-write under the topic's admin lock.</li>
 *   <li>{@link #signals} is lock-free; {@link #position} is volatile so lag can be read without the lock.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
final class ConsumerGroup {
    private final String name;
    private final byte[] positionKey;
    final Lifecycle lifecycle = new Lifecycle();
    final ReentrantLock readLock = new ReentrantLock();
    /** Next id to read; written under {@link #readLock}. */
    private volatile long position;
    /** Explicit notifications and seeks: part of the sequence registrations wait on. */
    private final AtomicLong signals = new AtomicLong();
    /** Changed under the topic's admin lock. */
    private final RegistrationSet registrations = new RegistrationSet();
    /**
     * Messages a hard retention cap deleted before this group read them: in total, and since the last
     * {@code takeSkippedMessages}. Written under {@link #readLock} (with their record), read anywhere.
     */
    private volatile long skippedTotal;
    private volatile long skippedNotTaken;
    /** Under {@link #readLock}. */
    private final ReadCursor cursor = new ReadCursor();

    ConsumerGroup(String name, byte[] positionKey, long position) {
        this.name = name;
        this.positionKey = positionKey;
        this.position = position;
    }

    String name() {
        return name;
    }

    byte[] positionKey() {
        return positionKey;
    }

    long position() {
        return position;
    }

    /** Under {@link #readLock}, after the position is durable in the write-ahead log. */
    void position(long next) {
        position = next;
    }

    /** Under {@link #readLock}. */
    ReadCursor cursor() {
        return cursor;
    }

    /** Releases the group's iterator; takes {@link #readLock}. Once the group ended, nothing reopens it. */
    void closeCursor() {
        readLock.lock();
        try {
            cursor.close();
        } finally {
            readLock.unlock();
        }
    }

    long skippedTotal() {
        return skippedTotal;
    }

    long skippedNotTaken() {
        return skippedNotTaken;
    }

    /** Under {@link #readLock} (or before publication), after the skip counter record is written. */
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
