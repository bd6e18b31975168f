package io.rocksmq.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Write combining: concurrent callers queue their requests, and whoever holds the lock writes every
 * queued request (in queue order) as one group, so N concurrent producers to a topic share one RocksDB
 * write instead of queueing for one each. A caller that finds its request written when it gets the
 * lock just returns; a lone caller writes its own.
 *
 * <h2>States and who changes them</h2>
 * A request is QUEUED ({@link #submit} added it) -> DONE (a lock holder wrote it, or the write failed:
 * {@link Request#failure}). Only a lock holder drains the queue and marks requests done; it sets the
 * request's results before the volatile {@code done} write, and the owner reads them after seeing it.
 *
 * <h2>The rule that makes it correct</h2>
 * A caller returns only once its own request is DONE: it keeps writing groups while it holds the lock
 * and its request is still queued (a group takes at most {@code maxGroupBytes} beyond its first
 * request, so a request may sit behind several groups). A failed group fails every request in it, and
 * nothing of it was written (the group is one atomic write).
 *
 * <p>Thread-safe.
 *
 * @param <R> the request type; the group writer sets its results
 */
class WriteCombiner<R extends WriteCombiner.Request> {
    /** One caller's request. */
    abstract static class Request {
        /** A RuntimeException or an Error; every request of a failed group gets the same one. */
        private Throwable failure;
        private volatile boolean done;

        /** Its size, for the group cap. */
        abstract long bytes();

        boolean isDone() {
            return done;
        }
    }

    /** Writes one group atomically, under the lock; throws to fail the whole group. */
    interface GroupWriter<R> {
        void write(List<R> group);
    }

    private final ReentrantLock lock;
    private final long maxGroupBytes;
    private final ConcurrentLinkedQueue<R> pending = new ConcurrentLinkedQueue<>();

    /**
     * @param lock          the lock every group is written under (the topic's produce lock)
     * @param maxGroupBytes the most a group takes beyond its first request
     */
    WriteCombiner(ReentrantLock lock, long maxGroupBytes) {
        this.lock = lock;
        this.maxGroupBytes = maxGroupBytes;
    }

    /** Returns once {@code request} is written; rethrows the failure of its group if that failed. */
    void submit(R request, GroupWriter<R> writer) {
        enqueue(request);
        lock();
        try {
            while (!request.isDone()) {
                writeGroup(writer);
            }
        } finally {
            unlock();
        }
        rethrowFailure(request);
    }

    static void rethrowFailure(Request request) {
        if (request.failure instanceof RuntimeException e) {
            throw e;
        }
        if (request.failure instanceof Error e) {
            throw e;
        }
    }

    /** Under the lock: writes the queued requests from the head, at most one group's worth. */
    final void writeGroup(GroupWriter<R> writer) {
        List<R> group = new ArrayList<>();
        long bytes = 0;
        for (R r; (r = pending.peek()) != null; ) {
            long b = r.bytes();
            if (!group.isEmpty() && bytes + b > maxGroupBytes) {
                break; // the rest goes in the next group, by whoever holds the lock next
            }
            pending.poll();
            group.add(r);
            bytes += b;
        }
        if (group.isEmpty()) {
            return;
        }
        try {
            writer.write(group);
        } catch (RuntimeException | Error e) {
            for (R r : group) {
                ((Request) r).failure = e;
            }
        } finally {
            for (R r : group) {
                ((Request) r).done = true; // after its results and failure: the owner reads them after this
            }
        }
    }

    // The steps of submit, apart so that variants (the broken one in the tests) are built from them.

    final void lock() {
        lock.lock();
    }

    final void unlock() {
        lock.unlock();
    }

    final void enqueue(R request) {
        pending.add(request);
    }
}
