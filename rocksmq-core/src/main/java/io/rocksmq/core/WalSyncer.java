package io.rocksmq.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
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
 * <p>Gathering: a leader first waits, briefly ({@link #GATHER_NANOS} at most, parked), for
 * the durable writes already under way ({@link #beginDurableWrite} to {@link #endDurableWrite}) to
 * take their tickets, so that its sync covers them too instead of leaving them to the next round.
 * Nobody under way, nobody waits: a lone producer pays no delay.
 *
 * <p>Correctness: a ticket is taken only after its write returned, so every ticket {@code <= target}
 * belongs to a write that is in the log before the sync that declares {@code target} synced begins.
 *
 * <p>A failed sync is final: every waiter not yet covered by an earlier successful sync fails, now and
 * in every later call, and no further sync is attempted. After a failed fsync the kernel may have
 * dropped the dirty pages and report the next fsync as clean ("fsyncgate"), so no later sync could
 * prove that writes made before the failure reached the disk; and a write can complete before the
 * failure yet take its ticket after it, so no ticket range can safely be excused. FSYNC produce
 * therefore fails until the queue is reopened (RocksDB also refuses writes after a failed WAL sync).
 *
 * <p>Thread-safe. {@link #lock} guards {@link #synced} and {@link #syncing}; {@link #failure} is written
 * under it and volatile: writers read it without the lock ({@link #failure()}) to refuse new writes.
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

    /** The longest a leader waits for durable writes under way before it syncs (about one fsync here). */
    static final long GATHER_NANOS = 300_000;

    private final SyncAction action;
    private final long gatherNanos;
    private final AtomicLong issued = new AtomicLong();
    private final AtomicInteger durableWritesUnderWay = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition roundDone = lock.newCondition();
    private long synced;
    private boolean syncing;
    /** Set by the first failed sync, never cleared: see the class comment. */
    private volatile Throwable failure;
    private final AtomicLong syncCount = new AtomicLong();
    /** The leader while it gathers, for {@link #endDurableWrite} to wake; else null. */
    private volatile Thread gatherer;

    WalSyncer(SyncAction action) {
        this(action, GATHER_NANOS);
    }

    /** With another bound on gathering (tests use a long one to make the gathering deterministic). */
    WalSyncer(SyncAction action, long gatherNanos) {
        this.action = action;
        this.gatherNanos = gatherNanos;
    }

    /** A write that will wait for durability is about to start (it may first queue for its topic's lock). */
    void beginDurableWrite() {
        durableWritesUnderWay.incrementAndGet();
    }

    /** Once per {@link #beginDurableWrite}, after the write took its ticket or failed. */
    void endDurableWrite() {
        if (durableWritesUnderWay.decrementAndGet() == 0) {
            Thread g = gatherer;
            if (g != null) {
                LockSupport.unpark(g);
            }
        }
    }

    /**
     * Records a failed fsync of the log made outside the group commit (the watermark's): final, as a
     * failure of its own, since pages of writes this syncer covers may have been dropped too.
     */
    void failedElsewhere(Throwable error) {
        lock.lock();
        try {
            if (failure == null) {
                failure = error;
            }
            roundDone.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Called after a write returned; the ticket to pass to {@link #awaitSynced}. */
    long ticket() {
        return issued.incrementAndGet();
    }

    /**
     * Returns once a sync that started after the ticket's write has completed.
     *
     * @throws SyncFailedException if a sync has failed and none before it covered this ticket
     */
    void awaitSynced(long ticket) throws SyncFailedException {
        lock.lock();
        try {
            while (true) {
                if (synced >= ticket) {
                    return;
                }
                if (failure != null) {
                    throw new SyncFailedException(failure);
                }
                if (syncing) {
                    roundDone.awaitUninterruptibly();
                    continue;
                }
                syncing = true;
                lock.unlock();
                Throwable error = null;
                long target = 0;
                try {
                    gather();
                    target = issued.get();
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
                        failure = error;
                    }
                    roundDone.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lets the durable writes under way take their tickets before the sync starts, bounded by
     * {@link #gatherNanos}. Waits parked, not spinning: on a small machine the writers it waits for
     * need the CPU. The last write under way to finish wakes it ({@link #endDurableWrite}). (Waiting
     * also for writes that have not started yet, a quiet window, measured slower: rounds get longer
     * faster than they get fuller.)
     */
    private void gather() {
        if (durableWritesUnderWay.get() == 0) {
            return;
        }
        gatherer = Thread.currentThread();
        try {
            long start = System.nanoTime();
            while (durableWritesUnderWay.get() > 0) {
                long left = gatherNanos - (System.nanoTime() - start);
                if (left <= 0) {
                    return;
                }
                LockSupport.parkNanos(this, left);
            }
        } finally {
            gatherer = null;
        }
    }

    /**
     * Why a sync failed, or null if none did. Once set, the store refuses every new write: a write made
     * after a failed fsync could never be made durable (see the class comment), and RocksDB does not
     * always stop writes by itself (a failed fsync of the log's directory leaves it writable).
     */
    Throwable failure() {
        return failure;
    }

    /** Number of successful fsyncs performed (for the group-commit ratio). */
    long syncCount() {
        return syncCount.get();
    }
}
