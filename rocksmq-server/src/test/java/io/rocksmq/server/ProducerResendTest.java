package io.rocksmq.server;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.remote.ServerUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A send whose batch the server stored but whose answer was lost with the connection: a producer with a
 * name resends it on a new connection and the server's deduplication answers with the original's id
 * (stored once); a producer without one fails the send (resending could store it twice).
 */
@Timeout(60)
class ProducerResendTest {
    @TempDir
    Path dir;

    @Test
    void aNamedProducerResendsAfterALostAnswerAndTheMessageIsStoredOnce() throws Exception {
        try (RmqServer server = RmqServer.builder(dir).listen("127.0.0.1", 0).start();
             CuttableProxy proxy = new CuttableProxy(server.port());
             MqClient viaProxy = MqClient.open("rmq://127.0.0.1:" + proxy.port() + "?timeout=5s");
             MqClient direct = MqClient.open("rmq://127.0.0.1:" + server.port());
             Producer p = viaProxy.createProducer(ProducerOptions.builder("t").producerName("resender").build());
             Consumer c = direct.subscribe(ConsumerOptions.builder("t", "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            assertThat(p.send("m0").offset()).isZero();

            CompletableFuture<MessageId> lost = sendWithLostAnswer(proxy, p, c);
            assertThat(lost.get(30, TimeUnit.SECONDS).offset()).as("the resend answers the original's id").isEqualTo(1);
            assertThat(p.send("m2").offset()).isEqualTo(2);
            assertThat(receive(c, 1)).containsExactly("m2");
            assertThat(c.receive(Duration.ofMillis(300))).as("m1 was not stored twice").isEmpty();
        }
    }

    @Test
    void aProducerWithoutANameFailsTheSendInstead() throws Exception {
        try (RmqServer server = RmqServer.builder(dir).listen("127.0.0.1", 0).start();
             CuttableProxy proxy = new CuttableProxy(server.port());
             MqClient viaProxy = MqClient.open("rmq://127.0.0.1:" + proxy.port() + "?timeout=5s");
             MqClient direct = MqClient.open("rmq://127.0.0.1:" + server.port());
             Producer p = viaProxy.createProducer("t");
             Consumer c = direct.subscribe(ConsumerOptions.builder("t", "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            p.send("m0");
            CompletableFuture<MessageId> lost = sendWithLostAnswer(proxy, p, c);
            assertThatThrownBy(() -> lost.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(ServerUnavailableException.class);
        }
    }

    /** Sends m1 while the proxy drops answers, waits until the server stored it, then cuts the connection. */
    private static CompletableFuture<MessageId> sendWithLostAnswer(CuttableProxy proxy, Producer p, Consumer c)
            throws InterruptedException {
        proxy.holdResponses(true);
        CompletableFuture<MessageId> lost = p.sendAsync(io.rocksmq.api.OutgoingMessage.text("m1"));
        assertThat(receive(c, 2)).containsExactly("m0", "m1"); // stored on the server
        assertThat(lost).isNotDone();
        proxy.cutAll();
        proxy.holdResponses(false);
        return lost;
    }

    private static List<String> receive(Consumer c, int n) throws InterruptedException {
        List<String> texts = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (texts.size() < n && System.nanoTime() < deadline) {
            Optional<Message> m = c.receive(Duration.ofMillis(200));
            m.ifPresent(x -> {
                texts.add(x.text());
                c.ack(x.id());
            });
        }
        return texts;
    }
}
