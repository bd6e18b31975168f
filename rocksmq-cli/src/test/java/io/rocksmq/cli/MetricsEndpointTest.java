package io.rocksmq.cli;

import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsEndpointTest {
    private static final Pattern URL = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/metrics");

    @TempDir
    Path dir;
    private final Cli cli = new Cli();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String awaitUrl(Cli cli) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Matcher m = URL.matcher(cli.liveOut());
            if (m.find()) {
                return m.group();
            }
            assertThat(System.nanoTime()).as("no URL printed: " + cli.liveOut()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void serveMetricsExposesTopicsGroupsAndRocksDbOverHttpOnLoopback() throws Exception {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("orders");
            mq.createConsumerGroup("orders", "billing");
            mq.produce("orders", List.of(ProducerMessage.of(new byte[3]), ProducerMessage.of(new byte[4])));
        }
        AtomicReference<Cli.Result> result = new AtomicReference<>();
        Thread server = new Thread(() -> result.set(cli.run("serve-metrics", "--port", "0", "--data", dir.toString())));
        server.start();
        try {
            String url = awaitUrl(cli);
            HttpResponse<String> r = get(url);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(r.body()).contains(
                    "rocksmq_topics 1.0",
                    "rocksmq_topic_latest_id{topic=\"orders\"} 1.0",
                    "rocksmq_topic_earliest_id{topic=\"orders\"} 0.0",
                    "rocksmq_topic_messages{topic=\"orders\"} 2.0",
                    "rocksmq_group_lag{group=\"billing\",topic=\"orders\"} 2.0",
                    "rocksmq_group_position{group=\"billing\",topic=\"orders\"} 0.0",
                    "rocksmq_rocksdb_pending_compaction_bytes",
                    "rocksmq_rocksdb_delayed_write_rate_bytes",
                    "rocksmq_rocksdb_running_compactions",
                    "rocksmq_rocksdb_sst_size_bytes");
            assertThat(get(url.replace("/metrics", "/")).body()).contains("/metrics");
            assertThat(get(url.replace("/metrics", "/nope")).statusCode()).isEqualTo(404);
        } finally {
            server.interrupt();
            server.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(server.isAlive()).isFalse();
        assertThat(result.get().exit()).as(result.get().toString()).isZero();
        assertThat(result.get().out()).endsWith("stopped serving metrics\n");
        // the directory is free again
        RocksMq.open(dir).close();
    }

    @Test
    void consumeWithMetricsPortCountsWhatItConsumes() throws Exception {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            cli.shared(mq);
            AtomicReference<Cli.Result> result = new AtomicReference<>();
            Thread tail = new Thread(() -> result.set(cli.run("consume", "-f", "t", "-g", "g", "--max", "3",
                    "--metrics-port", "0")));
            tail.start();
            // The metrics are bound (and the URL printed) before the command reads anything.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Matcher m = URL.matcher("");
            while (!m.reset(cli.liveErr()).find()) {
                assertThat(System.nanoTime()).as("no URL on stderr: " + cli.liveErr()).isLessThan(deadline);
                Thread.sleep(5);
            }
            String url = m.group();
            mq.produce("t", List.of(ProducerMessage.of("a".getBytes()), ProducerMessage.of("bb".getBytes())));
            ProduceConsumeCommandTest.awaitOutput(cli, "a\nbb\n");
            String body = get(url).body();
            assertThat(body).contains("rocksmq_consume_messages_total{group=\"g\",topic=\"t\"} 2.0",
                    "rocksmq_consume_bytes_total{group=\"g\",topic=\"t\"} 3.0",
                    "rocksmq_produce_messages_total{topic=\"t\"} 2.0",
                    "rocksmq_produce_seconds_count{topic=\"t\"} 1",
                    "rocksmq_produce_seconds_bucket{topic=\"t\",le=\"+Inf\"} 1", // +Inf: any bound would time the produce
                    "rocksmq_consume_seconds_bucket{group=\"g\",topic=\"t\",le=\"+Inf\"}");
            mq.produce("t", List.of(ProducerMessage.of("c".getBytes())));
            tail.join(Duration.ofSeconds(30).toMillis());
            assertThat(tail.isAlive()).isFalse();
            assertThat(result.get().exit()).isZero();
            assertThat(result.get().err()).containsPattern(URL);
        }
    }

}
