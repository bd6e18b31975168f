package io.rocksmq.server;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.RocksMqException;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server stops and starts again on the same port and directory while a client is open: calls in
 * between fail typed, then the same client works again; its consumer re-subscribes by itself and gets the
 * unacknowledged messages again, and nothing acknowledged comes back.
 */
@Timeout(120)
class ServerRestartTest {
    @TempDir
    Path dir;

    @Test
    void theClientReconnectsAndTheConsumerResubscribesAfterARestart() throws Exception {
        RmqServer server = RmqServer.builder(dir).listen("127.0.0.1", 0).start();
        int port = server.port();
        try (MqClient client = MqClient.open("rmq://127.0.0.1:" + port + "?timeout=5s");
             Producer p = client.createProducer("t");
             Consumer c = client.subscribe(ConsumerOptions.builder("t", "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            for (int i = 0; i < 4; i++) {
                p.send("m" + i);
            }
            List<Message> first = receive(c, 4);
            c.ack(first.get(0).id());
            c.ack(first.get(1).id()); // m2 and m3 stay unacknowledged

            server.close();
            assertThatThrownBy(() -> p.send("while down")).isInstanceOf(ServerUnavailableException.class);
            assertThatThrownBy(client::listTopics).isInstanceOf(ServerUnavailableException.class);
            assertThat(c.receive(Duration.ofMillis(200))).isEmpty(); // no failure: the consumer waits to re-subscribe

            server = RmqServer.builder(dir).listen("127.0.0.1", port).start();
            MessageId after = sendUntilUp(p, "after restart");
            List<String> again = new ArrayList<>();
            for (Message m : receive(c, 3)) {
                again.add(m.text());
                c.ack(m.id());
            }
            assertThat(again).containsExactly("m2", "m3", "after restart");
            assertThat(client.listSubscriptions("t").get(0).lag()).isZero();
            assertThat(after.offset()).isEqualTo(4); // the send while down was not stored
        } finally {
            server.close();
        }
    }

    private static MessageId sendUntilUp(Producer p, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return p.send(text);
            } catch (ServerUnavailableException e) {
                assertThat(System.nanoTime()).as("server still unreachable").isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }

    private static List<Message> receive(Consumer c, int n) {
        List<Message> out = new ArrayList<>();
        while (out.size() < n) {
            Optional<Message> m = c.receive(Duration.ofSeconds(30));
            if (m.isEmpty()) {
                throw new RocksMqException("got only " + out.size() + " of " + n);
            }
            out.add(m.get());
        }
        return out;
    }
}
