package io.rocksmq.bench;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.server.RmqServer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the CPU of a served read (W4's shape: 100-byte messages, {@code poll(1000)} and a cumulative ack
 * per poll, over rmq:// loopback) goes, per message and per kind of thread: server and client in one JVM,
 * so one {@link ThreadMXBean} sees both. Produces the messages once, then reads them all back each round
 * with a new subscription, and prints the rate and, for every thread group (thread names with digits
 * folded), its CPU microseconds per message, taken just before the consumer closes (the session's
 * threads end with it). CPU per message is what the other processes of a busy machine disturb least;
 * which threads do the work shows the thread hand-offs of a delivery. A diagnostic beside the harness,
 * not a harness workload; keep messages x 100 B under the server's default retention (64 MiB).
 *
 * <pre>
 * mvn -q -pl rocksmq-bench -am package -DskipTests -Djcstress.skip=true
 * java -cp 'rocksmq-bench/target/classes:rocksmq-bench/target/lib/*' io.rocksmq.bench.ServedReadProfile 500000 4 [RECEIVE-BUFFER]
 * </pre>
 * The optional third argument is the consumer's {@code receiveBufferSize} (default
 * {@link ConsumerOptions#DEFAULT_RECEIVE_BUFFER_SIZE}): it sets the credit steps of the stream.
 *
 * <p>Not thread-safe: a main.
 */
public final class ServedReadProfile {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ServedReadProfile() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int receiveBuffer = args.length > 2 ? Integer.parseInt(args[2]) : ConsumerOptions.DEFAULT_RECEIVE_BUFFER_SIZE;
        Path dir = Files.createTempDirectory("rocksmq-served-read-profile");
        try (RmqServer server = RmqServer.builder(dir).listen("127.0.0.1", 0).start();
             MqClient client = MqClient.open("rmq://127.0.0.1:" + server.port())) {
            client.createTopic("t");
            try (Producer producer = client.createProducer(ProducerOptions.builder("t").batchingMaxMessages(100).build())) {
                OutgoingMessage m = OutgoingMessage.of(new byte[100]);
                for (int i = 0; i < messages; i++) {
                    producer.sendAsync(m);
                }
                producer.flush();
            }
            for (int r = 0; r < rounds; r++) {
                round(client, "reader-" + r, messages, r, receiveBuffer);
            }
        }
    }

    private static void round(MqClient client, String subscription, int messages, int round, int receiveBuffer) {
        Map<String, Long> before = cpuByThreadGroup();
        Map<String, Long> after;
        long start = System.nanoTime();
        long checksum = 0;
        try (Consumer consumer = client.subscribe(ConsumerOptions.builder("t", subscription)
                .initialPosition(SubscriptionInitialPosition.EARLIEST).receiveBufferSize(receiveBuffer).build())) {
            int got = 0;
            while (got < messages) {
                List<Message> batch = consumer.poll(1000, Duration.ofSeconds(30));
                if (batch.isEmpty()) {
                    throw new IllegalStateException("read " + got + " of " + messages + ", then nothing for 30 s");
                }
                for (int i = 0, n = batch.size(); i < n; i++) {
                    checksum += batch.get(i).payload().length;
                }
                got += batch.size();
                consumer.ackCumulative(batch.get(batch.size() - 1).id());
            }
            after = cpuByThreadGroup(); // before close: the session's threads end with the consumer
        }
        long elapsed = System.nanoTime() - start;
        StringBuilder lines = new StringBuilder();
        long total = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long cpu = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (cpu > 1_000_000) { // 1 ms: leave out the idle ones
                total += cpu;
                lines.append(String.format("  %-36s %.3f µs/msg%n", e.getKey(), cpu / 1000.0 / messages));
            }
        }
        System.out.printf("round %d: %.0f k msgs/s, CPU %.3f µs/msg (checksum %d)%n%s", round,
                messages / (elapsed / 1e9) / 1000, total / 1000.0 / messages, checksum, lines);
    }

    /** CPU nanoseconds of the live threads, summed by name with digits folded ("rocksmq-serve-N"). */
    private static Map<String, Long> cpuByThreadGroup() {
        Map<String, Long> cpu = new TreeMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            ThreadInfo info = THREADS.getThreadInfo(id);
            long nanos = THREADS.getThreadCpuTime(id);
            if (info != null && nanos >= 0) {
                cpu.merge(info.getThreadName().replaceAll("\\d+", "N"), nanos, Long::sum);
            }
        }
        return cpu;
    }
}
