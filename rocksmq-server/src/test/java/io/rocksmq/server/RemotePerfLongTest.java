package io.rocksmq.server;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.core.client.RocksMqClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cost of the network hop, measured through the same client API: W1 (produce 100 B messages,
 * batches of 100), W4 (read them back) and W5 (single messages at 1000/s, send-to-receive latency) on the
 * embedded backend and on the remote backend over loopback, in one run. Prints a table; asserts only that
 * every message arrived. Run: {@code mvn -Plong verify -pl rocksmq-server -am -Dtest=RemotePerfLongTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("long")
class RemotePerfLongTest {
    private static final int W1_MESSAGES = 500_000;
    private static final int W5_MESSAGES = 5_000;
    @TempDir
    Path dir;

    @Test
    void embeddedVersusRemoteOverLoopback() {
        StringBuilder table = new StringBuilder("| backend | W1 msgs/s | W4 msgs/s | W5 p50 µs | W5 p99 µs | W5 p99.9 µs |\n"
                + "|---|---|---|---|---|---|\n");
        try (MqClient embedded = RocksMqClient.open(dir.resolve("embedded"))) {
            table.append(run("embedded", embedded));
        }
        try (RmqServer server = RmqServer.builder(dir.resolve("served")).listen("127.0.0.1", 0).start();
             MqClient remote = MqClient.open("rmq://127.0.0.1:" + server.port())) {
            table.append(run("remote (loopback)", remote));
        }
        System.out.println(table);
    }

    private static String run(String name, MqClient client) {
        // warm-up of each workload, then the measurement
        w1(client, "warm", 100_000);
        w4(client, "warm", 100_000);
        w5(client, "warm5", 1_000);
        double w1 = w1(client, "w1", W1_MESSAGES);
        double w4 = w4(client, "w1", W1_MESSAGES);
        long[] lat = w5(client, "w5", W5_MESSAGES);
        return String.format("| %s | %.0f | %.0f | %.1f | %.1f | %.1f |%n", name, w1, w4,
                lat[lat.length / 2] / 1e3, lat[(int) (lat.length * 0.99)] / 1e3, lat[(int) (lat.length * 0.999)] / 1e3);
    }

    private static double w1(MqClient client, String topic, int n) {
        OutgoingMessage m = OutgoingMessage.of(new byte[100]);
        try (Producer p = client.createProducer(ProducerOptions.builder(topic).batchingMaxMessages(100).build())) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                p.sendAsync(m);
            }
            p.flush();
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static double w4(MqClient client, String topic, int n) {
        try (Consumer c = client.subscribe(ConsumerOptions.builder(topic, "reader-" + System.nanoTime())
                .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            long start = System.nanoTime();
            int got = 0;
            while (got < n) {
                List<Message> batch = c.poll(500, Duration.ofSeconds(30));
                assertThat(batch).as("after " + got).isNotEmpty();
                got += batch.size();
                c.ackCumulative(batch.get(batch.size() - 1).id());
            }
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static long[] w5(MqClient client, String topic, int n) {
        long[] latencies = new long[n];
        long[] sentAt = new long[n];
        try (Producer p = client.createProducer(topic);
             Consumer c = client.subscribe(ConsumerOptions.builder(topic, "s").build())) {
            Thread reader = new Thread(() -> {
                for (int i = 0; i < n; i++) {
                    Optional<Message> m = c.receive(Duration.ofSeconds(30));
                    long now = System.nanoTime();
                    int index = Integer.parseInt(m.orElseThrow().text());
                    latencies[i] = now - sentAt[index];
                    c.ack(m.get().id());
                }
            });
            reader.start();
            long next = System.nanoTime();
            for (int i = 0; i < n; i++) {
                next += 1_000_000; // 1000 messages per second
                LockSupport.parkNanos(next - System.nanoTime());
                sentAt[i] = System.nanoTime();
                p.sendAsync(OutgoingMessage.text(Integer.toString(i)));
            }
            try {
                reader.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(reader.isAlive()).isFalse();
        }
        Arrays.sort(latencies);
        return latencies;
    }
}
