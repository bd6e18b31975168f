package io.rocksmq.kafka;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.StorageException;
import io.rocksmq.testkit.kafka.KafkaBroker;
import io.rocksmq.testkit.kafka.SharedKafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import static io.rocksmq.kafka.KafkaMappingIT.bytes;
import static io.rocksmq.kafka.KafkaMappingIT.subscribeEarliest;
import static io.rocksmq.kafka.KafkaMappingIT.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The failures the Kafka backend must survive or report clearly: no cluster at start, and a broker that
 * stops (cleanly, then by a crash) and comes back while a producer and a consumer keep working. These
 * tests start their own broker, since they stop it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KafkaFailureIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void anUnreachableClusterFailsOpenWithAClearErrorWithinTheConnectionTimeout() throws IOException {
        int port = freePort(); // nothing listens there
        String uri = "kafka://127.0.0.1:" + port + "?connectionTimeoutMs=2000";
        long start = System.nanoTime();
        assertThatThrownBy(() -> MqClient.open(uri))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("cannot reach the Kafka cluster at 127.0.0.1:" + port)
                .hasMessageContaining("2000 ms");
        // The bound is the point of the test: generous, so a loaded machine does not fail it.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));

        assertThatThrownBy(() -> MqClient.open("kafka://no-such-host.invalid:9092?connectionTimeoutMs=2000"))
                .isInstanceOf(StorageException.class).hasMessageContaining("no-such-host.invalid:9092")
                .hasMessageContaining("resolves");
    }

    @Test
    void noAcknowledgedMessageIsLostAcrossABrokerStopAndCrashAndConsumersResume(@TempDir Path dir) throws Exception {
        KafkaBroker broker = SharedKafkaBroker.testBroker(dir).start();
        String topic = "restart";
        KafkaOptions options = KafkaOptions.builder(broker.bootstrapServers())
                .requestTimeout(Duration.ofSeconds(5)).connectionTimeout(Duration.ofSeconds(5)).build();
        /* Sends acknowledged to the producer: sequence number -> id. */
        Map<Integer, MessageId> acknowledged = new ConcurrentHashMap<>();
        List<Message> received = new CopyOnWriteArrayList<>();
        AtomicInteger failedSends = new AtomicInteger();
        AtomicInteger failedAcks = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (MqClient client = KafkaMqClient.open(options)) {
            Producer producer = client.createProducer(topic);
            Consumer consumer = subscribeEarliest(client, topic, "s");
            Future<?> sending = pool.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        acknowledged.put(i, producer.send(bytes("m" + i)));
                    } catch (StorageException e) {
                        failedSends.incrementAndGet(); // not acknowledged: it may or may not be stored
                    }
                }
                return null;
            });
            Future<?> consuming = pool.submit(() -> {
                while (!stop.get() || received.size() < acknowledged.size()) {
                    Message m = consumer.receive(Duration.ofMillis(200)).orElse(null);
                    if (m == null) {
                        continue;
                    }
                    received.add(m);
                    try {
                        consumer.ackCumulative(m.id());
                    } catch (StorageException e) {
                        failedAcks.incrementAndGet(); // the broker is down: a later ack covers it
                    }
                }
                return null;
            });

            awaitAtLeast("sends before the stop", acknowledged::size, 200);
            broker.close();
            long downAt = System.nanoTime();
            assertThatThrownBy(client::listTopics).as("a call while the broker is down").isInstanceOf(StorageException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - downAt)).as("within the request timeout, generously")
                    .isLessThan(Duration.ofSeconds(30));
            broker = broker.restart();
            int afterStop = acknowledged.size();
            awaitAtLeast("sends after the restart", acknowledged::size, afterStop + 200);
            awaitAtLeast("deliveries after the restart", received::size, afterStop + 100);

            broker.kill();
            Thread.sleep(500);
            broker = broker.restart();
            int afterCrash = acknowledged.size();
            awaitAtLeast("sends after the crash", acknowledged::size, afterCrash + 200);

            stop.set(true);
            sending.get(2, TimeUnit.MINUTES);
            consuming.get(2, TimeUnit.MINUTES);
            producer.close();

            // Every acknowledged send was delivered, under its id, in order and once.
            Map<MessageId, String> delivered = new ConcurrentHashMap<>();
            MessageId previous = null;
            for (Message m : received) {
                assertThat(delivered.put(m.id(), text(m.payload()))).as("delivered twice: %s", m.id()).isNull();
                if (previous != null) {
                    assertThat(m.id()).isGreaterThan(previous);
                }
                previous = m.id();
            }
            acknowledged.forEach((seq, id) -> assertThat(delivered.get(id)).as("acknowledged send %d (%s)", seq, id)
                    .isEqualTo("m" + seq));
            System.out.printf("restart test: %d sends acknowledged, %d failed; %d delivered; %d acks failed%n",
                    acknowledged.size(), failedSends.get(), received.size(), failedAcks.get());

            // The consumer's position survived both restarts: a new consumer resumes after the last ack.
            consumer.close();
            try (Consumer resumed = subscribeEarliest(client, topic, "s");
                 Producer more = client.createProducer(topic)) {
                assertThat(resumed.receive(Duration.ofSeconds(1))).isEmpty();
                MessageId next = more.send(bytes("after"));
                assertThat(resumed.receive(WAIT)).get().extracting(Message::id).isEqualTo(next);
            }
            // And the data: a new subscription from the start reads every acknowledged message.
            try (Consumer all = subscribeEarliest(client, topic, "audit")) {
                List<MessageId> ids = new ArrayList<>();
                while (ids.size() < received.size() + 1) {
                    ids.add(all.receive(WAIT).orElseThrow().id());
                }
                assertThat(ids).containsAll(acknowledged.values());
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
            broker.close();
        }
    }

    private static void awaitAtLeast(String what, IntSupplier value, int target) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (value.getAsInt() < target) {
            if (System.nanoTime() > deadline) {
                fail(what + ": " + value.getAsInt() + " < " + target + " after " + WAIT);
            }
            Thread.sleep(20);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
