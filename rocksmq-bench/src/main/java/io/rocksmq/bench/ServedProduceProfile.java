package io.rocksmq.bench;

import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.core.RetentionPolicy;
import io.rocksmq.core.RocksMqConfig;
import io.rocksmq.server.RmqServer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the CPU and the allocation of a served produce (W1's shape: 100-byte messages, {@code sendAsync}
 * with batches of 100, over rmq:// loopback) go, per message and per kind of thread: server and client
 * in one JVM, so one {@code ThreadMXBean} sees both. Each round produces the messages to a new topic with
 * a new producer and prints the rate and, for every thread group (thread names with digits folded), its
 * CPU microseconds and allocated bytes per message. CPU and allocation per message are what the other
 * processes of a busy machine disturb least; which threads do the work shows the hand-offs of a batch.
 * A diagnostic beside the harness, not a harness workload.
 *
 * <pre>
 * mvn -q -pl rocksmq-bench -am package -DskipTests -Djcstress.skip=true
 * java -cp 'rocksmq-bench/target/classes:rocksmq-bench/target/lib/*' io.rocksmq.bench.ServedProduceProfile 1000000 6
 * </pre>
 *
 * <p>Not thread-safe: a main.
 */
public final class ServedProduceProfile {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ServedProduceProfile() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        Path dir = Files.createTempDirectory("rocksmq-served-produce-profile");
        OutgoingMessage[] pool = new OutgoingMessage[1024];
        for (int i = 0; i < pool.length; i++) {
            byte[] p = new byte[100];
            p[0] = (byte) i;
            pool[i] = OutgoingMessage.of(p);
        }
        try (RmqServer server = RmqServer.builder(RocksMqConfig.builder(dir)
                        .defaultRetention(RetentionPolicy.KEEP_ALL.withMaxRetentionBytes(256L << 20)).build())
                .listen("127.0.0.1", 0).start();
             MqClient client = MqClient.open("rmq://127.0.0.1:" + server.port())) {
            for (int r = 0; r < rounds; r++) {
                String topic = "t" + r;
                client.createTopic(topic);
                Map<String, long[]> before = byThreadGroup();
                long start = System.nanoTime();
                try (Producer producer = client.createProducer(ProducerOptions.builder(topic).batchingMaxMessages(100).build())) {
                    for (int i = 0; i < messages; i++) {
                        producer.sendAsync(pool[i & (pool.length - 1)]);
                    }
                    producer.flush();
                }
                long elapsed = System.nanoTime() - start;
                report(r, messages, elapsed, before, byThreadGroup());
                client.deleteTopic(topic);
            }
        }
    }

    private static void report(int round, int messages, long elapsed, Map<String, long[]> before,
                               Map<String, long[]> after) {
        StringBuilder lines = new StringBuilder();
        long cpuTotal = 0;
        long allocTotal = 0;
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long cpu = e.getValue()[0] - b[0];
            long alloc = e.getValue()[1] - b[1];
            if (cpu > 1_000_000) { // 1 ms: leave out the idle ones
                cpuTotal += cpu;
                allocTotal += alloc;
                lines.append(String.format("  %-36s %.3f µs/msg %7.1f B/msg%n", e.getKey(), cpu / 1000.0 / messages,
                        (double) alloc / messages));
            }
        }
        System.out.printf("round %d: %.0f k msgs/s, CPU %.3f µs/msg, alloc %.0f B/msg%n%s", round,
                messages / (elapsed / 1e9) / 1000, cpuTotal / 1000.0 / messages, (double) allocTotal / messages, lines);
    }

    /** CPU nanoseconds and allocated bytes of the live threads, summed by name with digits folded. */
    private static Map<String, long[]> byThreadGroup() {
        Map<String, long[]> out = new TreeMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            ThreadInfo info = THREADS.getThreadInfo(id);
            long nanos = THREADS.getThreadCpuTime(id);
            long bytes = THREADS.getThreadAllocatedBytes(id);
            if (info != null && nanos >= 0) {
                long[] v = out.computeIfAbsent(info.getThreadName().replaceAll("\\d+", "N"), k -> new long[2]);
                v[0] += nanos;
                v[1] += Math.max(0, bytes);
            }
        }
        return out;
    }
}
