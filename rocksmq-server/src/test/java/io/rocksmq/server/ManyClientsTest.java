package io.rocksmq.server;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** 200 clients (each its own connection) at once on one server: every send stored once, every consumer served. */
@Timeout(180)
class ManyClientsTest {
    private static final int CLIENTS = 200;
    private static final int SENDS = 5;
    @TempDir
    Path dir;

    @Test
    void twoHundredConcurrentClients() throws Exception {
        // A budget for every client's full session buffer (200 × 4 MiB by default): this test is about many
        // clients, and the default budget (a quarter of the heap) would refuse some of the 32 subscriptions
        // open at once on a machine with a heap below 512 MiB.
        try (RmqServer server = RmqServer.builder(dir).listen("127.0.0.1", 0)
                .serverBufferBytes(CLIENTS * RmqServer.DEFAULT_SESSION_BUFFER_BYTES).start()) {
            String uri = "rmq://127.0.0.1:" + server.port();
            List<MqClient> clients = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(32);
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    clients.add(MqClient.open(uri));
                }
                List<Future<List<String>>> results = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    MqClient client = clients.get(i);
                    String me = "c" + i;
                    results.add(pool.submit(() -> {
                        // Each client sends to a shared topic and reads its own subscription of its own topic.
                        try (Producer shared = client.createProducer("shared");
                             Producer own = client.createProducer("own-" + me);
                             Consumer c = client.subscribe(ConsumerOptions.builder("own-" + me, "s")
                                     .initialPosition(SubscriptionInitialPosition.EARLIEST).receiveBufferSize(10).build())) {
                            List<String> got = new ArrayList<>();
                            for (int j = 0; j < SENDS; j++) {
                                shared.send(me + "-" + j);
                                own.send(me + "-" + j);
                            }
                            while (got.size() < SENDS) {
                                Optional<Message> m = c.receive(Duration.ofSeconds(30));
                                if (m.isEmpty()) {
                                    break;
                                }
                                got.add(m.get().text());
                                c.ack(m.get().id());
                            }
                            return got;
                        }
                    }));
                }
                for (int i = 0; i < CLIENTS; i++) {
                    List<String> expected = new ArrayList<>();
                    for (int j = 0; j < SENDS; j++) {
                        expected.add("c" + i + "-" + j);
                    }
                    assertThat(results.get(i).get()).containsExactlyElementsOf(expected);
                }
            } finally {
                pool.shutdownNow();
                for (MqClient c : clients) {
                    c.close();
                }
            }
            try (MqClient reader = MqClient.open(uri);
                 Consumer all = reader.subscribe(ConsumerOptions.builder("shared", "all")
                         .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
                Set<String> seen = new HashSet<>();
                while (seen.size() < CLIENTS * SENDS) {
                    Optional<Message> m = all.receive(Duration.ofSeconds(30));
                    assertThat(m).as("after " + seen.size()).isPresent();
                    assertThat(seen.add(m.get().text())).as("stored once: " + m.get().text()).isTrue();
                }
            }
            assertThat(server.metrics().openSubscriptions()).isZero();
        }
    }
}
