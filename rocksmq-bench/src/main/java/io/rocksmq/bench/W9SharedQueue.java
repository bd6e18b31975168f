package io.rocksmq.bench;

import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.SharedGroup;
import io.rocksmq.core.SharedGroupOptions;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * W9, the work-queue workload of issue 16, on the embedded queue only: one producer sends 100-byte
 * messages in batches of 100, four workers on one shared group acquire up to 100 at a time and acknowledge
 * each message individually. Prints the throughput (messages acknowledged per second, from the first
 * produce to the last ack) and the produce-to-ack latency (each payload carries its produce time). Then
 * the redelivery after a worker dies: a worker takes one message and stops; the time until another worker
 * gets it, minus the lock duration.
 *
 * <pre>{@code
 * mvn -q -pl rocksmq-bench -am package -DskipTests
 * java -cp "rocksmq-bench/target/classes:$(cat rocksmq-bench/target/classpath.txt)" io.rocksmq.bench.W9SharedQueue 1000000 20000
 * }</pre>
 * Not the harness, and the embedded queue only: {@link W9SideBySide} runs W9 through the client API on the
 * embedded queue and on Kafka share groups in one run, with the ratio.
 *
 * <p>Not thread-safe: a main program.
 */
public final class W9SharedQueue {
    private static final int PAYLOAD = 100;
    private static final int BATCH = 100;
    private static final int WORKERS = 4;

    private W9SharedQueue() {
    }

    public static void main(String[] args) throws Exception {
        long messages = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        long rate = args.length > 1 ? Long.parseLong(args[1]) : 20_000;
        Path dir = Files.createTempDirectory("w9");
        try (RocksMq mq = RocksMq.open(dir)) {
            run(mq, "w9", messages, 0);
            run(mq, "w9paced", Math.min(messages, rate * 10), rate);
            redelivery(mq);
        }
    }

    /** {@code rate} messages per second, or 0: as fast as the producer can (throughput; latency then is queueing). */
    private static void run(RocksMq mq, String topic, long messages, long rate) throws InterruptedException {
        mq.createTopic(topic);
        mq.createSharedGroup(topic, "workers", SharedGroupOptions.DEFAULTS);
        SharedGroup g = mq.sharedGroup(topic, "workers");
        AtomicLong acked = new AtomicLong();
        List<Histogram> latencies = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            latencies.add(h);
            Thread t = new Thread(() -> {
                while (acked.get() < messages) {
                    for (SharedGroup.Delivery d : g.acquire(BATCH, Duration.ofMillis(100))) {
                        g.ack(d);
                        long sent = d.message().payloadBuffer().getLong(0);
                        h.recordValue(Math.max(0, Math.min(System.nanoTime() - sent, h.getHighestTrackableValue())));
                        acked.incrementAndGet();
                    }
                }
            }, "w9-worker-" + w);
            t.start();
            workers.add(t);
        }
        long start = System.nanoTime();
        for (long sent = 0; sent < messages; sent += BATCH) {
            if (rate > 0) {
                long due = start + sent * 1_000_000_000L / rate;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
            }
            List<ProducerMessage> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                byte[] payload = new byte[PAYLOAD];
                ByteBuffer.wrap(payload).putLong(System.nanoTime());
                batch.add(ProducerMessage.of(payload));
            }
            mq.produce(topic, batch);
        }
        for (Thread t : workers) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        latencies.forEach(all::add);
        System.out.printf("W9 %s: %d messages, %d workers, individual acks: %.0f msg/s (%.2f s)%n",
                rate == 0 ? "as fast as possible" : "paced at " + rate + " msg/s", acked.get(), WORKERS,
                acked.get() / seconds, seconds);
        System.out.printf("   produce-to-ack latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                all.getValueAtPercentile(50) / 1e6, all.getValueAtPercentile(99) / 1e6, all.getMaxValue() / 1e6);
    }

    private static void redelivery(RocksMq mq) throws InterruptedException {
        Duration lock = Duration.ofSeconds(1);
        mq.createTopic("w9r");
        mq.createSharedGroup("w9r", "workers", SharedGroupOptions.DEFAULTS.withLockDuration(lock));
        SharedGroup g = mq.sharedGroup("w9r", "workers");
        Histogram late = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (int round = 0; round < 10; round++) {
            mq.produce("w9r", List.of(ProducerMessage.of(new byte[PAYLOAD])));
            g.acquire(1, Duration.ofSeconds(10)); // the worker that dies: it never answers
            long died = System.nanoTime();
            List<SharedGroup.Delivery> again = g.acquire(1, Duration.ofSeconds(10)); // a live worker waiting
            long after = System.nanoTime() - died - lock.toNanos();
            late.recordValue(Math.max(0, after));
            g.ack(again.get(0));
        }
        System.out.printf("W9 redelivery after a worker dies: lock %d ms + p50 %.2f ms, max %.2f ms (10 rounds)%n",
                lock.toMillis(), late.getValueAtPercentile(50) / 1e6, late.getMaxValue() / 1e6);
    }
}
