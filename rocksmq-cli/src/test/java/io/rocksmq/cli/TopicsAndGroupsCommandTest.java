package io.rocksmq.cli;

import io.rocksmq.core.RocksMq;
import io.rocksmq.core.SharedGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@SuppressWarnings("unchecked")
class TopicsAndGroupsCommandTest {
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
        assertThat(r.err()).as(r.toString()).isEmpty();
        return r;
    }

    /** Asserts exit 1 with exactly one line on stderr and no stack trace. */
    private Cli.Result fails(String expectedMessage, String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err().trim().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).startsWith("rmq: ").contains(expectedMessage).doesNotContain("\tat ");
        return r;
    }

    private void produce(String topic, int n) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
            lines.append("m").append(i).append('\n');
        }
        cli.stdin(lines.toString());
        ok("produce", topic, "--data", data);
    }

    @Test
    void topicsCreateListDescribeDelete() {
        fails("no queue in", "topics", "list", "--data", data);
        assertThat(Files.exists(Path.of(data))).as("a read-only command must not create the directory").isFalse();

        assertThat(ok("topics", "create", "orders", "audit", "--data", data).lines())
                .containsExactly("created topic 'orders'", "created topic 'audit'");
        assertThat(ok("topics", "create", "orders", "--data", data).out()).isEqualTo("topic 'orders' exists\n");
        produce("orders", 5);

        List<String> table = ok("topics", "list", "--data", data).lines();
        assertThat(table.get(0)).startsWith("TOPIC").contains("MESSAGES", "EARLIEST", "LATEST", "GROUPS");
        assertThat(table.get(1).split("\\s+")).containsExactly("audit", "0", "-", "-", "0");
        assertThat(table.get(2).split("\\s+")).containsExactly("orders", "5", "0", "4", "0");

        Map<String, Object> listed = ParsedJson.object(ok("topics", "list", "--json", "--data", data).out());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> topics = (List<Map<String, Object>>) listed.get("topics");
        assertThat(topics).extracting(t -> t.get("name")).containsExactly("audit", "orders");
        assertThat(topics.get(1)).containsEntry("messages", 5L).containsEntry("earliestId", 0L)
                .containsEntry("latestId", 4L).containsEntry("groups", 0L);
        assertThat(topics.get(0)).containsEntry("earliestId", -1L).containsEntry("messages", 0L);

        ok("groups", "create", "orders", "billing", "--data", data);
        String described = ok("topics", "describe", "orders", "--data", data).out();
        assertThat(described).contains("messages     5", "earliest id  0  published ", "latest id    4", "groups       1");
        assertThat(described.lines().filter(l -> l.startsWith("billing")).findFirst().orElseThrow().split("\\s+"))
                .containsExactly("billing", "0", "5");
        Map<String, Object> json = ParsedJson.object(ok("topics", "describe", "orders", "--json", "--data", data).out());
        assertThat(json).containsEntry("name", "orders").containsEntry("messages", 5L).containsEntry("latestId", 4L);
        assertThat((String) json.get("earliestTime")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat((List<Object>) json.get("groups")).containsExactly((Object) Map.of("name", "billing", "position", 0L, "lag", 5L));

        fails("topic not found: 'nope'", "topics", "describe", "nope", "--data", data);
        // all or nothing: an unknown name deletes none
        fails("topic not found: 'nope'", "topics", "delete", "orders", "nope", "--data", data);
        assertThat(ok("topics", "delete", "orders", "--data", data).out())
                .isEqualTo("deleted topic 'orders' (5 messages)\n");
        assertThat(ok("topics", "list", "--data", data).lines()).hasSize(2);
        fails("control character", "topics", "create", "bad\u0001name", "--data", data);
    }

    @Test
    void sharedGroupsAreCreatedWithTheirSettingsAndDescribedFromWhatIsPersisted() {
        ok("topics", "create", "jobs", "dlq", "--data", data);
        produce("jobs", 4);
        assertThat(ok("groups", "create", "jobs", "w", "--shared", "--lock", "10s", "--max-deliveries", "2",
                "--dead-letter-topic", "dlq", "--redelivery-delay", "1s,5s", "--data", data).out())
                .isEqualTo("created shared group 'w' on 'jobs' at ack floor 0\n");
        fails("maxDeliveries must be positive", "groups", "create", "jobs", "x", "--shared", "--max-deliveries", "0",
                "--data", data);
        fails("topic not found: 'nope'", "groups", "create", "jobs", "x", "--shared", "--dead-letter-topic", "nope",
                "--data", data);
        assertThat(cli.run("groups", "create", "jobs", "x", "--shared", "--to-latest", "--data", data).exit())
                .as("a shared group has no position to set").isNotZero();
        try (RocksMq mq = RocksMq.open(Path.of(data))) {
            SharedGroup w = mq.sharedGroup("jobs", "w");
            List<SharedGroup.Delivery> ds = w.acquire(3, Duration.ZERO);
            w.ack(ds.get(0));
            w.reject(ds.get(1));      // dead-lettered to 'dlq'
            w.release(ds.get(2));     // delivered once, to be redelivered
        }
        Map<String, Object> d = ParsedJson.object(ok("groups", "describe", "jobs", "w", "--json", "--data", data).out());
        assertThat(d).containsEntry("type", "shared").containsEntry("ackFloor", 2L).containsEntry("deadLettered", 1L)
                .containsEntry("redeliveryPending", 1L).containsEntry("maxDeliveries", 2L)
                .containsEntry("deadLetterTopic", "dlq").containsEntry("lockMillis", 10_000L);
        assertThat(ok("groups", "describe", "jobs", "w", "--data", data).out())
                .contains("w (shared)", "ack floor", "dead-lettered     1 to 'dlq'");
        fails("is a shared group", "consume", "jobs", "-g", "w", "--data", data);
    }

    @Test
    void groupsCreateListDescribeResetDelete() {
        ok("topics", "create", "orders", "--data", data);
        produce("orders", 10);
        assertThat(ok("groups", "create", "orders", "billing", "--data", data).out())
                .isEqualTo("created group 'billing' on 'orders' at position 0 (lag 10)\n");
        assertThat(ok("groups", "create", "orders", "audit", "--to-latest", "--data", data).out())
                .isEqualTo("created group 'audit' on 'orders' at position 10 (lag 0)\n");
        fails("exists", "groups", "create", "orders", "billing", "--data", data);
        fails("topic not found", "groups", "create", "nope", "g", "--data", data);

        List<String> table = ok("groups", "list", "--data", data).lines();
        assertThat(table).hasSize(3);
        assertThat(table.get(0).split("\\s+")).containsExactly("TOPIC", "GROUP", "POSITION", "LAG", "EXPIRED");
        // Expired counts live in the process that has the queue open (not persisted): unknown here.
        assertThat(table.get(1).split("\\s+")).containsExactly("orders", "audit", "10", "0", "?");
        assertThat(table.get(2).split("\\s+")).containsExactly("orders", "billing", "0", "10", "?");
        Map<String, Object> listed = ParsedJson.object(ok("groups", "list", "orders", "--json", "--data", data).out());
        assertThat((List<Object>) listed.get("groups")).hasSize(2).contains((Object)
                Map.of("topic", "orders", "group", "billing", "position", 0L, "lag", 10L));

        ok("consume", "orders", "-g", "billing", "-n", "3", "--data", data);
        Map<String, Object> d = ParsedJson.object(ok("groups", "describe", "orders", "billing", "--json", "--data", data).out());
        assertThat(d).containsEntry("position", 3L).containsEntry("lag", 7L).containsEntry("nextId", 3L)
                .containsEntry("latestId", 9L);
        assertThat(ok("groups", "describe", "orders", "billing", "--data", data).out())
                .contains("position      3", "lag           7 (latest id 9)", "next message  id 3  published ");
        fails("consumer group not found: 'nope'", "groups", "describe", "orders", "nope", "--data", data);

        assertThat(ok("groups", "reset", "orders", "billing", "--to-id", "8", "--data", data).out())
                .isEqualTo("group 'billing' on 'orders': position 3 -> 8 (lag 2)\n");
        Map<String, Object> r = ParsedJson.object(
                ok("groups", "reset", "orders", "billing", "--to-earliest", "--json", "--data", data).out());
        assertThat(r).containsEntry("previousPosition", 8L).containsEntry("position", 0L).containsEntry("lag", 10L);
        assertThat(ok("groups", "reset", "orders", "billing", "--to-latest", "--data", data).out())
                .endsWith("position 0 -> 10 (lag 0)\n");
        assertThat(ok("groups", "reset", "orders", "billing", "--to-time", "0", "--data", data).out())
                .endsWith("position 10 -> 0 (lag 10)\n");
        assertThat(ok("groups", "reset", "orders", "billing", "--to-time", "2999-01-01", "--data", data).out())
                .endsWith("-> 10 (lag 0)\n");
        assertThat(cli.run("groups", "reset", "orders", "billing", "--data", data).exit())
                .as("a reset target is required").isEqualTo(2);
        assertThat(cli.run("groups", "reset", "orders", "billing", "--to-latest", "--to-id", "1", "--data", data)
                .exit()).as("targets are exclusive").isEqualTo(2);
        assertThat(cli.run("groups", "reset", "orders", "billing", "--to-time", "yesterday", "--data", data).exit())
                .isEqualTo(2);

        assertThat(ok("groups", "delete", "orders", "audit", "--data", data).out())
                .isEqualTo("deleted group 'audit' from 'orders'\n");
        fails("consumer group not found: 'audit'", "groups", "delete", "orders", "audit", "--data", data);
        assertThat(ok("groups", "list", "orders", "--data", data).lines()).hasSize(2);
    }

    @Test
    void helpAndUsageErrors() {
        Cli.Result help = ok("--help");
        assertThat(help.out()).contains("Exit codes:", "topics", "groups", "produce", "consume", "tail", "perf",
                "check", "serve-metrics", "completion", "quickstart");
        assertThat(ok("topics").out()).contains("list", "create", "delete", "describe");
        assertThat(cli.run("topics", "frobnicate").exit()).isEqualTo(2);
        assertThat(cli.run("groups", "create", "only-topic").exit()).isEqualTo(2);
        assertThat(cli.run("consume", "t", "--format", "xml").exit()).isEqualTo(2);
    }
}
