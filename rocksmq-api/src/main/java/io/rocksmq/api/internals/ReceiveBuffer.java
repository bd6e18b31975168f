package io.rocksmq.api.internals;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A consumer's bounded read-ahead buffer and whether the consumer still runs.
 *
 * <h2>States</h2>
 * RUNNING → CLOSED (by {@link #close()}) or FAILED (by {@link #fail}, keeping the cause); a failed buffer
 * may still be closed, after which it reports "closed". Stopping empties the buffer and wakes every waiter;
 * a stopped buffer accepts nothing.
 *
 * <h2>Bounds</h2>
 * Two bounds, both kept by the reader: at most {@code capacity} messages and at most {@code byteCapacity}
 * payload bytes ({@link #sizeOf}: the payload's length; properties and key are not counted). A reader
 * asks for {@link #room()} messages while {@link #hasRoom()}, and may buffer a prefix of what it read
 * that {@link #fitting} allows: whatever fits both bounds, and always the first message when the buffer is
 * empty, so a message larger than the byte bound still gets through, alone. A reader that keeps to
 * {@link #fitting} holds at most {@code byteCapacity} bytes, or one message larger than that. A reader
 * that cannot give back what it read (a server pushed it) may {@link #offer} more than fits: it bounds
 * what it is sent by its own credit.
 *
 * <h2>Generations</h2>
 * A reader that fetches outside the lock notes {@link #generation()} first and passes it to
 * {@link #offer}; {@link #clear()} (a seek) starts a new generation, so a fetch begun before the seek is
 * dropped instead of buffered.
 *
 * <h2>Locks</h2>
 * Every method must be called holding the owner's lock, the one given to the constructor (assertion):
 * the backend guards its own state (acknowledgements, cursors) with the same lock, so one critical section
 * covers both. Waiting methods release it while they wait, as {@link Condition} does.
 *
 * <p>Not thread-safe by itself: guarded by the owner's lock.
 */
public final class ReceiveBuffer {
    private final ReentrantLock lock;
    private final int capacity;
    private final long byteCapacity;
    private final Supplier<RuntimeException> closedError;
    /** Signalled when messages arrive or the consumer stops. */
    private final Condition notEmpty;
    /** Signalled when room appears or the consumer stops. */
    private final Condition notFull;
    private final ArrayDeque<Message> messages;
    /** The sum of {@link #sizeOf} over {@link #messages}. */
    private long bytes;
    private long generation;
    private boolean closed;
    private RuntimeException failure;

    /** A buffer bounded by its message count only. */
    public ReceiveBuffer(ReentrantLock lock, int capacity, Supplier<RuntimeException> closedError) {
        this(lock, capacity, Long.MAX_VALUE, closedError);
    }

    /**
     * @param lock         the owner's lock, held for every call
     * @param capacity     how many messages the reader should buffer at most ({@link #room()})
     * @param byteCapacity how many payload bytes the reader should buffer at most ({@link #roomBytes()})
     * @param closedError  what calls on a closed consumer throw
     */
    public ReceiveBuffer(ReentrantLock lock, int capacity, long byteCapacity, Supplier<RuntimeException> closedError) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        if (byteCapacity <= 0) {
            throw new IllegalArgumentException("byteCapacity must be positive, was " + byteCapacity);
        }
        this.lock = lock;
        this.capacity = capacity;
        this.byteCapacity = byteCapacity;
        this.closedError = closedError;
        this.notEmpty = lock.newCondition();
        this.notFull = lock.newCondition();
        this.messages = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    // ------------------------------------------------------------------ state

    /** Throws what a call on a stopped consumer throws: the closed error, or the failure. */
    public void checkUsable() {
        assert lock.isHeldByCurrentThread();
        if (closed) {
            throw closedError.get();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Closed or failed. */
    public boolean isStopped() {
        assert lock.isHeldByCurrentThread();
        return closed || failure != null;
    }

    public boolean isClosed() {
        assert lock.isHeldByCurrentThread();
        return closed;
    }

    /** Why the consumer failed, or null; kept after a close. */
    public RuntimeException failure() {
        assert lock.isHeldByCurrentThread();
        return failure;
    }

    /** Closes: later calls throw the closed error. True if this stopped a running consumer. */
    public boolean close() {
        assert lock.isHeldByCurrentThread();
        if (closed) {
            return false;
        }
        boolean wasRunning = failure == null;
        closed = true;
        stopped();
        return wasRunning;
    }

    /** Fails with {@code e}, thrown by later calls. First stop wins: false if already closed or failed. */
    public boolean fail(RuntimeException e) {
        assert lock.isHeldByCurrentThread();
        if (closed || failure != null) {
            return false;
        }
        failure = e;
        stopped();
        return true;
    }

    private void stopped() {
        messages.clear();
        bytes = 0;
        notEmpty.signalAll();
        notFull.signalAll();
    }

    // ------------------------------------------------------------------ the reader's side

    public long generation() {
        assert lock.isHeldByCurrentThread();
        return generation;
    }

    /**
     * Appends {@code batch} (it may overfill the buffer: the reader bounds its fetches by {@link #room()}).
     *
     * @return false, buffering nothing, if the consumer stopped or a {@link #clear()} happened since
     *         {@code generation} was read
     */
    public boolean offer(long generation, List<Message> batch) {
        assert lock.isHeldByCurrentThread();
        if (generation != this.generation || isStopped()) {
            return false;
        }
        for (int i = 0, n = batch.size(); i < n; i++) {
            Message m = batch.get(i);
            messages.addLast(m);
            bytes += sizeOf(m);
        }
        if (!batch.isEmpty()) {
            notEmpty.signalAll();
        }
        return true;
    }

    /** Free places: capacity minus what is buffered (never negative). */
    public int room() {
        assert lock.isHeldByCurrentThread();
        return Math.max(0, capacity - messages.size());
    }

    /** Free payload bytes: the byte capacity minus what is buffered (never negative). */
    public long roomBytes() {
        assert lock.isHeldByCurrentThread();
        return Math.max(0, byteCapacity - bytes);
    }

    /** Below both bounds: a reader may read more. */
    public boolean hasRoom() {
        assert lock.isHeldByCurrentThread();
        return messages.size() < capacity && bytes < byteCapacity;
    }

    /**
     * How many of {@code batch}'s first messages fit both bounds now; the first always fits into an empty
     * buffer (a message larger than the byte capacity goes alone).
     */
    public int fitting(List<Message> batch) {
        assert lock.isHeldByCurrentThread();
        int n = Math.min(batch.size(), room());
        long free = roomBytes();
        int i = 0;
        if (messages.isEmpty() && n > 0) {
            free -= sizeOf(batch.get(0));
            i = 1;
        }
        for (; i < n; i++) {
            free -= sizeOf(batch.get(i));
            if (free < 0) {
                break;
            }
        }
        return i;
    }

    /** What a message counts against the byte bound: its payload's length. */
    public static long sizeOf(Message m) {
        return m.payload().length;
    }

    /** The payload bytes buffered ({@link #sizeOf} summed). */
    public long bytes() {
        assert lock.isHeldByCurrentThread();
        return bytes;
    }

    /** Waits until there is room or the consumer stopped; false if it stopped. Not interruptible. */
    public boolean awaitRoom() {
        assert lock.isHeldByCurrentThread();
        while (!isStopped() && !hasRoom()) {
            notFull.awaitUninterruptibly();
        }
        return !isStopped();
    }

    /**
     * Waits until a message of {@code size} payload bytes fits (the buffer is empty, or it fits both bounds)
     * or the consumer stopped; false if it stopped. For a reader whose read did not fit at all
     * ({@link #fitting} was 0). Not interruptible.
     */
    public boolean awaitRoomFor(long size) {
        assert lock.isHeldByCurrentThread();
        while (!isStopped() && !messages.isEmpty() && (messages.size() >= capacity || bytes + size > byteCapacity)) {
            notFull.awaitUninterruptibly();
        }
        return !isStopped();
    }

    /** Drops what is buffered and starts a new generation (a seek). */
    public void clear() {
        assert lock.isHeldByCurrentThread();
        generation++;
        messages.clear();
        bytes = 0;
        notFull.signalAll();
    }

    // ------------------------------------------------------------------ the application's side

    /**
     * Checks the arguments of {@link io.rocksmq.api.Consumer#poll} as every backend must, and returns the
     * timeout in nanoseconds (saturated) for {@link #take}.
     *
     * @throws InvalidArgumentException if {@code maxMessages <= 0} or the timeout is null or negative
     * @throws IllegalStateException    if the consumer delivers to a listener
     */
    public static long checkPoll(int maxMessages, Duration timeout, boolean hasListener) {
        if (maxMessages <= 0) {
            throw new InvalidArgumentException("maxMessages must be positive, was " + maxMessages);
        }
        if (timeout == null || timeout.isNegative()) {
            throw new InvalidArgumentException("timeout must be zero or positive, was " + timeout);
        }
        if (hasListener) {
            throw new IllegalStateException("this consumer delivers to its MessageListener; receive/poll are not available");
        }
        return Durations.saturatedNanos(timeout);
    }

    /**
     * Up to {@code max} messages, waiting up to {@code nanos} for the first. Empty if none arrived in time,
     * or if the thread was interrupted (its interrupt status set).
     *
     * @throws RuntimeException the closed error or the failure, if the consumer stopped
     */
    public List<Message> take(int max, long nanos) {
        return take(max, Long.MAX_VALUE, nanos);
    }

    /**
     * As {@link #take(int, long)}, and at most {@code maxBytes} payload bytes ({@link #sizeOf}), but
     * always the first message, however large.
     */
    public List<Message> take(int max, long maxBytes, long nanos) {
        assert lock.isHeldByCurrentThread();
        while (true) {
            checkUsable();
            if (!messages.isEmpty()) {
                break;
            }
            if (nanos <= 0) {
                return List.of();
            }
            try {
                nanos = notEmpty.awaitNanos(nanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
        int n = Math.min(max, messages.size());
        List<Message> out = new ArrayList<>(n);
        long taken = 0;
        for (int i = 0; i < n; i++) {
            long size = sizeOf(messages.peekFirst());
            if (i > 0 && taken + size > maxBytes) {
                break;
            }
            taken += size;
            out.add(messages.pollFirst());
        }
        bytes -= taken;
        notFull.signalAll();
        return out;
    }

    /** The next message without waiting; null if none, or if the consumer stopped. */
    public Message poll() {
        assert lock.isHeldByCurrentThread();
        if (isStopped()) {
            return null;
        }
        Message m = messages.pollFirst();
        if (m != null) {
            bytes -= sizeOf(m);
            notFull.signalAll();
        }
        return m;
    }

    /** Whether a {@link #poll()} would return a message. */
    public boolean hasMessages() {
        assert lock.isHeldByCurrentThread();
        return !isStopped() && !messages.isEmpty();
    }

    public int size() {
        assert lock.isHeldByCurrentThread();
        return messages.size();
    }
}
