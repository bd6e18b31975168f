package io.rocksmq.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link WalSyncer} against a recording fake fsync: what "covered by a sync" means, and what happens
 * when a sync fails.
 */
class DurabilityGroupCommitTest {
    /** One fake fsync: the last "write" it covers (the log length when it started) and its outcome. */
    record Round(long coversThrough, boolean completed) {
    }

    /**
     * Writers append to a fake log (a counter), take a ticket, and wait. The fake sync records the log
     * length when it starts. When awaitSynced returns, some completed sync must have started after the
     * writer's append, i.e. covered it. Run with random pauses in the sync to vary the interleavings.
     */
    @Test
    void everyReturnedWaiterWasCoveredByACompletedSyncThatStartedAfterItsWrite() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        AtomicLong log = new AtomicLong();
        CopyOnWriteArrayList<Round> rounds = new CopyOnWriteArrayList<>();
        WalSyncer syncer = new WalSyncer(() -> {
            long coveredThrough = log.get();
            int index = rounds.size();
            rounds.add(new Round(coveredThrough, false));
            LockSupport.parkNanos(random.nextInt(200_000));
            rounds.set(index, new Round(coveredThrough, true));
        });
        int threads = 8;
        int perThread = 300;
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        runConcurrently(threads, () -> {
            for (int i = 0; i < perThread; i++) {
                long position;
                long ticket;
                // The write and its ticket, as RocksStore.write does: ticket after the write returned.
                position = log.incrementAndGet();
                ticket = syncer.ticket();
                syncer.awaitSynced(ticket);
                boolean covered = rounds.stream().anyMatch(r -> r.completed() && r.coversThrough() >= position);
                if (!covered) {
                    violations.add("write " + position + " (ticket " + ticket + ") returned uncovered");
                }
            }
            return null;
        });
        assertThat(violations).as("seed %d", seed).isEmpty();
        assertThat(syncer.syncCount()).as("seed %d", seed).isEqualTo(rounds.size());
        assertThat(syncer.syncCount()).as("group commit, seed %d", seed).isLessThan((long) threads * perThread);
    }

    /**
     * A leader must let a durable write already under way join its sync. Without the gathering, the
     * leader's sync (instant here) would return first and the other write would need a second one.
     */
    @Test
    void aLeaderWaitsForTheDurableWritesUnderWaySoThatOneSyncCoversThem() throws Exception {
        AtomicLong syncs = new AtomicLong();
        WalSyncer syncer = new WalSyncer(syncs::incrementAndGet, java.util.concurrent.TimeUnit.SECONDS.toNanos(60));
        syncer.beginDurableWrite(); // writer A is under way (queued for its topic's lock, say)
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<?> leader = executor.submit(() -> {
                syncer.awaitSynced(syncer.ticket()); // writer B: done writing, leads a sync
                return null;
            });
            Thread.sleep(200);
            assertThat(leader.isDone()).as("the leader waits for A").isFalse();
            long a = syncer.ticket(); // A's write returned
            syncer.endDurableWrite();
            leader.get();
            syncer.awaitSynced(a);
            assertThat(syncs.get()).as("one sync covered both").isEqualTo(1);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aFailedSyncFailsEveryWaiterNotCoveredBeforeItAndNoSyncIsTriedAgain() throws Exception {
        AtomicLong calls = new AtomicLong();
        WalSyncer syncer = new WalSyncer(() -> {
            if (calls.incrementAndGet() == 2) {
                throw new java.io.IOException("EIO from the fake disk");
            }
        });
        long first = syncer.ticket();
        syncer.awaitSynced(first); // sync 1 succeeds
        long second = syncer.ticket();
        long third = syncer.ticket();
        assertThatThrownBy(() -> syncer.awaitSynced(second)) // sync 2 covers 2 and 3, fails
                .isInstanceOf(WalSyncer.SyncFailedException.class)
                .hasRootCauseMessage("EIO from the fake disk");
        assertThatThrownBy(() -> syncer.awaitSynced(third)).isInstanceOf(WalSyncer.SyncFailedException.class);
        // A later write is not acknowledged either: its data may share the pages the failure dropped.
        long fourth = syncer.ticket();
        assertThatThrownBy(() -> syncer.awaitSynced(fourth)).isInstanceOf(WalSyncer.SyncFailedException.class);
        assertThat(calls.get()).as("no sync after the failure").isEqualTo(2);
        // What was acknowledged before the failure stays acknowledged.
        syncer.awaitSynced(first);
        assertThat(syncer.syncCount()).isEqualTo(1);
    }

    /**
     * Concurrent waiters while the k-th fake sync fails. A waiter that returns normally must have
     * been covered by a successful sync that completed before the failure; after the failure every
     * waiter fails and the fake is never called again.
     */
    @Test
    void concurrentWaitersAroundAFailedSyncAreNeverAcknowledgedByLuck() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int failAt = 5 + random.nextInt(40);
        AtomicLong log = new AtomicLong();
        CopyOnWriteArrayList<long[]> rounds = new CopyOnWriteArrayList<>(); // [coversThrough, ok]
        AtomicLong callsAfterFailure = new AtomicLong();
        WalSyncer syncer = new WalSyncer(() -> {
            if (rounds.size() >= failAt) {
                callsAfterFailure.incrementAndGet();
            }
            long covered = log.get();
            LockSupport.parkNanos(random.nextInt(100_000));
            boolean fail = rounds.size() + 1 == failAt;
            rounds.add(new long[] {covered, fail ? 0 : 1});
            if (fail) {
                throw new java.io.IOException("fake failure");
            }
        });
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicLong failedCalls = new AtomicLong();
        runConcurrently(8, () -> {
            for (int i = 0; i < 200; i++) {
                long position = log.incrementAndGet();
                long ticket = syncer.ticket();
                try {
                    syncer.awaitSynced(ticket);
                    boolean covered = false;
                    for (long[] r : rounds) {
                        if (r[1] == 0) {
                            break; // only rounds before the failure count
                        }
                        covered |= r[0] >= position;
                    }
                    if (!covered) {
                        violations.add("write " + position + " acknowledged without a successful sync before the failure");
                    }
                } catch (WalSyncer.SyncFailedException e) {
                    failedCalls.incrementAndGet();
                }
            }
            return null;
        });
        assertThat(violations).as("seed %d", seed).isEmpty();
        assertThat(callsAfterFailure.get()).as("seed %d", seed).isZero();
        assertThat(failedCalls.get()).as("seed %d", seed).isPositive();
    }

    private interface Body {
        Void run() throws Exception;
    }

    private static void runConcurrently(int threads, Body body) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return body.run();
                }));
            }
            for (Future<Void> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
