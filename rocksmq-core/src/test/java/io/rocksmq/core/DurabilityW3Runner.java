package io.rocksmq.core;

import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A rough W3 measurement (durable produce, batch 1, 100 B payloads), not a benchmark: our FSYNC
 * produce on 1 and 16 threads, the group-commit ratio, and raw RocksDB {@code sync=true} writes for
 * comparison, all in one run, plus the unsynced rates behind the MEMORY-durability decision. Figures
 * on a shared machine are noisy; the ratios measured side by side are what matter.
 *
 * <pre>
 * mvn -q -o -pl rocksmq-core -am test-compile
 * java -cp "rocksmq-core/target/test-classes:rocksmq-core/target/classes:rocksmq-api/target/classes:$CP" \
 *     io.rocksmq.core.DurabilityW3Runner [seconds-per-case] [directory]
 * </pre>
 * where {@code $CP} holds rocksdbjni, slf4j-api and slf4j-simple.
 */
public final class DurabilityW3Runner {
    private static final int PAYLOAD = 100;

    private DurabilityW3Runner() {
    }

    private interface Op {
        void run(int thread) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        Path root = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("w3");
        long nanos = (long) (seconds * 1e9);
        byte[] payload = new byte[PAYLOAD];
        new Random(42).nextBytes(payload);
        System.out.printf("W3 rough run: %.1f s per case, 100 B payloads, batch 1, data in %s, %d cores%n",
                seconds, root, Runtime.getRuntime().availableProcessors());

        for (int threads : new int[] {1, 16}) {
            try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(root.resolve("mq-fsync-" + threads))
                    .durability(Durability.FSYNC).build())) {
                mq.createTopic("w3");
                List<ProducerMessage> one = List.of(ProducerMessage.of(payload));
                long syncs = mq.walSyncCount();
                long ops = run(threads, nanos, t -> mq.produce("w3", one));
                syncs = mq.walSyncCount() - syncs;
                report("rocksmq FSYNC produce", threads, ops, seconds,
                        String.format("%d fsyncs, %.1f produces per fsync", syncs, (double) ops / syncs));
            }
        }
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(root.resolve("mq-wal")).build())) {
            mq.createTopic("w3");
            List<ProducerMessage> one = List.of(ProducerMessage.of(payload));
            report("rocksmq WAL produce", 1, run(1, nanos, t -> mq.produce("w3", one)), seconds, "");
        }

        for (int threads : new int[] {1, 16}) {
            rawRocksDb(root.resolve("raw-sync-" + threads), threads, nanos, seconds, payload, true, false);
        }
        rawRocksDb(root.resolve("raw-wal"), 1, nanos, seconds, payload, false, false);
        rawRocksDb(root.resolve("raw-nowal"), 1, nanos, seconds, payload, false, true);
    }

    private static void rawRocksDb(Path dir, int threads, long nanos, double seconds, byte[] payload,
                                   boolean sync, boolean disableWal) throws Exception {
        RocksDB.loadLibrary();
        try (Options options = new Options().setCreateIfMissing(true);
             RocksDB db = RocksDB.open(options, dir.toString());
             WriteOptions write = new WriteOptions().setSync(sync).setDisableWAL(disableWal)) {
            AtomicLong keys = new AtomicLong();
            long ops = run(threads, nanos, t -> {
                byte[] key = new byte[8];
                StorageLayout.putLong(key, 0, keys.getAndIncrement());
                try (WriteBatch batch = new WriteBatch()) {
                    batch.put(key, payload);
                    db.write(write, batch);
                }
            });
            String mode = sync ? "sync=true" : disableWal ? "WAL disabled" : "WAL, no sync";
            report("raw RocksDB " + mode, threads, ops, seconds, "");
        }
    }

    private static long run(int threads, long nanos, Op op) throws Exception {
        AtomicLong done = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        List<Thread> workers = new ArrayList<>();
        long[] deadline = new long[1];
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    long n = 0;
                    while (System.nanoTime() < deadline[0]) {
                        op.run(thread);
                        n++;
                    }
                    done.addAndGet(n);
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            workers.add(w);
            w.start();
        }
        deadline[0] = System.nanoTime() + nanos;
        start.await();
        for (Thread w : workers) {
            w.join();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("worker failed", errors.get(0));
        }
        return done.get();
    }

    private static void report(String what, int threads, long ops, double seconds, String extra) {
        System.out.printf("%-28s %2d thread(s): %9.0f msgs/s %s%n", what, threads, ops / seconds, extra);
    }
}
