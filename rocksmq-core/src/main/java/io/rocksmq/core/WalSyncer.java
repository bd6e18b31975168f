package io.rocksmq.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for {@link Durability#FSYNC}: one fsync of the write-ahead log covers every write that
 * completed before it started.
 *
 * <p>Every write takes a ticket after it returns ({@link #ticket()}); a writer that needs durability
 * waits in {@link #awaitSynced(long)}. If no sync is running it becomes the leader: it reads the
 * highest ticket issued so far, syncs without holding the lock, and then declares everything up to
 * that ticket synced. Writers that arrive while a sync runs wait for the next one, which covers all of
 * them at once; so N concurrent producers pay about one fsync per round instead of N.
 *
 * <p>Correctness: a ticket is taken only after its write returned, so every ticket {@code <= target}
 * belongs to a write that is in the log before the sync that declares {@code target} synced begins.
 *
 * <p>A failed sync fails every ticket it was meant to cover, and a later successful sync never
 * acknowledges them: after a failed fsync the kernel may have dropped the dirty pages and report the
 * next fsync as clean ("fsyncgate"), so a retry proves nothing about writes made before the failure.
 * Those writers get the failure instead (their batch may or may not survive a crash). RocksDB also
 * stops accepting writes after a failed WAL sync until it has recovered, so no new ticket lands in
 * the damaged log.
 *
 * <p>Thread-safe. {@link #lock} guards {@link #synced}, {@link #syncing} and the failure fields.
 */
final class WalSyncer {
    /** The fsync itself; RocksDB's {@code SyncWAL} in production. */
    interface SyncAction {
        void sync() throws Exception;
    }

    /** A sync that should have covered the waiter's ticket failed; {@link #getCause()} says why. */
    static final class SyncFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        SyncFailedException(Throwable cause) {
            super("fsync of the write-ahead log failed", cause);
        }
    }

    private final SyncAction action;
    private final AtomicLong issued = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition roundDone = lock.newCondition();
    private long synced;
    private boolean syncing;
    /**
     * Tickets in {@code [failedFrom, failedThrough]} were covered by a failed sync. Successive failures
     * are merged into one range: that may also fail a ticket a sync in between did cover, which is
     * safe (its caller is told "maybe not durable" about a batch that is), never the reverse.
     */
    private long failedFrom = Long.MAX_VALUE;
    private long failedThrough = Long.MIN_VALUE;
    private Throwable failure;
    private final AtomicLong syncCount = new AtomicLong();

    WalSyncer(SyncAction action) {
        this.action = action;
    }

    /** Called after a write returned; the ticket to pass to {@link #awaitSynced}. */
    long ticket() {
        return issued.incrementAndGet();
    }

    /**
     * Returns once a sync that started after the ticket's write has completed.
     *
     * @throws SyncFailedException if the sync meant to cover this ticket failed (then no later sync
     *                             is taken as covering it)
     */
    void awaitSynced(long ticket) throws SyncFailedException {
        lock.lock();
        try {
            while (true) {
                if (ticket >= failedFrom && ticket <= failedThrough) {
                    throw new SyncFailedException(failure);
                }
                if (synced >= ticket) {
                    return;
                }
                if (syncing) {
                    roundDone.awaitUninterruptibly();
                    continue;
                }
                syncing = true;
                long target = issued.get();
                lock.unlock();
                Throwable error = null;
                try {
                    action.sync();
                    syncCount.incrementAndGet();
                } catch (Exception | Error e) {
                    error = e;
                } finally {
                    lock.lock();
                    syncing = false;
                    if (error == null) {
                        synced = Math.max(synced, target);
                    } else {
                        failedFrom = Math.min(failedFrom, synced + 1);
                        failedThrough = Math.max(failedThrough, target);
                        failure = error;
                    }
                    roundDone.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Number of successful fsyncs performed (for the group-commit ratio). */
    long syncCount() {
        return syncCount.get();
    }
}
