package io.rocksmq.cli;

import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class ProduceConsumeCommandTest {
    @TempDir
    Path dir;
    private String data;
    private final Cli cli = new Cli();

    @BeforeEach
    void setUp() {
        data = dir.resolve("data").toString();
    }

    private Cli.Result ok(String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    @Test
    void produceFromStdinAndFileWithPropertiesInBatches() throws Exception {
        Cli.Result unknown = cli.stdin("a\n").run("produce", "orders", "--data", data);
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("rmq: no queue in " + data
                + " (create one with 'rmq topics create NAME', or point --data at an existing one)\n");

        assertThat(cli.stdin("first\nsecond\nthird\n").run("produce", "orders", "--create", "-p", "source=test",
                "-p", "eq=a=b", "--batch", "2", "--data", data).out())
                .isEqualTo("produced 3 messages to 'orders' (ids 0..2)\n");
        Path file = Files.writeString(dir.resolve("in.txt"), "fourth\n\nsixth", StandardCharsets.UTF_8);
        Map<String, Object> summary = ParsedJson.object(
                ok("produce", "orders", "-f", file.toString(), "--json", "--data", data).out());
        assertThat(summary).containsEntry("messages", 3L).containsEntry("firstId", 3L).containsEntry("lastId", 5L);

        Cli.Result missingTopic = cli.stdin("x\n").run("produce", "nope", "--data", data);
        assertThat(missingTopic.exit()).isEqualTo(1);
        assertThat(missingTopic.err()).isEqualTo("rmq: topic not found: 'nope'\n");
        assertThat(cli.run("produce", "orders", "-p", "novalue", "--data", data).exit()).isEqualTo(2);
        assertThat(cli.run("produce", "orders", "--batch", "0", "--data", data).exit()).isEqualTo(2);
        assertThat(cli.run("produce", "orders", "-f", dir.resolve("missing").toString(), "--data", data).exit())
                .isEqualTo(2);

        try (RocksMq mq = RocksMq.open(Path.of(data))) {
            List<ConsumerMessage> all = mq.read("orders", 0, 100);
            assertThat(all).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                    .containsExactly("first", "second", "third", "fourth", "", "sixth");
            assertThat(all.get(0).properties()).isEqualTo(Map.of("source", "test", "eq", "a=b"));
            assertThat(all.get(3).properties()).isEmpty();
            // batch size 2: the first two share a publish batch, the third starts the next one
            assertThat(all.get(0).publishTime()).isLessThanOrEqualTo(all.get(2).publishTime());
        }
    }

    @Test
    void consumePrintsTextHexAndJsonFromAGroupOrAnIdOrATime() {
        cli.stdin("héllo\nworld\nthree\n").run("produce", "t", "--create", "-p", "k=v", "--data", data);
        ok("groups", "create", "t", "g", "--data", data);

        assertThat(ok("consume", "t", "--data", data).out()).isEqualTo("héllo\nworld\nthree\n");
        assertThat(ok("consume", "t", "--format", "hex", "-n", "1", "--data", data).out())
                .isEqualTo("68c3a96c6c6f\n");
        String meta = ok("consume", "t", "--meta", "--from-id", "1", "--max", "1", "--data", data).out();
        assertThat(meta).matches("1\t\\d{4}-.*Z\t\tk=v\tworld\n");

        List<String> json = ok("consume", "t", "-g", "g", "-n", "2", "--format", "json", "--data", data).lines();
        assertThat(json).hasSize(2);
        Map<String, Object> first = ParsedJson.object(json.get(0));
        assertThat(first).containsEntry("id", 0L).containsEntry("payload", "héllo")
                .containsEntry("properties", Map.of("k", "v"));
        assertThat((String) first.get("publishTime")).endsWith("Z");
        // the group advanced: the next consume gets the rest, then nothing
        assertThat(ok("consume", "t", "-g", "g", "--data", data).out()).isEqualTo("three\n");
        assertThat(ok("consume", "t", "-g", "g", "--data", data).out()).isEmpty();
        // reading without a group advances nothing
        assertThat(ok("consume", "t", "--from-time", "0", "--data", data).lines()).hasSize(3);
        assertThat(ok("consume", "t", "--from-time", "2999-01-01T00:00:00Z", "--data", data).out()).isEmpty();
        assertThat(ok("consume", "t", "--from-time", "-1h", "-n", "1", "--data", data).out()).isEqualTo("héllo\n");

        Cli.Result noTopic = cli.run("consume", "nope", "--data", data);
        assertThat(noTopic.exit()).isEqualTo(1);
        assertThat(noTopic.err()).isEqualTo("rmq: topic not found: 'nope'\n");
        Cli.Result noGroup = cli.run("consume", "t", "-g", "nope", "--data", data);
        assertThat(noGroup.exit()).isEqualTo(1);
        assertThat(noGroup.err()).isEqualTo("rmq: consumer group not found: 'nope' on topic 't'\n");
        assertThat(cli.run("consume", "t", "-g", "g", "--from-id", "1", "--data", data).exit())
                .as("a group and a start id are exclusive").isEqualTo(2);
    }

    @Test
    void binaryPayloadsPrintAsBase64InJson() throws Exception {
        try (RocksMq mq = RocksMq.open(Path.of(data))) {
            mq.createTopic("bin");
            mq.produce("bin", List.of(ProducerMessage.of(new byte[] {(byte) 0xff, 0, 1})));
        }
        Map<String, Object> m = ParsedJson.object(ok("consume", "bin", "--format", "json", "--data", data).out());
        assertThat(m).containsEntry("payloadBase64", "/wAB").doesNotContainKey("payload");
        assertThat(ok("consume", "bin", "--format", "hex", "--data", data).out()).isEqualTo("ff0001\n");
    }

    @Test
    void tailShowsTheLastMessages() {
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            in.append(i).append('\n');
        }
        cli.stdin(in.toString()).run("produce", "t", "--create", "--data", data);
        assertThat(ok("tail", "t", "--data", data).lines()).containsExactly("20", "21", "22", "23", "24", "25",
                "26", "27", "28", "29");
        assertThat(ok("tail", "t", "-n", "2", "--data", data).lines()).containsExactly("28", "29");
        assertThat(ok("tail", "t", "-n", "100", "--data", data).lines()).hasSize(30);
        assertThat(ok("tail", "t", "-n", "0", "--data", data).out()).isEmpty();
        assertThat(ok("tail", "t", "--from-id", "27", "--data", data).lines()).containsExactly("27", "28", "29");
    }

    @Test
    void tailFollowPrintsNewMessagesAsTheyArrive() throws Exception {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.produce("t", List.of(ProducerMessage.of("old".getBytes(StandardCharsets.UTF_8))));
            cli.shared(mq);
            AtomicReference<Cli.Result> result = new AtomicReference<>();
            Thread follower = new Thread(() -> result.set(cli.run("tail", "-f", "t", "-n", "1", "--max", "4",
                    "--poll", "5ms")));
            follower.start();
            awaitOutput(cli, "old\n");
            for (String s : List.of("a", "b", "c")) {
                mq.produce("t", List.of(ProducerMessage.of(s.getBytes(StandardCharsets.UTF_8))));
            }
            follower.join(Duration.ofSeconds(30).toMillis());
            assertThat(follower.isAlive()).isFalse();
            assertThat(result.get().exit()).as(result.get().toString()).isZero();
            assertThat(result.get().out()).isEqualTo("old\na\nb\nc\n");
        }
    }

    @Test
    void consumeFollowWithAGroupIsWokenByProduceAndStopsWhenTheGroupIsDeleted() throws Exception {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            cli.shared(mq);
            AtomicReference<Cli.Result> result = new AtomicReference<>();
            Thread follower = new Thread(() -> result.set(cli.run("consume", "-f", "t", "-g", "g", "--format", "json")));
            follower.start();
            mq.produce("t", List.of(ProducerMessage.of("x".getBytes(StandardCharsets.UTF_8))));
            awaitOutput(cli, "\"payload\":\"x\"");
            mq.destroyConsumerGroup("t", "g");
            follower.join(Duration.ofSeconds(30).toMillis());
            assertThat(follower.isAlive()).isFalse();
            assertThat(result.get().exit()).isEqualTo(1);
            assertThat(result.get().err()).isEqualTo("rmq: consumer group not found: 'g' on topic 't'\n");
            assertThat(ParsedJson.object(result.get().out())).containsEntry("payload", "x");
        }
    }

    static void awaitOutput(Cli cli, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!cli.liveOut().contains(expected)) {
            assertThat(System.nanoTime()).as("waiting for output " + expected + ", got: " + cli.liveOut())
                    .isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void produceWithADeduplicationIdStoresARerunOnceAndDescribeCountsIt() {
        ok("topics", "create", "t", "--data", data);
        assertThat(cli.stdin("a\nb\n").run("produce", "t", "--dedup-id", "batch-1", "--data", data).out())
                .isEqualTo("produced 2 messages to 't' (ids 0..1)\n");
        assertThat(cli.stdin("a\nb\nc\n").run("produce", "t", "--dedup-id", "batch-1", "--data", data).out())
                .isEqualTo("produced 1 message to 't' (id 2); 2 messages not stored again (deduplication id already stored)\n");
        assertThat(ok("topics", "describe", "t", "--data", data).out()).contains("window 2m, 2 messages not stored again");
        assertThat(ok("topics", "alter", "t", "--dedup-window", "10m", "--data", data).out())
                .isEqualTo("topic 't': deduplication window 10m, default ttl none\n");
        Map<String, Object> json = ParsedJson.object(ok("topics", "describe", "t", "--json", "--data", data).out());
        assertThat(json.get("deduplication")).isEqualTo(Map.of("windowMillis", 600_000L, "deduplicatedMessages", 2L));
        ok("topics", "alter", "t", "--dedup-window", "0", "--data", data);
        assertThat(ok("topics", "describe", "t", "--data", data).out()).contains("dedup        off");
        assertThat(cli.stdin("a\n").run("produce", "t", "--dedup-id", "batch-1", "--data", data).out())
                .isEqualTo("produced 1 message to 't' (id 3)\n");
        assertThat(cli.stdin("a\n").run("produce", "t", "--dedup-id", "", "--data", data).exit()).isEqualTo(2);
    }

    @Test
    void produceWithATtlAndATopicDefaultTtl() {
        ok("topics", "create", "t", "--data", data);
        assertThat(cli.stdin("a\n").run("produce", "t", "--ttl", "1h", "--data", data).out())
                .isEqualTo("produced 1 message to 't' (id 0)\n");
        try (RocksMq mq = RocksMq.open(Path.of(data))) {
            long expiresAt = mq.read("t", 0, 1).get(0).expiresAt();
            assertThat(expiresAt).isBetween(System.currentTimeMillis() + 3_000_000, System.currentTimeMillis() + 3_600_000);
        }
        assertThat(ok("topics", "alter", "t", "--default-ttl", "2h", "--data", data).out())
                .isEqualTo("topic 't': deduplication window 2m, default ttl 2h\n");
        assertThat(ok("topics", "describe", "t", "--data", data).out()).contains("default ttl 2h");
        assertThat(cli.stdin("a\n").run("produce", "t", "--ttl", "0s", "--data", data).exit()).isEqualTo(2);
        assertThat(cli.run("topics", "alter", "t", "--default-ttl", "soon", "--data", data).exit()).isEqualTo(2);
    }
}
