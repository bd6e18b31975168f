package io.rocksmq.bench;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.bench.peer.Payloads;
import io.rocksmq.server.RmqServer;
import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * W5's shape served (single messages of 100 B sent with {@code sendAsync} at a fixed rate, one consumer
 * thread polling {@code poll(1000, 100 ms)} and acknowledging each poll cumulatively, over rmq://
 * loopback), with server and client in one JVM: prints, for each rate given, the send-to-poll latency
 * percentiles, how long the consumer's {@code ackCumulative} took (it waits for the server's reply), and
 * how many messages a poll returned. Lower rates tell a wait or timer (latency that does not fall with
 * the load) from queueing. A diagnostic beside the harness, not a harness workload.
 *
 * <pre>
 * mvn -q -pl rocksmq-bench -am package -DskipTests -Djcstress.skip=true
 * java -cp 'rocksmq-bench/target/classes:rocksmq-bench/target/lib/*' io.rocksmq.bench.ServedLatencyProfile 10000,1000,100 [SECONDS] [ack|noack]
 * </pre>
 * Each rate runs for SECONDS (default 5) after a warm-up of the same length; {@code noack} leaves the
 * acknowledgements out (to see what the consumer's ack round trip costs the next poll).
 *
 * <p>Not thread-safe: a main.
 */
public final class ServedLatencyProfile {
    private static final AtomicLong RUNS = new AtomicLong();

    private ServedLatencyProfile() {
    }

    public static void main(String[] args) throws Exception {
        String[] rates = (args.length > 0 ? args[0] : "10000,1000,100").split(",");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean ack = args.length <= 2 || !args[2].equals("noack");
        Path dir = Files.createTempDirectory("rocksmq-served-latency-profile");
        try (RmqServer server = RmqServer.builder(dir).listen("127.0.0.1", 0).start();
             MqClient client = MqClient.open("rmq://127.0.0.1:" + server.port())) {
            client.createTopic("t");
            // warm the batch path up once, as the harness does
            try (Producer p = client.createProducer(io.rocksmq.api.ProducerOptions.builder("t").batchingMaxMessages(100).build())) {
                OutgoingMessage m = OutgoingMessage.of(new byte[100]);
                for (int i = 0; i < 200_000; i++) {
                    p.sendAsync(m);
                }
                p.flush();
            }
            for (String r : rates) {
                int rate = Integer.parseInt(r.trim());
                run(client, rate, seconds, ack, true);
                run(client, rate, seconds, ack, false);
            }
        }
    }

    private static void run(MqClient client, int rate, int seconds, boolean ack, boolean warmUp) throws Exception {
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram ackTime = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram pollSize = new Histogram(100_000, 3);
        AtomicLong received = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        int count = rate * seconds;
        java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(1);
        Thread consumerThread = new Thread(() -> {
            try (Consumer consumer = client.subscribe(ConsumerOptions.builder("t", "latency-" + RUNS.incrementAndGet())
                    .initialPosition(SubscriptionInitialPosition.LATEST).build())) {
                subscribed.countDown();
                while (!stop.get()) {
                    List<Message> messages = consumer.poll(1000, Duration.ofMillis(100));
                    long now = System.nanoTime();
                    for (int i = 0, n = messages.size(); i < n; i++) {
                        latency.recordValue(Math.max(0, now - Payloads.readNanos(messages.get(i).payload(), 0)));
                    }
                    if (!messages.isEmpty()) {
                        pollSize.recordValue(messages.size());
                        received.addAndGet(messages.size());
                        if (ack) {
                            long t0 = System.nanoTime();
                            consumer.ackCumulative(messages.get(messages.size() - 1).id());
                            ackTime.recordValue(System.nanoTime() - t0);
                        }
                    }
                }
            }
        }, "latency-consumer");
        consumerThread.start();
        subscribed.await();
        byte[] payload = new byte[100];
        java.util.Map<String, Long> cpuBefore = cpuByThreadGroup();
        java.util.Map<String, Long> cpuAfter;
        try (Producer producer = client.createProducer("t")) {
            long period = TimeUnit.SECONDS.toNanos(1) / rate;
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long due = start + i * period;
                long now;
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(due - now);
                }
                Payloads.stampNanos(payload, System.nanoTime());
                producer.sendAsync(OutgoingMessage.of(payload.clone()));
            }
            producer.flush();
            cpuAfter = cpuByThreadGroup();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        stop.set(true);
        consumerThread.join();
        if (warmUp) {
            return;
        }
        System.out.printf("rate %6d/s%s: latency p50 %7.1f p90 %7.1f p99 %7.1f max %8.1f µs | ack p50 %6.1f p99 %7.1f µs"
                        + " | msgs a poll mean %.2f max %d | received %d of %d%n",
                rate, ack ? "" : " (no ack)", us(latency, 50), us(latency, 90), us(latency, 99), latency.getMaxValue() / 1e3,
                us(ackTime, 50), us(ackTime, 99), pollSize.getMean(), pollSize.getMaxValue(), received.get(), count);
        System.out.print(cpuLines(cpuBefore, cpuAfter, count));
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** CPU µs a message by thread group (digits folded), those above 1 µs a message, and the total. */
    private static String cpuLines(java.util.Map<String, Long> before, java.util.Map<String, Long> after, int messages) {
        StringBuilder lines = new StringBuilder();
        long total = 0;
        for (java.util.Map.Entry<String, Long> e : after.entrySet()) {
            long cpu = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            total += Math.max(0, cpu);
            if (cpu > 1000L * messages) {
                lines.append(String.format("    %-40s %7.1f µs/msg%n", e.getKey(), cpu / 1000.0 / messages));
            }
        }
        return String.format("  CPU %.1f µs/msg%n", total / 1000.0 / messages) + lines;
    }

    private static java.util.Map<String, Long> cpuByThreadGroup() {
        java.util.Map<String, Long> cpu = new java.util.TreeMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            java.lang.management.ThreadInfo info = THREADS.getThreadInfo(id);
            long nanos = THREADS.getThreadCpuTime(id);
            if (info != null && nanos >= 0) {
                cpu.merge(info.getThreadName().replaceAll("\\d+", "N"), nanos, Long::sum);
            }
        }
        return cpu;
    }

    private static double us(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e3;
    }
}
