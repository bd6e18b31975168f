package io.rocksmq.core;

import io.rocksmq.bench.peer.Dirs;
import org.rocksdb.PerfContext;
import org.rocksdb.PerfLevel;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A diagnostic, not a benchmark of record: breaks the W1 produce path (100 B messages, batches of 100)
 * down with RocksDB's per-thread {@link PerfContext} and the thread's CPU time, side by side in one JVM
 * for {@link RocksMq#produce} and for raw writes on the same RocksDB options: one put of a pre-encoded
 * batch value (the raw value-per-batch peer) and that value plus the topic's id counter in one
 * {@link WriteBatch} (what {@code Topic.append} writes). Variants interleave, each on a fresh database,
 * after a warm-up of the same size.
 *
 * <p>Usage: {@code WritePathProfile [messages per variant, default 2000000] [rounds, default 3]}.
 *
 * <p>Not thread-safe; a command-line program.
 */
public final class WritePathProfile {
    private static final int BATCH = 100;

    private enum Variant {
        PRODUCE, RAW_PUT, RAW_BATCH_WITH_COUNTER, RAW_NEW_BATCH_WITH_COUNTER, RAW_ENCODE_NEW_BATCH_WITH_COUNTER, RAW_DIRECT_ENCODE_BATCH_WITH_COUNTER
    }

    private WritePathProfile() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        RocksDB.loadLibrary();
        List<ProducerMessage> messages = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < BATCH; i++) {
            byte[] p = new byte[100];
            for (int j = 0; j < p.length; j++) {
                p[j] = (byte) random.nextInt(256);
            }
            messages.add(ProducerMessage.of(p));
        }
        messages = List.copyOf(messages);
        System.out.println("variant, msgs/s, thread CPU share, perf: WAL ms, memtable ms, delay ms, "
                + "pre/post ms, write-thread wait ms, scheduling flushes ms (per " + count + " messages)");
        for (int round = 1; round <= rounds + 1; round++) {
            for (Variant v : Variant.values()) {
                String line = run(v, messages, count);
                if (round > 1) { // round 1 is the warm-up
                    System.out.println(line);
                }
            }
        }
    }

    private static String run(Variant variant, List<ProducerMessage> messages, int count)
            throws IOException, RocksDBException {
        Path dir = Files.createTempDirectory("rocksmq-write-path");
        Path handleDir = Files.createTempDirectory("rocksmq-write-path-handle");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // PerfContext is per thread: any open RocksDB handle reads the calling thread's counters.
        try (RawEngine handle = RawEngine.open(handleDir)) {
            RocksDB perfDb = handle.db();
            perfDb.setPerfLevel(PerfLevel.ENABLE_TIME_EXCEPT_FOR_MUTEX);
            PerfContext perf = perfDb.getPerfContext();
            perf.reset();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            if (variant == Variant.PRODUCE) {
                try (RocksMq mq = RocksMq.open(dir)) {
                    mq.createTopic("t");
                    t0 = System.nanoTime();
                    cpu0 = threads.getCurrentThreadCpuTime();
                    perf.reset();
                    for (int sent = 0; sent < count; sent += BATCH) {
                        mq.produce("t", messages, Durability.WAL);
                    }
                }
            } else {
                byte[] value = BatchFormat.encodeBatch(messages, 0, BATCH);
                byte[] counterKey = StorageLayout.topicCounterKey(1);
                try (RawEngine engine = RawEngine.open(dir); WriteOptions wal = new WriteOptions();
                     WriteBatch batch = new WriteBatch()) {
                    t0 = System.nanoTime();
                    cpu0 = threads.getCurrentThreadCpuTime();
                    perf.reset();
                    java.nio.ByteBuffer directValue = java.nio.ByteBuffer.allocateDirect(value.length + 64);
                    java.nio.ByteBuffer directKey = java.nio.ByteBuffer.allocateDirect(16);
                    for (long first = 0; first < count; first += BATCH) {
                        byte[] key = StorageLayout.messageKey(1, first);
                        if (variant == Variant.RAW_PUT) {
                            engine.db().put(engine.messages(), wal, key, value);
                        } else if (variant == Variant.RAW_DIRECT_ENCODE_BATCH_WITH_COUNTER) {
                            directValue.clear();
                            directValue.put(BatchFormat.BATCH_FORMAT).putInt(BATCH).putLong(first);
                            for (ProducerMessage m : messages) {
                                directValue.putInt(m.payload().length).put(m.payload()).putShort((short) 0);
                            }
                            directValue.flip();
                            directKey.clear();
                            directKey.put(key).flip();
                            batch.clear();
                            batch.put(engine.messages(), directKey, directValue);
                            batch.put(engine.meta(), counterKey, StorageLayout.topicCounterValue(first + BATCH, first, 0));
                            engine.db().write(wal, batch);
                        } else if (variant != Variant.RAW_BATCH_WITH_COUNTER) {
                            byte[] v = variant == Variant.RAW_NEW_BATCH_WITH_COUNTER ? value
                                    : BatchFormat.encodeBatch(messages, 0, BATCH);
                            try (WriteBatch fresh = new WriteBatch(v.length + 128)) {
                                fresh.put(engine.messages(), key, v);
                                fresh.put(engine.meta(), counterKey, StorageLayout.topicCounterValue(first + BATCH, first, 0));
                                engine.db().write(wal, fresh);
                            }
                        } else {
                            batch.clear();
                            batch.put(engine.messages(), key, value);
                            batch.put(engine.meta(), counterKey, StorageLayout.topicCounterValue(first + BATCH, first, 0));
                            engine.db().write(wal, batch);
                        }
                    }
                }
            }
            // Closing is outside the timing but inside the perf window: read the counters first.
            long elapsed = System.nanoTime() - t0;
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            String line = String.format(Locale.ROOT, "%s, %.0f, %.2f, %.0f, %.0f, %.0f, %.0f, %.0f, %.0f",
                    variant, count / (elapsed / 1e9), (double) cpu / elapsed,
                    perf.getWriteWalTime() / 1e6, perf.getWriteMemtableTime() / 1e6, perf.getWriteDelayTime() / 1e6,
                    perf.getWritePreAndPostProcessTime() / 1e6, perf.getWriteThreadWaitNanos() / 1e6,
                    perf.getWriteSchedulingFlushesCompactionsTime() / 1e6);
            perfDb.setPerfLevel(PerfLevel.DISABLE);
            return line;
        } finally {
            Dirs.deleteTree(dir);
            Dirs.deleteTree(handleDir);
        }
    }
}
