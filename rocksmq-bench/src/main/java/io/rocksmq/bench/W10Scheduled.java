package io.rocksmq.bench;

import io.rocksmq.core.AwaitResult;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.ConsumerRegistration;
import io.rocksmq.core.Durability;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * W10, scheduled delivery (issue 17), on the embedded queue only: {@code messages} 100-byte messages
 * scheduled in batches of 100, due evenly over {@code spreadMillis} starting {@code leadMillis} after the
 * first schedule, while one consumer group reads them as they appear. Prints the lateness (when a consumer
 * got the message minus its due time; each payload carries its due time), the scheduling throughput against
 * a plain produce of the same messages (W1's shape) in the same run, and the heap in use once everything is
 * scheduled.
 *
 * <pre>{@code
 * mvn -q -pl rocksmq-bench -am package -DskipTests -Djcstress.skip=true
 * java -cp "rocksmq-bench/target/rocksmq-bench-0.1.0-SNAPSHOT.jar:rocksmq-bench/target/lib/*" io.rocksmq.bench.W10Scheduled 1000000 10000 2000
 * }</pre>
 * Not the harness: no peer has scheduled delivery in the harness, so there is no ratio to a peer.
 *
 * <p>Not thread-safe: a main program.
 */
public final class W10Scheduled {
    private static final int PAYLOAD = 100;
    private static final int BATCH = 100;

    private W10Scheduled() {
    }

    /** What one run measured; lateness in microseconds. */
    public record Result(long messages, long received, double scheduleRate, double produceRate, long p50Micros,
                        long p99Micros, long maxMicros, long heapAfterScheduleBytes) {
        @Override
        public String toString() {
            return String.format("W10: %,d scheduled, %,d received; lateness p50 %.2f ms, p99 %.2f ms, max %.2f ms;"
                            + " schedule %,.0f msgs/s vs produce %,.0f msgs/s (%.2fx); heap after scheduling %,d KiB",
                    messages, received, p50Micros / 1000.0, p99Micros / 1000.0, maxMicros / 1000.0, scheduleRate,
                    produceRate, scheduleRate / produceRate, heapAfterScheduleBytes / 1024);
        }
    }

    public static void main(String[] args) throws Exception {
        long messages = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        long spread = args.length > 1 ? Long.parseLong(args[1]) : 10_000;
        long lead = args.length > 2 ? Long.parseLong(args[2]) : 2_000;
        Path dir = Files.createTempDirectory("w10");
        try (RocksMq mq = RocksMq.open(dir)) {
            System.out.println(run(mq, messages, spread, lead));
        }
    }

    /** Runs W10 on an open queue (topics {@code w10-produce} and {@code w10}). */
    public static Result run(RocksMq mq, long messages, long spreadMillis, long leadMillis) throws InterruptedException {
        double produceRate = produceRate(mq, messages);
        mq.createTopic("w10");
        mq.createConsumerGroup("w10", "reader");
        Histogram lateness = new Histogram(TimeUnit.SECONDS.toMicros(600), 3);
        long[] received = new long[1];
        // Due times are wall-clock milliseconds; lateness is measured on nanoTime from a common origin.
        long originMillis = System.currentTimeMillis();
        long originNanos = System.nanoTime();
        Thread reader = new Thread(() -> read(mq, messages, originMillis, originNanos, lateness, received), "w10-reader");
        reader.start();
        long first = originMillis + leadMillis;
        byte[] pad = new byte[PAYLOAD - 8];
        long start = System.nanoTime();
        for (long i = 0; i < messages; i += BATCH) {
            List<ProducerMessage> batch = new ArrayList<>(BATCH);
            for (long j = i; j < Math.min(messages, i + BATCH); j++) {
                long due = first + spreadMillis * j / messages;
                byte[] payload = ByteBuffer.allocate(PAYLOAD).putLong(due).put(pad).array();
                batch.add(ProducerMessage.of(payload).withDeliverAt(Instant.ofEpochMilli(due)));
            }
            mq.schedule("w10", batch, Durability.WAL);
        }
        double scheduleRate = messages / ((System.nanoTime() - start) / 1e9);
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long heap = rt.totalMemory() - rt.freeMemory();
        reader.join(TimeUnit.MILLISECONDS.toMillis(leadMillis + spreadMillis + 120_000));
        reader.interrupt();
        return new Result(messages, received[0], scheduleRate, produceRate, lateness.getValueAtPercentile(50),
                lateness.getValueAtPercentile(99), lateness.getMaxValue(), heap);
    }

    /** W1's shape on topic {@code w10-produce}: the same messages produced at once. */
    private static double produceRate(RocksMq mq, long messages) {
        mq.createTopic("w10-produce");
        byte[] payload = new byte[PAYLOAD];
        long start = System.nanoTime();
        for (long i = 0; i < messages; i += BATCH) {
            List<ProducerMessage> batch = new ArrayList<>(BATCH);
            for (long j = i; j < Math.min(messages, i + BATCH); j++) {
                batch.add(ProducerMessage.of(payload));
            }
            mq.produce("w10-produce", batch, Durability.WAL);
        }
        return messages / ((System.nanoTime() - start) / 1e9);
    }

    private static void read(RocksMq mq, long messages, long originMillis, long originNanos, Histogram lateness,
                             long[] received) {
        try (ConsumerRegistration reg = mq.registerConsumer("w10", "reader")) {
            while (received[0] < messages && !Thread.currentThread().isInterrupted()) {
                List<ConsumerMessage> got = mq.consume("w10", "reader", 1_000);
                long nowMicros = (System.nanoTime() - originNanos) / 1_000;
                for (ConsumerMessage m : got) {
                    long dueMicros = (m.payloadBuffer().getLong(0) - originMillis) * 1_000;
                    lateness.recordValue(Math.max(0, Math.min(nowMicros - dueMicros, lateness.getHighestTrackableValue())));
                }
                received[0] += got.size();
                if (got.isEmpty() && reg.await(Duration.ofSeconds(1)).isTerminal()) {
                    return;
                }
            }
        }
    }
}
