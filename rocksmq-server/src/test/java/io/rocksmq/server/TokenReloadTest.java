package io.rocksmq.server;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.remote.UnauthenticatedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The token file is read again when it changes ({@link TokenStore#watching}): a revoked token is refused
 * on its next call (nothing stored), a new one is accepted, all without a restart; a broken file keeps the
 * tokens in force before it; and a long check interval is honoured.
 */
class TokenReloadTest {
    private static final List<TokenStore.Grant> ALL = List.of(new TokenStore.Grant(Permission.ADMIN, "*"));
    @TempDir
    Path dir;
    private RmqServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String uri(String token) {
        return "rmq://127.0.0.1:" + server.port() + "?token=" + token;
    }

    /** Replaces the file as an editor or a deploy script would: a new file renamed over the old one. */
    private static void rewrite(Path file, String content) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String lineOf(Path file, String name) throws Exception {
        return Files.readAllLines(file).stream().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow();
    }

    @Test
    void aRevokedTokenIsRefusedOnItsNextCallAndANewOneAcceptedWithoutARestart() throws Exception {
        Path tokens = dir.resolve("tokens");
        String shop = TokenStore.create(tokens, "shop", ALL);
        String ops = TokenStore.create(tokens, "ops", ALL);
        server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0)
                .tokens(TokenStore.watching(tokens, Duration.ZERO)).start();

        try (MqClient client = MqClient.open(uri(shop));
             Producer p = client.createProducer("orders")) {
            p.send("before");
            rewrite(tokens, lineOf(tokens, "ops") + "\n"); // shop revoked
            assertThatThrownBy(() -> p.send("after")).isInstanceOf(UnauthenticatedException.class); // on the open stream
            assertThatThrownBy(() -> client.createTopic("other")).isInstanceOf(UnauthenticatedException.class);
        }
        String billing = TokenStore.create(tokens, "billing", ALL); // appended while serving
        try (MqClient client = MqClient.open(uri(billing))) {
            assertThat(client.listTopics()).containsExactly("orders");
        }
        try (MqClient client = MqClient.open(uri(ops))) {
            assertThat(client.listSubscriptions("orders")).isEmpty();
        }
        // Nothing the revoked token tried was stored.
        assertThat(server.queue().latestMessageId("orders")).isZero();
    }

    @Test
    void aRevokedTokenEndsItsOpenSubscriptionBeforeAnotherDelivery() throws Exception {
        Path tokens = dir.resolve("tokens");
        String shop = TokenStore.create(tokens, "shop", ALL);
        String ops = TokenStore.create(tokens, "ops", ALL);
        server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0)
                .tokens(TokenStore.watching(tokens, Duration.ZERO)).start();
        try (MqClient admin = MqClient.open(uri(ops));
             Producer p = admin.createProducer("orders");
             MqClient client = MqClient.open(uri(shop));
             Consumer c = client.subscribe(ConsumerOptions.builder("orders", "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            p.send("before");
            List<Message> first = c.poll(1, Duration.ofSeconds(30));
            assertThat(first).extracting(Message::text).containsExactly("before");
            c.ack(first.get(0).id());
            rewrite(tokens, lineOf(tokens, "ops") + "\n"); // shop revoked while its stream is open
            p.send("after");
            assertThatThrownBy(() -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline) {
                    assertThat(c.poll(10, Duration.ofMillis(200))).as("delivered after the revocation").isEmpty();
                }
            }).isInstanceOf(UnauthenticatedException.class);
        }
        try (MqClient client = MqClient.open(uri(ops));
             Consumer c = client.subscribe(ConsumerOptions.builder("orders", "s").build())) {
            assertThat(c.poll(1, Duration.ofSeconds(30))).as("the undelivered message goes to the next consumer")
                    .extracting(Message::text).containsExactly("after");
        }
    }

    @Test
    void aBrokenFileKeepsTheTokensInForceBeforeIt() throws Exception {
        Path tokens = dir.resolve("tokens");
        String shop = TokenStore.create(tokens, "shop", ALL);
        server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0)
                .tokens(TokenStore.watching(tokens, Duration.ZERO)).start();
        rewrite(tokens, "this is not a token line\n");
        try (MqClient client = MqClient.open(uri(shop))) {
            client.createTopic("still-allowed");
        }
        Files.delete(tokens);
        try (MqClient client = MqClient.open(uri(shop))) {
            assertThat(client.listTopics()).containsExactly("still-allowed");
        }
    }

    @Test
    void aChangeWaitsForTheCheckInterval() throws Exception {
        Path tokens = dir.resolve("tokens");
        String shop = TokenStore.create(tokens, "shop", ALL);
        TokenStore store = TokenStore.watching(tokens, Duration.ofHours(1));
        rewrite(tokens, "");
        assertThat(store.verify(shop)).isPresent(); // not looked at again within the hour
        assertThat(TokenStore.watching(tokens, Duration.ZERO).verify(shop)).isEmpty();
        assertThatThrownBy(() -> TokenStore.watching(tokens, Duration.ofSeconds(-1)))
                .isInstanceOf(InvalidArgumentException.class);
    }
}
