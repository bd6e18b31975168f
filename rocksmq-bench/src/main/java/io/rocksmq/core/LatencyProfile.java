package io.rocksmq.core;

import io.rocksmq.bench.peer.Dirs;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A diagnostic, not a benchmark of record: breaks W5's end-to-end latency (single messages at a fixed
 * rate, one consumer parked in {@link ConsumerRegistration#await}) into its legs, each an HdrHistogram
 * in microseconds: the produce call, from the produce's return to the consumer's wake-up, and the
 * consume call that then gets the message. The sum of the legs' medians is not the end-to-end median.
 *
 * <p>With a third argument {@code spinMicros > 0} the consumer, finding nothing, first polls {@code consume}
 * for up to that long (spinning) before it parks, and only when its previous wait ended within that
 * window (adaptive: a consumer whose messages come slower than the window parks at once). This is
 * the experiment of issue 19's spin-then-park wait, run from outside the queue; the consumer thread's
 * CPU share is printed beside the legs.
 *
 * <p>Usage: {@code LatencyProfile [messages, default 300000] [rate per second, default 10000] [spinMicros, default 0]}.
 *
 * <p>Not thread-safe; a command-line program.
 */
public final class LatencyProfile {
    private LatencyProfile() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        long spinNanos = args.length > 2 ? Long.parseLong(args[2]) * 1000 : 0;
        double[] consumerCpu = new double[1];
        Path dir = Files.createTempDirectory("rocksmq-latency");
        Histogram produce = new Histogram(3);
        Histogram wake = new Histogram(3);
        Histogram consume = new Histogram(3);
        Histogram endToEnd = new Histogram(3);
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            ConsumerRegistration registration = mq.registerConsumer("t", "g");
            long[] producedAt = new long[count]; // when each produce call returned
            Thread consumer = new Thread(() -> {
                int got = 0;
                long emptySince = -1;
                long lastWait = Long.MAX_VALUE;
                long cpu0 = 0;
                long wall0 = 0;
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                while (got < count) {
                    if (wall0 == 0 && got > count / 10) {
                        cpu0 = mx.getCurrentThreadCpuTime();
                        wall0 = System.nanoTime();
                    }
                    long before = System.nanoTime();
                    List<ConsumerMessage> messages = mq.consume("t", "g", 1000);
                    long after = System.nanoTime();
                    if (messages.isEmpty()) {
                        if (emptySince < 0) {
                            emptySince = before;
                        }
                        if (spinNanos > 0 && lastWait <= spinNanos && after - emptySince < spinNanos) {
                            Thread.onSpinWait();
                            continue;
                        }
                        registration.await(Duration.ofSeconds(1));
                        continue;
                    }
                    if (emptySince >= 0) {
                        lastWait = before - emptySince;
                        emptySince = -1;
                    }
                    for (ConsumerMessage m : messages) {
                        ByteBuffer p = m.payloadBuffer();
                        long sent = p.getLong(0);
                        int index = p.getInt(8);
                        long returned = producedAt[index];
                        boolean measured = got > count / 10; // the first tenth warms up
                        if (measured) {
                            endToEnd.recordValue(Math.max(0, (after - sent) / 1000));
                            consume.recordValue(Math.max(0, (after - before) / 1000));
                            if (returned != 0) {
                                wake.recordValue(Math.max(0, (before - returned) / 1000));
                            }
                        }
                        got++;
                    }
                }
                consumerCpu[0] = (double) (mx.getCurrentThreadCpuTime() - cpu0) / (System.nanoTime() - wall0);
            }, "latency-consumer");
            consumer.start();
            long period = TimeUnit.SECONDS.toNanos(1) / rate;
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long due = start + i * period;
                for (long now; (now = System.nanoTime()) < due; ) {
                    LockSupport.parkNanos(due - now);
                }
                byte[] payload = ByteBuffer.allocate(100).putLong(System.nanoTime()).putInt(i).array();
                long t0 = System.nanoTime();
                mq.produce("t", List.of(ProducerMessage.of(payload)), Durability.WAL);
                long t1 = System.nanoTime();
                producedAt[i] = t1; // read by the consumer after; a stale 0 just skips that sample
                if (i > count / 10) {
                    produce.recordValue((t1 - t0) / 1000);
                }
            }
            consumer.join();
            registration.close();
        } finally {
            Dirs.deleteTree(dir);
        }
        System.out.println(String.format(Locale.ROOT, "spin %d us, consumer thread CPU share %.3f", spinNanos / 1000,
                consumerCpu[0]));
        System.out.println("leg, p50, p90, p99, p99.9, max (microseconds)");
        for (var e : List.of(List.of("end to end", endToEnd), List.of("produce call", produce),
                List.of("produce returned -> consume started", wake), List.of("consume call", consume))) {
            Histogram h = (Histogram) e.get(1);
            System.out.println(String.format(Locale.ROOT, "%s, %d, %d, %d, %d, %d", e.get(0),
                    h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue()));
        }
    }
}
