package io.rocksmq.core;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One measured run of the multi-topic disk bound: {@code topics} topics, each with the hard cap
 * {@code capPerTopic}, no consumers, incompressible 1 KiB messages produced round-robin in batches
 * of 100 until {@code totalBytes} are produced, with the background retention worker doing the work
 * (interval 1 s) as in production. The data directory (every file, walked) is sampled every 20 ms;
 * {@code settled} is its size after a full pass, the sweep of a quiet queue, and the reclaimer.
 *
 * <p>Used by {@link MultiTopicDiskBoundTest} (small cases in the default run, the matrix under
 * {@code -Plong}). Not thread-safe; one run at a time per directory.
 */
final class MultiTopicDiskRun {
    static final long MB = 1L << 20;
    static final int MESSAGE = 1024;
    static final int PER_BATCH = 100;

    /** Sizes in bytes; {@code average} over the samples taken while producing. */
    record Result(int topics, long capPerTopic, long writeBuffer, long produced, long peak, long average,
                  long settled, long retained, long samples, double seconds) {
        long caps() {
            return topics * capPerTopic;
        }

        @Override
        public String toString() {
            return String.format("topics=%d cap/topic=%.0f MiB W=%.0f MiB produced=%.0f MiB: peak %.1f MiB, "
                            + "average %.1f MiB, settled %.1f MiB (retained %.1f MiB; bound %.1f MiB; %d samples, %.0f s)",
                    topics, capPerTopic / (double) MB, writeBuffer / (double) MB, produced / (double) MB,
                    peak / (double) MB, average / (double) MB, settled / (double) MB, retained / (double) MB,
                    bound(caps(), writeBuffer) / (double) MB, samples, seconds);
        }
    }

    private MultiTopicDiskRun() {
    }

    /**
     * The bound README states, for any number of topics: {@code 2 × (Σcaps + 16 W) + 8 W + 2 MiB}.
     * Table files hold the retained data plus deleted data not yet reclaimed: at most 12 level-0
     * files of about {@code W} (writes stop there) and 4 {@code W} straddling cuts below level 0
     * (then tombstones and compactions clean it). Level-0 files mix every topic, so a level-0
     * compaction takes all of level 1 with it, and when compaction lags (CPU) that can be nearly all
     * table data, whose rewritten copy coexists with it until the compaction ends: twice. The
     * write-ahead log: at most 8 {@code W}. MANIFEST, OPTIONS, LOG and the rest: 2 MiB.
     */
    static long bound(long sumOfCaps, long writeBuffer) {
        return 2 * (sumOfCaps + 16 * writeBuffer) + 8 * writeBuffer + 2 * MB;
    }

    /** Once retention swept a quiet queue: the retained data, the write-ahead log and small files. */
    static long settledBound(long sumOfCaps, long writeBuffer) {
        return sumOfCaps + 8 * writeBuffer + 2 * MB;
    }

    static Result run(Path dir, int topics, long capPerTopic, long writeBuffer, long totalBytes) throws IOException {
        RocksMqConfig cfg = RocksMqConfig.builder(dir)
                .writeBufferBytes(writeBuffer)
                .defaultRetention(RetentionPolicy.KEEP_ALL.withMaxRetentionBytes(capPerTopic))
                .retentionInterval(Duration.ofSeconds(1))
                .build();
        Random rnd = new Random(42);
        List<ProducerMessage> batch = new ArrayList<>();
        for (int i = 0; i < PER_BATCH; i++) {
            byte[] p = new byte[MESSAGE];
            rnd.nextBytes(p); // incompressible: disk usage is not flattered by LZ4
            batch.add(ProducerMessage.of(p));
        }
        long start = System.nanoTime();
        AtomicLong peak = new AtomicLong();
        AtomicLong sum = new AtomicLong();
        AtomicLong samples = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!stop.get()) {
                try {
                    long size = RetentionDiskBoundTest.directorySize(dir);
                    peak.accumulateAndGet(size, Math::max);
                    sum.addAndGet(size);
                    samples.incrementAndGet();
                    Thread.sleep(20);
                } catch (IOException | RuntimeException e) {
                    // a file vanished mid-walk; the next sample tells
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "disk-sampler");
        sampler.setDaemon(true);
        long produced = 0;
        long settled;
        long retained = 0;
        try (RocksMq mq = RocksMq.open(cfg)) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < topics; i++) {
                names.add("t" + i);
                mq.createTopic(names.get(i));
            }
            sampler.start();
            try {
                for (int i = 0; produced < totalBytes; i = (i + 1) % topics) {
                    mq.produce(names.get(i), batch);
                    produced += (long) PER_BATCH * MESSAGE;
                }
                mq.admin().runRetention();
                mq.awaitSpaceReclaimed();
            } finally {
                stop.set(true);
                try {
                    sampler.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            mq.admin().runRetention(); // nothing deleted since the last full pass: sweeps every remnant
            mq.awaitSpaceReclaimed();
            settled = RetentionDiskBoundTest.directorySize(dir);
            for (String n : names) {
                retained += mq.admin().topicStats(n).retainedBytes();
            }
        }
        long n = Math.max(1, samples.get());
        return new Result(topics, capPerTopic, writeBuffer, produced, Math.max(peak.get(), settled), sum.get() / n,
                settled, retained, samples.get(), (System.nanoTime() - start) / 1e9);
    }
}
