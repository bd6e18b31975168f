package io.rocksmq.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The lifecycle of a thing operations run on (the queue, a topic, a consumer group):
 * {@code ACTIVE -> CLOSING -> CLOSED}, plus the count of operations in flight on it.
 *
 * <p>Both live in one atomic word, so "check the state and register as in flight" is a single CAS:
 * once {@link #beginClose()} succeeded no new operation can enter, and {@link #awaitQuiescent()}
 * returns once every operation that did enter has {@link #exit() exited}. There is no window in
 * which an operation can see ACTIVE and start after the closer has seen it idle.
 *
 * <pre>
 * word: [state: 2 bits][in-flight count: 62 bits]
 * </pre>
 *
 * <p>Thread-safe, lock-free. Entering and exiting allocate nothing.
 */
final class Lifecycle {
    static final int ACTIVE = 0;
    static final int CLOSING = 1;
    static final int CLOSED = 2;

    private static final int STATE_SHIFT = 62;
    private static final long COUNT_MASK = (1L << STATE_SHIFT) - 1;

    private final AtomicLong word = new AtomicLong();
    /** The thread waiting in {@link #awaitQuiescent()}, unparked by the last exiting operation. */
    private volatile Thread closer;

    /** Registers an operation; false (and nothing registered) unless the state is ACTIVE. */
    boolean tryEnter() {
        while (true) {
            long w = word.get();
            if (state(w) != ACTIVE) {
                return false;
            }
            if (word.compareAndSet(w, w + 1)) {
                return true;
            }
        }
    }

    /** Ends an operation that {@link #tryEnter() entered}. */
    void exit() {
        long w = word.decrementAndGet();
        if (state(w) != ACTIVE && count(w) == 0) {
            Thread t = closer;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** ACTIVE -> CLOSING. Exactly one caller wins; new operations are refused from here on. */
    boolean beginClose() {
        while (true) {
            long w = word.get();
            if (state(w) != ACTIVE) {
                return false;
            }
            if (word.compareAndSet(w, ((long) CLOSING << STATE_SHIFT) | count(w))) {
                return true;
            }
        }
    }

    /**
     * Waits until no operation is in flight. Called by the winner of {@link #beginClose()}; bounded by
     * the longest operation that had already entered (operations never block on consumers).
     *
     * <p>No polling: the closer publishes itself, then reads the count; an exiting operation
     * decrements the count, then reads the closer. Both are sequentially consistent, so either the
     * closer sees zero or the last exiter sees the closer and unparks it (proven by the jcstress
     * {@code LifecycleStress} tests in rocksmq-stress).
     */
    void awaitQuiescent() {
        closer = Thread.currentThread();
        try {
            while (count(word.get()) != 0) {
                LockSupport.park(this);
            }
        } finally {
            closer = null;
        }
    }

    /** CLOSING -> ACTIVE: the closer gave up (its storage write failed) and the thing lives on. */
    void reopen() {
        word.set(count(word.get()));
    }

    /** CLOSING -> CLOSED, after {@link #awaitQuiescent()}. */
    void markClosed() {
        word.set((long) CLOSED << STATE_SHIFT);
    }

    int state() {
        return state(word.get());
    }

    boolean isActive() {
        return state(word.get()) == ACTIVE;
    }

    long inFlight() {
        return count(word.get());
    }

    private static int state(long w) {
        return (int) (w >>> STATE_SHIFT);
    }

    private static long count(long w) {
        return w & COUNT_MASK;
    }
}
