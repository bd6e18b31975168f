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
 * <p>Thread-safe. {@link #lock} guards {@link #synced} and {@link #syncing}.
 */
final class WalSyncer {
    /** The fsync itself; RocksDB's {@code SyncWAL} in production. */
    interface SyncAction {
        void sync() throws Exception;
    }

    private final SyncAction action;
    private final AtomicLong issued = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition roundDone = lock.newCondition();
    private long synced;
    private boolean syncing;
    private final AtomicLong syncCount = new AtomicLong();

    WalSyncer(SyncAction action) {
        this.action = action;
    }

    /** Called after a write returned; the ticket to pass to {@link #awaitSynced}. */
    long ticket() {
        return issued.incrementAndGet();
    }

    /** Returns once a sync that started after the ticket's write has completed. */
    void awaitSynced(long ticket) throws Exception {
        lock.lock();
        try {
            while (synced < ticket) {
                if (syncing) {
                    roundDone.awaitUninterruptibly();
                    continue;
                }
                syncing = true;
                long target = issued.get();
                lock.unlock();
                boolean ok = false;
                try {
                    action.sync();
                    syncCount.incrementAndGet();
                    ok = true;
                } finally {
                    lock.lock();
                    syncing = false;
                    if (ok && target > synced) {
                        synced = target;
                    }
                    roundDone.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Number of fsyncs performed (for the group-commit ratio). */
    long syncCount() {
        return syncCount.get();
    }
}
