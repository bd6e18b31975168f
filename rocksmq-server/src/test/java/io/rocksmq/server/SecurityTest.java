package io.rocksmq.server;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.remote.PermissionDeniedException;
import io.rocksmq.remote.ServerUnavailableException;
import io.rocksmq.remote.UnauthenticatedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS, mutual TLS with certificates made here, and bearer tokens with per-topic permissions. */
@Timeout(120)
class SecurityTest {
    @TempDir
    Path dir;

    private Path data() {
        return dir.resolve("data");
    }

    private static String file(Path p) {
        return URLEncoder.encode(p.toString(), StandardCharsets.UTF_8);
    }

    private static void roundTrip(MqClient client, String topic) {
        try (Producer p = client.createProducer(topic);
             Consumer c = client.subscribe(ConsumerOptions.builder(topic, "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            p.send("over the wire");
            assertThat(c.receive(Duration.ofSeconds(20)).map(m -> m.text())).contains("over the wire");
        }
    }

    @Test
    void tlsServesClientsThatTrustItsCaAndNoOthers() throws Exception {
        TestCertificates certs = new TestCertificates(dir, "test");
        TestCertificates.Pem serverCert = certs.server("server");
        try (RmqServer server = RmqServer.builder(data()).listen("127.0.0.1", 0)
                .tls(serverCert.certificate(), serverCert.key(), null).start()) {
            String base = "rmqs://localhost:" + server.port();
            try (MqClient client = MqClient.open(base + "?ca=" + file(certs.caCertificate))) {
                roundTrip(client, "tls");
            }
            TestCertificates stranger = new TestCertificates(dir, "stranger");
            assertThatThrownBy(() -> MqClient.open(base + "?ca=" + file(stranger.caCertificate)).close())
                    .isInstanceOf(ServerUnavailableException.class);
            assertThatThrownBy(() -> MqClient.open("rmq://localhost:" + server.port() + "?timeout=5s").close())
                    .as("plain text to a TLS port").isInstanceOf(ServerUnavailableException.class);
        }
    }

    @Test
    void mutualTlsRequiresAClientCertificateFromTheClientCa() throws Exception {
        TestCertificates certs = new TestCertificates(dir, "test");
        TestCertificates.Pem serverCert = certs.server("server");
        TestCertificates.Pem clientCert = certs.client("alice");
        TestCertificates other = new TestCertificates(dir, "other");
        TestCertificates.Pem foreignClient = other.client("mallory");
        try (RmqServer server = RmqServer.builder(data()).listen("127.0.0.1", 0)
                .tls(serverCert.certificate(), serverCert.key(), certs.caCertificate).start()) {
            String base = "rmqs://localhost:" + server.port() + "?timeout=5s&ca=" + file(certs.caCertificate);
            try (MqClient client = MqClient.open(base + "&cert=" + file(clientCert.certificate())
                    + "&key=" + file(clientCert.key()))) {
                roundTrip(client, "mtls");
            }
            assertThatThrownBy(() -> MqClient.open(base).close()).as("no client certificate")
                    .isInstanceOf(ServerUnavailableException.class);
            assertThatThrownBy(() -> MqClient.open(base + "&cert=" + file(foreignClient.certificate())
                    + "&key=" + file(foreignClient.key())).close()).as("certificate of another CA")
                    .isInstanceOf(ServerUnavailableException.class);
        }
    }

    @Test
    void tokensAuthenticateAndGrantPerTopicPermissionsAndRefusalsChangeNothing() throws Exception {
        Path tokens = dir.resolve("tokens");
        String admin = TokenStore.create(tokens, "ops", List.of(new TokenStore.Grant(Permission.ADMIN, "*")));
        String producer = TokenStore.create(tokens, "shop", List.of(new TokenStore.Grant(Permission.PRODUCE, "orders*")));
        String consumer = TokenStore.create(tokens, "billing", List.of(new TokenStore.Grant(Permission.CONSUME, "orders")));
        assertThat(Files.readString(tokens)).doesNotContain(admin, producer, consumer).contains("sha256:");

        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream logs = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(logs, true, StandardCharsets.UTF_8)); // slf4j-simple writes here
        try (RmqServer server = RmqServer.builder(data()).listen("127.0.0.1", 0)
                .tokens(TokenStore.load(tokens)).start()) {
            String base = "rmq://127.0.0.1:" + server.port();
            assertThatThrownBy(() -> MqClient.open(base).close()).isInstanceOf(UnauthenticatedException.class);
            assertThatThrownBy(() -> MqClient.open(base + "?token=rmq_wrong").close())
                    .isInstanceOf(UnauthenticatedException.class);

            try (MqClient ops = MqClient.open(base + "?token=" + admin);
                 MqClient shop = MqClient.open(base + "?token=" + producer);
                 MqClient billing = MqClient.open(base + "?token=" + consumer)) {
                ops.createTopic("secret");
                try (Producer p = shop.createProducer("orders")) {
                    p.send("o1");
                }
                // The producer token may not consume, delete, or touch other topics: nothing changes.
                assertThatThrownBy(() -> shop.subscribe(ConsumerOptions.builder("orders", "sneaky").build()))
                        .isInstanceOf(PermissionDeniedException.class);
                assertThatThrownBy(() -> shop.deleteTopic("orders")).isInstanceOf(PermissionDeniedException.class);
                assertThatThrownBy(() -> shop.createProducer("secret")).isInstanceOf(PermissionDeniedException.class);
                assertThatThrownBy(() -> shop.createProducer("elsewhere")).isInstanceOf(PermissionDeniedException.class);
                assertThat(shop.listTopics()).containsExactly("orders");
                // The consumer token consumes orders, may not produce or delete its subscription.
                try (Consumer c = billing.subscribe(ConsumerOptions.builder("orders", "billing")
                        .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
                    assertThat(c.receive(Duration.ofSeconds(20)).map(m -> m.text())).contains("o1");
                }
                assertThatThrownBy(() -> billing.createProducer("orders").send("x")).isInstanceOf(PermissionDeniedException.class);
                assertThatThrownBy(() -> billing.deleteSubscription("orders", "billing"))
                        .isInstanceOf(PermissionDeniedException.class);
                // Scheduling and cancelling need the produce permission, as sending does.
                String handle;
                try (Producer p = shop.createProducer("orders")) {
                    handle = p.schedule(OutgoingMessage.textBuilder("later").deliverAfter(Duration.ofHours(1)).build());
                }
                try (Producer refused = billingProducer(billing)) {
                    assertThatThrownBy(() -> refused.schedule(OutgoingMessage.textBuilder("x")
                            .deliverAfter(Duration.ofHours(1)).build())).isInstanceOf(PermissionDeniedException.class);
                    assertThatThrownBy(() -> refused.cancelScheduled(handle)).isInstanceOf(PermissionDeniedException.class);
                }
                assertThat(server.queue().admin().scheduledCount("orders")).as("only shop's, still waiting").isEqualTo(1);
                try (Producer p = shop.createProducer("orders")) {
                    p.cancelScheduled(handle);
                }
                assertThat(server.queue().admin().scheduledCount("orders")).isZero();

                assertThat(server.queue().topics()).containsExactly("orders", "secret");
                assertThat(server.queue().consumerGroups("orders")).containsExactly("billing");
                assertThat(server.queue().latestMessageId("orders")).isZero();
                assertThat(server.queue().latestMessageId("secret")).isEqualTo(-1);

                ops.deleteSubscription("orders", "billing");
                assertThat(server.queue().consumerGroups("orders")).isEmpty();
            }
        } finally {
            System.setErr(stderr);
        }
        String logged = logs.toString(StandardCharsets.UTF_8);
        stderr.print(logged);
        assertThat(logged).as("the server logged the calls").contains("unauthenticated call", "subscription deleted");
        assertThat(logged).as("no token in any log line").doesNotContain(admin, producer, consumer, "rmq_wrong");
    }

    /** A producer of the consumer-only client: creating it succeeds (the topic exists); its calls are refused. */
    private static Producer billingProducer(MqClient billing) {
        return billing.createProducer("orders");
    }

    @Test
    void aNonLoopbackAddressNeedsTlsOrAnExplicitInsecure() {
        assertThatThrownBy(() -> RmqServer.builder(data()).listen("0.0.0.0", 0).start())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("without TLS");
        try (RmqServer server = RmqServer.builder(data()).listen("0.0.0.0", 0).insecure(true).start()) {
            assertThat(server.port()).isPositive();
        }
    }

    @Test
    void malformedTokenFilesAreRefusedWithoutPrintingTheLine() throws Exception {
        Path tokens = dir.resolve("bad-tokens");
        Files.writeString(tokens, "name rmq_plaintexttoken produce:*\n");
        assertThatThrownBy(() -> TokenStore.load(tokens)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("line 1").hasMessageNotContaining("rmq_plaintexttoken");
        assertThatThrownBy(() -> TokenStore.create(tokens, "x", List.of())).isInstanceOf(InvalidArgumentException.class);
    }
}
