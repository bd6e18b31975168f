package io.rocksmq.core;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Disk stays bounded under continuous produce with no consumer: a 50 MB hard cap, several hundred
 * MB produced, the data directory's size (all files, walked) sampled every 20 ms throughout, after
 * the last pass, and after reopening. The background worker does the work, as in production.
 *
 * <h2>Slack</h2>
 * Beyond the cap (which counts stored bytes, and incompressible payloads make disk bytes match), the
 * directory holds RocksDB's working space. With write buffer {@code W} ({@code writeBufferBytes}; 4 MiB
 * here), which is also the message files' target size:
 * <ul>
 *   <li>write-ahead log, at most {@code 8W}: the message family keeps at most 4 memtables
 *       ({@code max_write_buffer_number}; writes stall beyond), and the metadata family, whose small
 *       memtable pins older log files, is flushed once the log exceeds {@code max_total_wal_size = 4W};</li>
 *   <li>deleted entries still in files, at most {@code 4W} plus the file straddling the cut: whole
 *       files are dropped at once, a tombstone and compaction clean the remnant once it exceeds
 *       {@code 4W} ({@link SpaceReclaimer#TOMBSTONE_THRESHOLD_WRITE_BUFFERS}, all topics together;
 *       one topic here, many in {@link MultiTopicDiskBoundTest});</li>
 *   <li>a flush or compaction in progress, whose output coexists with its inputs: {@code 2W};</li>
 *   <li>MANIFEST, OPTIONS, LOG, CURRENT, LOCK: well under 2 MiB.</li>
 * </ul>
 * {@link #SLACK} = {@code 15W + 2 MiB} = 62 MiB. Measured: see the printed figures (about 35 MiB
 * over the cap at the peak on a 2-core machine).
 */
class RetentionDiskBoundTest {
    private static final long MB = 1L << 20;
    private static final long WRITE_BUFFER = 4 * MB;
    private static final long CAP = 50 * MB;
    static final long SLACK = 15 * WRITE_BUFFER + 2 * MB;
    private static final int MESSAGE = 1024;
    private static final int PER_BATCH = 100;

    @TempDir
    Path dir;

    @Test
    void diskStaysUnderCapPlusSlackWhileProducingSeveralHundredMegabytes() throws Exception {
        run(400 * MB, Long.getLong("rocksmq.diskbound.print", 0));
    }

    @Tag("long")
    @Test
    void longRunStaysBounded() throws Exception {
        run(Long.getLong("rocksmq.diskbound.bytes", 20_000 * MB), 2_000);
    }

    private void run(long totalBytes, long printEveryMillis) throws Exception {
        RocksMqConfig cfg = RocksMqConfig.builder(dir)
                .writeBufferBytes(WRITE_BUFFER)
                .defaultRetention(RetentionPolicy.KEEP_ALL.withMaxRetentionBytes(CAP))
                .retentionInterval(Duration.ofSeconds(1))
                .build();
        Random rnd = new Random(42);
        List<ProducerMessage> batch = new ArrayList<>();
        for (int i = 0; i < PER_BATCH; i++) {
            byte[] p = new byte[MESSAGE];
            rnd.nextBytes(p); // incompressible: disk usage is not flattered by LZ4
            batch.add(ProducerMessage.of(p));
        }
        AtomicLong produced = new AtomicLong();
        long maxDisk;
        long lastId;
        try (RocksMq mq = RocksMq.open(cfg)) {
            mq.createTopic("firehose");
            try (Sampler sampler = new Sampler(dir, produced, () -> mq.admin().topicStats("firehose").retainedBytes(),
                    printEveryMillis)) {
                long[] ids = null;
                long maxAfterProduce = 0;
                while (produced.get() < totalBytes) {
                    ids = mq.produce("firehose", batch);
                    produced.addAndGet((long) PER_BATCH * MESSAGE);
                    // produce returns only once retention is within half a write buffer of the cap
                    maxAfterProduce = Math.max(maxAfterProduce, mq.admin().topicStats("firehose").retainedBytes());
                }
                assertThat(maxAfterProduce).isLessThanOrEqualTo(CAP + Retention.throttleSlack(cfg));
                lastId = ids[ids.length - 1];
                mq.admin().runRetention();
                mq.awaitSpaceReclaimed();
                maxDisk = sampler.stop();
                long afterPass = directorySize(dir);
                mq.admin().runRetention(); // nothing deleted since the last full pass: sweeps the remnant
                mq.awaitSpaceReclaimed();
                TopicStats s = mq.admin().topicStats("firehose");
                long settled = directorySize(dir);
                System.out.printf("produced %d MB; max disk %.1f MB; after last pass %.1f MB; after the sweep %.1f MB "
                                + "%s; retained %.1f MB (%d messages; at most %.1f MB at a sample, %.1f MB when a "
                                + "produce returned), deleted %d messages; samples %d%n",
                        produced.get() / MB, maxDisk / (double) MB, afterPass / (double) MB, settled / (double) MB,
                        breakdown(dir), s.retainedBytes() / (double) MB, s.retainedMessages(),
                        sampler.maxRetained() / (double) MB, maxAfterProduce / (double) MB, s.deletedMessages(),
                        sampler.samples());
                assertThat(s.retainedBytes()).isLessThanOrEqualTo(CAP);
                assertThat(s.retainedBytes()).isGreaterThan(CAP - 2 * batchStoredBytes());
                assertThat(s.deletedByMaxRetentionBytes()).isEqualTo(s.deletedMessages());
                assertThat(s.latestId()).isEqualTo(lastId);
                assertThat(afterPass).isLessThanOrEqualTo(CAP + SLACK);
                // Once swept, only the log may still hold more than the retained data.
                assertThat(settled).isLessThanOrEqualTo(CAP + 8 * WRITE_BUFFER + 2 * MB);
            }
        }
        long closed = directorySize(dir);
        try (RocksMq mq = RocksMq.open(cfg)) {
            long reopened = directorySize(dir);
            TopicStats s = mq.admin().topicStats("firehose");
            System.out.printf("after close %.1f MB; after reopen %.1f MB; retained %.1f MB%n",
                    closed / (double) MB, reopened / (double) MB, s.retainedBytes() / (double) MB);
            assertThat(s.retainedBytes()).isLessThanOrEqualTo(CAP);
            assertThat(mq.read("firehose", 0, 1).get(0).id()).isEqualTo(s.earliestId());
            assertThat(closed).isLessThanOrEqualTo(CAP + SLACK);
            assertThat(reopened).isLessThanOrEqualTo(CAP + SLACK);
        }
        assertThat(maxDisk).as("max size of the data directory while producing").isLessThanOrEqualTo(CAP + SLACK);
    }

    private static long batchStoredBytes() {
        return StorageLayout.entryBytes(BatchFormat.BATCH_HEADER_BYTES + PER_BATCH * (MESSAGE + 6));
    }

    /** Apparent size of every regular file under the directory; files vanishing mid-walk are skipped. */
    static long directorySize(Path root) throws IOException {
        long[] total = new long[1];
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    total[0] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    /** Sizes by kind of file: "sst=.. wal=.. other=.." in MB. */
    static String breakdown(Path root) throws IOException {
        long[] kinds = new long[3];
        int[] files = new int[1];
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String n = file.getFileName().toString();
                kinds[n.endsWith(".sst") ? 0 : n.endsWith(".log") && !n.startsWith("LOG") ? 1 : 2] += attrs.size();
                files[0] += n.endsWith(".sst") ? 1 : 0;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return String.format("[sst %.1f MB in %d files, wal %.1f MB, other %.1f MB]", kinds[0] / (double) MB, files[0],
                kinds[1] / (double) MB, kinds[2] / (double) MB);
    }

    /** Samples the directory size every 20 ms on its own thread; optionally prints a line now and then. */
    private static final class Sampler implements AutoCloseable {
        private final Thread thread;
        private final AtomicLong max = new AtomicLong();
        private final AtomicLong maxRetained = new AtomicLong();
        private final AtomicLong samples = new AtomicLong();
        private volatile boolean stop;

        Sampler(Path dir, AtomicLong produced, java.util.function.LongSupplier retained, long printEveryMillis) {
            long start = System.nanoTime();
            thread = new Thread(() -> {
                long nextPrint = 0;
                long windowMax = 0;
                while (!stop) {
                    try {
                        long size = directorySize(dir);
                        long kept = retained.getAsLong();
                        maxRetained.accumulateAndGet(kept, Math::max);
                        String parts = printEveryMillis > 0 ? breakdown(dir) : "";
                        max.accumulateAndGet(size, Math::max);
                        windowMax = Math.max(windowMax, size);
                        samples.incrementAndGet();
                        long elapsed = (System.nanoTime() - start) / 1_000_000;
                        if (printEveryMillis > 0 && elapsed >= nextPrint) {
                            System.out.printf("t=%6.1fs produced=%7d MB disk=%6.1f MB (max in window %6.1f MB) retained=%5.1f MB %s%n",
                                    elapsed / 1000.0, produced.get() / MB, size / (double) MB, windowMax / (double) MB,
                                    kept / (double) MB, parts);
                            nextPrint = elapsed + printEveryMillis;
                            windowMax = 0;
                        }
                        Thread.sleep(20);
                    } catch (IOException | RuntimeException e) {
                        // the queue may be closing; the next sample will tell
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "disk-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        long stop() {
            stop = true;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return max.get();
        }

        long samples() {
            return samples.get();
        }

        /** The most the topic retained at a sample: the cap plus what was produced before the worker's pass. */
        long maxRetained() {
            return maxRetained.get();
        }

        @Override
        public void close() {
            stop();
        }
    }
}
