package io.rocksmq.cli;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.core.RocksMq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class ServeCommandTest {
    private static final Pattern URI = Pattern.compile("rmq://127\\.0\\.0\\.1:\\d+");

    @TempDir
    Path dir;
    private final Cli cli = new Cli();

    private static String awaitUri(Cli cli) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Matcher m = URI.matcher(cli.liveOut());
            if (m.find()) {
                return m.group();
            }
            assertThat(System.nanoTime()).as("no URI printed: " + cli.liveOut()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** {@code rmq serve} on loopback with {@code flags} exits non-zero with {@code reason}, having served nothing. */
    private void assertRefusedBeforeServing(Cli c, String reason, String... flags) {
        List<String> args = new ArrayList<>(List.of("serve", "--listen", "127.0.0.1:0", "--data", dir.toString()));
        args.addAll(List.of(flags));
        Cli.Result r = c.run(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.err()).contains(reason);
        assertThat(r.out()).doesNotContain("serving");
    }

    @Test
    void aSessionBufferBelowOneKibibyteIsRefusedBeforeServing() {
        assertRefusedBeforeServing(cli, "sessionBufferBytes must be at least 1024", "--session-buffer-size", "10");
    }

    @Test
    void aServerBufferBelowOneKibibyteOrTheFloorOrNotASizeIsRefusedBeforeServing() {
        assertRefusedBeforeServing(cli, "serverBufferBytes must be at least 1024", "--server-buffer-size", "10");
        assertRefusedBeforeServing(new Cli(), "serverBufferBytes (32768) must be at least 65536",
                "--server-buffer-size", "32KiB");
        assertRefusedBeforeServing(new Cli(), "'-5MiB' is not a size", "--server-buffer-size", "-5MiB");
    }

    @Test
    void aServerBufferSmallerThanOneSessionGoesToTheFirstSubscriptionAndRefusesTheNext() throws Exception {
        AtomicReference<Cli.Result> result = new AtomicReference<>();
        Thread server = new Thread(() -> result.set(cli.run("serve", "--listen", "127.0.0.1:0", "--data", dir.toString(),
                "--metrics-port", "0", "--server-buffer-size", "2MiB")));
        server.start();
        try {
            String uri = awaitUri(cli);
            Matcher metricsUrl = Pattern.compile("http://127\\.0\\.0\\.1:\\d+/metrics").matcher(cli.liveOut());
            assertThat(metricsUrl.find()).as(cli.liveOut()).isTrue();
            try (MqClient client = MqClient.open(uri);
                 Consumer c = client.subscribe(ConsumerOptions.builder("orders", "billing").build())) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.subscribe(
                                ConsumerOptions.builder("orders", "audit").build()))
                        .isInstanceOf(io.rocksmq.remote.ServerBusyException.class);
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                String scrape = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(metricsUrl.group()))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                String serverTag = "server=\"" + uri.substring("rmq://".length()) + "\""; // the tag: the listen address
                assertThat(scrape).contains("rocksmq_server_buffer_budget_bytes{" + serverTag + "} 2097152.0",
                        "rocksmq_server_buffer_reserved_bytes{" + serverTag + "} 2097152.0"); // all of it: less than one session's 4 MiB
            }
        } finally {
            server.interrupt();
            server.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(server.isAlive()).isFalse();
        assertThat(result.get().exit()).as(result.get().toString()).isZero();
    }

    @Test
    void serveAnswersRemoteClientsAndStopsGracefully() throws Exception {
        AtomicReference<Cli.Result> result = new AtomicReference<>();
        Thread server = new Thread(() -> result.set(cli.run("serve", "--listen", "127.0.0.1:0", "--data", dir.toString(),
                "--metrics-port", "0")));
        server.start();
        try {
            String uri = awaitUri(cli);
            Matcher metricsUrl = Pattern.compile("http://127\\.0\\.0\\.1:\\d+/metrics").matcher(cli.liveOut());
            assertThat(metricsUrl.find()).as(cli.liveOut()).isTrue();
            try (MqClient client = MqClient.open(uri);
                 Producer p = client.createProducer("orders");
                 Consumer c = client.subscribe(ConsumerOptions.builder("orders", "billing")
                         .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
                p.send("hello");
                assertThat(c.receive(Duration.ofSeconds(20)).map(m -> m.text())).contains("hello");
            }
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String scrape = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(metricsUrl.group())).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            String serverTag = "server=\"" + uri.substring("rmq://".length()) + "\""; // the tag: the listen address
            assertThat(scrape).contains(
                    "rocksmq_server_calls_seconds_count{method=\"rocksmq.v1.Queue/ProduceStream\"," + serverTag + ",status=\"OK\"} 1",
                    "rocksmq_server_calls_seconds_count{method=\"rocksmq.v1.Queue/Subscribe\"," + serverTag + ",status=\"OK\"} 1",
                    "rocksmq_server_produced_messages_total{" + serverTag + "} 1.0",
                    "rocksmq_server_delivered_messages_total{" + serverTag + "} 1.0",
                    "rocksmq_topic_messages{topic=\"orders\"} 1.0");
        } finally {
            server.interrupt();
            server.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(server.isAlive()).isFalse();
        assertThat(result.get().exit()).as(result.get().toString()).isZero();
        assertThat(result.get().out()).endsWith("stopped serving\n");
        try (RocksMq mq = RocksMq.open(dir)) { // closed, and what was sent is there
            assertThat(mq.topics()).containsExactly("orders");
            assertThat(mq.latestMessageId("orders")).isZero();
        }
    }

    @Test
    void tokenCreatesATokenThatServeRequires() throws Exception {
        Path tokens = dir.resolve("tokens");
        Cli.Result created = cli.run("token", "shop", "--tokens", tokens.toString(), "--produce", "orders*");
        assertThat(created.exit()).as(created.toString()).isZero();
        String token = created.out().strip();
        assertThat(token).startsWith("rmq_");
        assertThat(java.nio.file.Files.readString(tokens)).startsWith("shop sha256:").doesNotContain(token)
                .endsWith(" produce:orders*\n");

        AtomicReference<Cli.Result> result = new AtomicReference<>();
        Path data = dir.resolve("data");
        Cli serveCli = new Cli();
        Thread server = new Thread(() -> result.set(serveCli.run("serve", "--listen", "127.0.0.1:0", "--data",
                data.toString(), "--tokens", tokens.toString())));
        server.start();
        try {
            String uri = awaitUri(serveCli);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> MqClient.open(uri).close())
                    .isInstanceOf(io.rocksmq.remote.UnauthenticatedException.class);
            try (MqClient client = MqClient.open(uri + "?token=" + token);
                 Producer p = client.createProducer("orders")) {
                p.send("paid");
            }
        } finally {
            server.interrupt();
            server.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(result.get().exit()).as(result.get().toString()).isZero();
    }

    @Test
    void tokenWithoutAnyPermissionIsRefused() {
        Cli.Result r = cli.run("token", "nobody", "--tokens", dir.resolve("tokens").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("at least one grant");
    }

    @Test
    void aNonLoopbackAddressWithoutTlsIsRefusedUnlessInsecure() {
        Cli.Result r = cli.run("serve", "--listen", "0.0.0.0:0", "--data", dir.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("without TLS").contains("--insecure");
    }
}
