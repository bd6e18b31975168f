package io.rocksmq.core;

import io.rocksmq.api.StorageException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Group commit of a shared group's acks: acks that arrive while another holds the group's position lock
 * (typically while its RocksDB write runs) are finished together, in one {@code WriteBatch} and one
 * write, by the next holder of the lock.
 *
 * <h2>States of one ack, and who changes them</h2>
 * <pre>
 *   QUEUED ──drained by a holder of the position lock──▶ DONE (ok, or its failure)
 * </pre>
 * <ul>
 *   <li>The acking thread puts its {@link Pending} in {@link #queue} (lock-free) and only then takes the
 *       group's position lock, where it drains the queue itself ({@link SharedGroupState#ackQueued}). Every
 *       holder of the lock that drains takes all that is queued and completes each before it lets the lock
 *       go. So once the acking thread holds the lock, its ack was either drained and completed by an
 *       earlier holder or is still queued and drained by itself: after its own turn under the lock it is
 *       DONE, with no wait of its own.</li>
 *   <li>{@link Pending#failure} and {@link Pending#done} are written by the draining holder under the
 *       position lock and read by the acking thread after it held that lock too, so the lock orders them.</li>
 *   <li>An ack is DONE with success only after the write holding its records succeeded (the contract of
 *       {@link SharedGroup#ack}: it returns once its ack is persisted); a failed write fails every ack in it
 *       and changes nothing in memory.</li>
 * </ul>
 *
 * <p>Thread-safe: {@link #queue} is concurrent; everything else of a {@link Pending} is under the lock.
 */
final class SharedAcks {
    /** One ack waiting to be finished. */
    static final class Pending {
        final long id;
        final int attempt;
        final long incarnation;
        /** Under the position lock. */
        private boolean done;
        /** Under the position lock; null when it succeeded. */
        private RuntimeException failure;

        Pending(long id, int attempt, long incarnation) {
            this.id = id;
            this.attempt = attempt;
            this.incarnation = incarnation;
        }

        /** Under the position lock, once. */
        void complete(RuntimeException failed) {
            if (!done) {
                failure = failed;
                done = true;
            }
        }

        boolean isDone() {
            return done;
        }

        /**
         * After the acking thread's own turn under the position lock: returns if its ack is persisted, or
         * throws why not.
         */
        void outcome() {
            if (!done) { // cannot happen: whoever drains completes (SharedGroupState#ackQueued)
                throw new StorageException("the ack of message " + id + " was not finished", "Incomplete", null);
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();

    /** Queues an ack; the caller then takes the position lock and drains. */
    void offer(Pending p) {
        queue.add(p);
    }

    /** Under the position lock: everything queued now, oldest first. */
    List<Pending> drain() {
        List<Pending> out = new ArrayList<>();
        for (Pending p = queue.poll(); p != null; p = queue.poll()) {
            out.add(p);
        }
        return out;
    }
}
