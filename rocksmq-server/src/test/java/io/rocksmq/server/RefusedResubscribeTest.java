package io.rocksmq.server;

import io.grpc.ClientCall;
import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.remote.QueueGrpc;
import io.rocksmq.remote.proto.InitialPosition;
import io.rocksmq.remote.proto.SubscribeRequest;
import io.rocksmq.remote.proto.SubscribeResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.rocksmq.server.Conditions.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A consumer whose connection breaks and whose re-subscribe the server then refuses (its buffer budget
 * taken meanwhile by streams that grant no credit) keeps retrying, and once a stream ends and gives its
 * share back, re-subscribes and receives every unacknowledged message, produced before or during the outage,
 * and nothing it had acknowledged.
 */
@Timeout(180)
class RefusedResubscribeTest {
    private static final long SESSION = 256 << 10;
    private static final String REFUSED_SUBSCRIBE = QueueGrpc.SUBSCRIBE.getFullMethodName() + " RESOURCE_EXHAUSTED";

    @TempDir
    Path dir;

    @Test
    void aResubscribeRefusedForTheBufferBudgetRecoversOnceTheBudgetFrees() throws Exception {
        // Room for two streams: the consumer's and one other; a third that opens takes the consumer's place.
        try (RmqServer server = RmqServer.builder(dir).listen("127.0.0.1", 0).sessionBufferBytes(SESSION)
                .serverBufferBytes(2 * SESSION).start();
             RawClient raw = new RawClient(server);
             CuttableProxy proxy = new CuttableProxy(server.port());
             MqClient viaProxy = MqClient.open("rmq://127.0.0.1:" + proxy.port() + "?timeout=5s");
             Producer p = viaProxy.createProducer("t");
             Consumer c = viaProxy.subscribe(ConsumerOptions.builder("t", "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            ServerBufferBudget budget = server.queueService().budget();
            ClientCall<SubscribeRequest, SubscribeResponse> other = CreditlessSubscriber.open(raw, "other");
            assertThat(budget.reserved()).isEqualTo(2 * SESSION);
            p.send("m1");
            p.send("m2");
            Message m1 = c.receive(Duration.ofSeconds(30)).orElseThrow();
            assertThat(m1.text()).isEqualTo("m1");
            c.ack(m1.id());

            // The connection breaks and stays down until a creditless stream took the consumer's share.
            proxy.refuseConnections(true);
            proxy.cutAll();
            awaitTrue("the consumer's share given back", () -> budget.reserved() == SESSION);
            ClientCall<SubscribeRequest, SubscribeResponse> hog = CreditlessSubscriber.open(raw, "hog");
            assertThat(budget.reserved()).isEqualTo(2 * SESSION);
            server.queue().produce("t", List.of(text("m3"), text("m4")));

            // The network is back: the server refuses the consumer's re-subscribe, and the consumer retries.
            proxy.refuseConnections(false);
            awaitTrue("a re-subscribe refused", () -> server.metrics().calls().getOrDefault(REFUSED_SUBSCRIBE, 0L) >= 1);
            assertThat(server.queue().position("t", "s")).as("the refusal moved nothing").isEqualTo(1);

            hog.cancel("done", null); // its share comes back: the next retry opens
            List<String> again = new ArrayList<>();
            for (Message m : receive(c, 3)) {
                again.add(m.text());
                c.ack(m.id());
            }
            assertThat(again).containsExactly("m2", "m3", "m4");
            assertThat(c.receive(Duration.ofMillis(300))).as("nothing delivered twice").isEmpty();
            assertThat(server.queue().position("t", "s")).isEqualTo(4);
            other.cancel("done", null);
        }
    }

    private static ProducerMessage text(String s) {
        return ProducerMessage.of(s.getBytes(StandardCharsets.UTF_8));
    }

    private static List<Message> receive(Consumer c, int n) {
        List<Message> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (out.size() < n && System.nanoTime() < deadline) {
            Optional<Message> m = c.receive(Duration.ofSeconds(1));
            m.ifPresent(out::add);
        }
        assertThat(out).as("received in 60 s").hasSize(n);
        return out;
    }
}
