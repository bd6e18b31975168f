package io.rocksmq.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link WriteCombiner} against a recording group writer, checked over the recorded history of many
 * concurrent callers: every request written exactly once, before its caller returns; the requests of
 * one caller written in the order it submitted them; a group over the cap only if it holds one request;
 * a failed group fails exactly its requests. And the same checker must catch the broken variant
 * ({@link OneGroupWriteCombiner}).
 */
class WriteCombinerTest {
    private static final long CAP = 1_000;

    private static final class Req extends WriteCombiner.Request {
        final int thread;
        final int seq;
        final long size;
        volatile long writtenAt = -1; // the write's sequence number

        Req(int thread, int seq, long size) {
            this.thread = thread;
            this.seq = seq;
            this.size = size;
        }

        @Override
        long bytes() {
            return size;
        }
    }

    /** Runs the workload and returns the violations found. */
    private static List<String> run(WriteCombiner<Req> combiner, long seed, boolean withFailures) throws Exception {
        int threads = 6;
        int perThread = 400;
        AtomicLong writes = new AtomicLong();
        AtomicInteger groupsFailed = new AtomicInteger();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        WriteCombiner.GroupWriter<Req> writer = group -> {
            // A write that takes a while, as RocksDB's does: callers arriving meanwhile queue behind it, so
            // groups form even when a loaded machine runs the workers one after another.
            LockSupport.parkNanos(20_000);
            long n = writes.incrementAndGet();
            long bytes = group.stream().mapToLong(Req::bytes).sum();
            if (group.size() > 1 && bytes > CAP) {
                violations.add("group of " + group.size() + " requests, " + bytes + " bytes, over the cap");
            }
            if (withFailures && n % 7 == 0) {
                groupsFailed.incrementAndGet();
                throw new IllegalStateException("write " + n + " failed");
            }
            for (Req r : group) {
                if (r.writtenAt != -1) {
                    violations.add("request " + r.thread + "/" + r.seq + " written twice");
                }
                r.writtenAt = n;
            }
        };
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread w = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed * 31 + thread);
                long lastWrite = 0;
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int seq = 0; seq < perThread; seq++) {
                    long size = random.nextInt(3) == 0 ? CAP / 2 + 1 : 1 + random.nextInt(200);
                    Req r = new Req(thread, seq, size);
                    boolean failed = false;
                    try {
                        combiner.submit(r, writer);
                    } catch (IllegalStateException e) {
                        failed = true;
                    }
                    if (!failed && r.writtenAt == -1) {
                        violations.add("request " + thread + "/" + seq + " returned unwritten");
                    }
                    if (failed && r.writtenAt != -1) {
                        violations.add("request " + thread + "/" + seq + " failed but was written");
                    }
                    if (r.writtenAt != -1) {
                        if (r.writtenAt < lastWrite) {
                            violations.add("request " + thread + "/" + seq + " written before an earlier one of its caller");
                        }
                        lastWrite = r.writtenAt;
                    }
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        return new ArrayList<>(violations);
    }

    private static List<String> runSeeds(BiFunction<ReentrantLock, Long, WriteCombiner<Req>> make, boolean failures)
            throws Exception {
        List<String> all = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++) {
            all.addAll(run(make.apply(new ReentrantLock(), CAP), seed, failures));
        }
        return all;
    }

    @Test
    void everyRequestIsWrittenOnceBeforeItsCallerReturnsInItsCallersOrder() throws Exception {
        assertThat(runSeeds(WriteCombiner::new, false)).isEmpty();
    }

    @Test
    void aFailedGroupFailsExactlyItsRequests() throws Exception {
        assertThat(runSeeds(WriteCombiner::new, true)).isEmpty();
    }

    @Test
    void theCheckerCatchesACallerThatWritesOnlyOneGroup() throws Exception {
        List<String> found = new ArrayList<>();
        for (long seed = 1; seed <= 50 && found.isEmpty(); seed++) { // usually the first seed suffices
            found.addAll(run(new OneGroupWriteCombiner<>(new ReentrantLock(), CAP), seed, false));
        }
        assertThat(found).as("the broken variant must be caught").anyMatch(v -> v.contains("returned unwritten"));
    }
}
