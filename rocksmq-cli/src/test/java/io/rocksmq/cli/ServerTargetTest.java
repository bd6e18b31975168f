package io.rocksmq.cli;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.server.Permission;
import io.rocksmq.server.RmqServer;
import io.rocksmq.server.TokenStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI's {@code --server}: the commands that can work on a running server do so through the client API,
 * against an in-process {@link RmqServer} on loopback; the others refuse with a usage error.
 */
class ServerTargetTest {
    @TempDir
    Path dir;
    private RmqServer server;
    private String uri;
    private final Cli cli = new Cli();

    @BeforeEach
    void start() {
        server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0).start();
        uri = "rmq://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Cli.Result ok(String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    @Test
    void groupsListShowsTheExpiredMessagesEachGroupSkipped() {
        io.rocksmq.core.RocksMq mq = server.queue();
        mq.createTopic("orders");
        mq.createConsumerGroup("orders", "billing");
        mq.createConsumerGroup("orders", "audit");
        mq.produce("orders", List.of(
                io.rocksmq.core.ProducerMessage.of("gone".getBytes()).withTtl(java.time.Duration.ofMillis(1)),
                io.rocksmq.core.ProducerMessage.of("gone too".getBytes()).withTtl(java.time.Duration.ofMillis(1))));
        mq.produce("orders", List.of(io.rocksmq.core.ProducerMessage.of("kept".getBytes())));
        long producedBy = System.currentTimeMillis(); // their expiry: at most 1 ms after this
        while (System.currentTimeMillis() <= producedBy + 1) {
            Thread.onSpinWait();
        }
        // billing reads past the two expired messages and acknowledges the third: the server counts them.
        assertThat(ok("consume", "orders", "-g", "billing", "--server", uri).lines()).containsExactly("kept");

        List<String> table = ok("groups", "list", "orders", "--server", uri).lines();
        assertThat(table.get(0).split("\\s+")).containsExactly("TOPIC", "GROUP", "POSITION", "LAG", "EXPIRED");
        assertThat(table.get(1).split("\\s+")).containsExactly("orders", "audit", "0", "3", "0");
        assertThat(table.get(2).split("\\s+")).containsExactly("orders", "billing", "3", "0", "2");
        assertThat(ok("groups", "list", "orders", "--json", "--server", uri).out().strip()).isEqualTo(
                "{\"groups\":[{\"topic\":\"orders\",\"group\":\"audit\",\"position\":0,\"lag\":3,\"expired\":0},"
                        + "{\"topic\":\"orders\",\"group\":\"billing\",\"position\":3,\"lag\":0,\"expired\":2}]}");
    }

    @Test
    void topicsProduceConsumeAndGroupsWorkOnAServer() {
        assertThat(ok("topics", "create", "orders", "--server", uri).out()).isEqualTo("created topic 'orders'\n");
        assertThat(ok("--server", uri, "topics", "list").lines()).containsExactly("TOPIC   GROUPS", "orders  0");

        Cli.Result produced = cli.stdin("apple\nbanana\ncherry\n").run("produce", "orders", "-p", "source=shop",
                "-k", "k1", "--server", uri);
        assertThat(produced.exit()).as(produced.toString()).isZero();
        assertThat(produced.out()).isEqualTo("produced 3 messages to 'orders' (ids 0..2)\n");

        assertThat(ok("groups", "create", "orders", "billing", "--server", uri).out())
                .isEqualTo("created group 'billing' on 'orders' (lag 3)\n");
        Cli.Result consumed = ok("consume", "orders", "-g", "billing", "-n", "2", "--meta", "--server", uri);
        assertThat(consumed.lines()).hasSize(2);
        assertThat(consumed.lines().get(0)).startsWith("0\t").endsWith("\tk1\tsource=shop\tapple");
        assertThat(consumed.lines().get(1)).endsWith("\tbanana");
        assertThat(ok("groups", "list", "--json", "--server", uri).out().strip())
                .isEqualTo("{\"groups\":[{\"topic\":\"orders\",\"group\":\"billing\",\"position\":2,\"lag\":1,\"expired\":0}]}");
        // The rest, then caught up: the command ends by itself.
        assertThat(ok("consume", "orders", "-g", "billing", "--server", uri).lines()).containsExactly("cherry");

        // Without a group: a read that leaves no subscription behind.
        assertThat(ok("consume", "orders", "--from-id", "1", "--server", uri).lines()).containsExactly("banana", "cherry");
        assertThat(ok("topics", "describe", "orders", "--json", "--server", uri).out().strip())
                .isEqualTo("{\"name\":\"orders\",\"messages\":3,\"earliestId\":0,\"latestId\":2,"
                        + "\"groups\":[{\"name\":\"billing\",\"position\":3,\"lag\":0}]}");

        assertThat(ok("groups", "reset", "orders", "billing", "--to-id", "1", "--server", uri).out())
                .isEqualTo("group 'billing' on 'orders': lag 0 -> 2\n");
        assertThat(ok("groups", "delete", "orders", "billing", "--server", uri).out())
                .isEqualTo("deleted group 'billing' from 'orders'\n");
        assertThat(ok("topics", "delete", "orders", "--server", uri).out()).isEqualTo("deleted topic 'orders'\n");
        try (MqClient client = MqClient.open(uri)) {
            assertThat(client.listTopics()).isEmpty();
        }
    }

    @Test
    void produceCarriesDeduplicationIdsAndTtlToTheServer() {
        ok("topics", "create", "t", "--server", uri);
        assertThat(cli.stdin("a\nb\n").run("produce", "t", "--dedup-id", "batch-7", "--server", uri).out())
                .isEqualTo("produced 2 messages to 't' (ids 0..1)\n");
        assertThat(cli.stdin("a\nb\n").run("produce", "t", "--dedup-id", "batch-7", "--server", uri).out())
                .isEqualTo("produced 0 messages to 't'; 2 messages not stored again (deduplication id already stored)\n");
        assertThat(cli.stdin("short-lived\n").run("produce", "t", "--ttl", "1ms", "--server", uri).exit()).isZero();
        try (MqClient client = MqClient.open(uri);
             Consumer c = client.subscribe(ConsumerOptions.builder("t", "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            List<Message> got = c.poll(10, Duration.ofSeconds(2));
            assertThat(got).extracting(Message::text).containsExactly("a", "b"); // the expired one is not delivered
        }
    }

    @Test
    void produceSchedulesOnTheServer() {
        ok("topics", "create", "t", "--server", uri);
        assertThat(cli.stdin("later\n").run("produce", "t", "--deliver-at", "2999-01-01T00:00:00Z", "--server", uri).out())
                .startsWith("scheduled 1 message for 't', due 2999-01-01").contains("(handle ");
        assertThat(cli.stdin("a\nb\n").run("produce", "t", "--deliver-after", "1h", "--server", uri).out())
                .startsWith("scheduled 2 messages for 't', due ");
        assertThat(server.queue().admin().scheduledCount("t")).isEqualTo(3);
        String list = ok("schedules", "list", "t", "--server", uri).out();
        assertThat(list).contains("HANDLE").contains("later").contains("a").contains("b");
        assertThat(ok("schedules", "list", "t", "-n", "1", "--json", "--server", uri).out()).contains("\"scheduled\":3")
                .contains("\"payload\":\"a\"").doesNotContain("later");
        assertThat(ok("schedules", "list", "t", "-n", "2", "--server", uri).out()).contains("(2 of 3 messages shown)");
        String handle = list.strip().lines().reduce((x, y) -> y).orElseThrow().split("\\s+")[0]; // "later": due last
        assertThat(ok("schedules", "cancel", "t", handle, "--server", uri).out())
                .isEqualTo("cancelled scheduled message " + handle + " of 't'\n");
        Cli.Result again = cli.run("schedules", "cancel", "t", handle, "--server", uri);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains(handle);
        assertThat(server.queue().admin().scheduledCount("t")).isEqualTo(2);
        assertThat(cli.run("schedules", "list", "t", "-n", "1001", "--server", uri).exit()).isEqualTo(2);
        assertThat(cli.run("schedules", "list", "nope", "--server", uri).exit()).isEqualTo(1);
        assertThat(cli.stdin("now\n").run("produce", "t", "--deliver-after", "0s", "--server", uri).exit()).isZero();
        try (MqClient client = MqClient.open(uri);
             Consumer c = client.subscribe(ConsumerOptions.builder("t", "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            assertThat(c.poll(10, Duration.ofSeconds(10))).extracting(Message::text).containsExactly("now");
        }
    }

    @Test
    void errorsAreTypedAndCommandsThatNeedADirectoryRefuse() {
        Cli.Result unknown = cli.run("consume", "nope", "--server", uri);
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("nope");
        Cli.Result noGroup = cli.run("groups", "delete", "nope", "g", "--server", uri);
        assertThat(noGroup.exit()).isEqualTo(1);

        Cli.Result check = cli.run("check", "--server", uri);
        assertThat(check.exit()).isEqualTo(2);
        assertThat(check.err()).contains("'rmq check' works on a data directory only, not with --server: it reads"
                + " the data files themselves");
        Cli.Result perf = cli.run("perf", "--server", uri);
        assertThat(perf.exit()).isEqualTo(2);
        assertThat(perf.err()).contains("--peers rocksmq-served");
        Cli.Result alter = cli.run("topics", "alter", "t", "--retention-time", "1h", "--server", uri);
        assertThat(alter.exit()).isEqualTo(2);
        assertThat(alter.err()).contains("no call for retention");
        Cli.Result both = cli.run("topics", "list", "--server", uri, "--data", dir.toString());
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("--server and --data");
        Cli.Result tokenAlone = cli.run("topics", "list", "--token-file", dir.resolve("x").toString());
        assertThat(tokenAlone.exit()).isEqualTo(2);
        assertThat(cli.run("produce", "t", "--fsync", "--server", uri).exit()).isEqualTo(2);
        assertThat(cli.run("topics", "list", "--server", "http://x").exit()).isEqualTo(1);
        try (MqClient client = MqClient.open(uri)) {
            assertThat(client.listTopics()).isEmpty(); // nothing of the above changed anything
        }
    }

    @Test
    void tailReadsWithoutMovingAnyGroupAndLeavesNoSubscriptionBehind() {
        ok("topics", "create", "t", "--server", uri);
        assertThat(cli.stdin("a\nb\nc\nd\ne\n").run("produce", "t", "--server", uri).exit()).isZero();
        ok("groups", "create", "t", "billing", "--server", uri);
        ok("consume", "t", "-g", "billing", "-n", "3", "--server", uri);

        assertThat(ok("tail", "t", "-n", "2", "--server", uri).lines()).containsExactly("d", "e");
        assertThat(ok("tail", "t", "--server", uri).lines()).containsExactly("a", "b", "c", "d", "e");
        assertThat(ok("tail", "t", "-n", "0", "--server", uri).lines()).isEmpty();
        assertThat(ok("tail", "t", "-g", "billing", "--server", uri).lines()).containsExactly("d", "e");
        assertThat(ok("tail", "t", "--from-id", "4", "--server", uri).lines()).containsExactly("e");

        assertThat(ok("groups", "describe", "t", "billing", "--json", "--server", uri).out().strip())
                .isEqualTo("{\"topic\":\"t\",\"group\":\"billing\",\"position\":3,\"lag\":2,\"latestId\":4,"
                        + "\"nextId\":3,\"nextTime\":null}");
        assertThat(ok("groups", "describe", "t", "billing", "--server", uri).out()).contains("next message  id 3");
        try (MqClient client = MqClient.open(uri)) {
            assertThat(client.listSubscriptions("t")).extracting(s -> s.name()).containsExactly("billing");
        }
        Cli.Result noGroup = cli.run("groups", "describe", "t", "nope", "--server", uri);
        assertThat(noGroup.exit()).isEqualTo(1);
        assertThat(noGroup.err()).contains("nope");
    }

    @Test
    void groupsCreateSharedMakesASharedGroupWithItsSettings() {
        ok("topics", "create", "t", "--server", uri);
        assertThat(ok("groups", "create", "t", "work", "--shared", "--lock", "10s", "--max-deliveries", "3",
                "--server", uri).out()).startsWith("created shared group 'work' on 't' at ack floor ");
        io.rocksmq.core.SharedGroupOptions o = server.queue().sharedGroup("t", "work").options();
        assertThat(o.lockDuration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.maxDeliveries()).isEqualTo(3);

        Cli.Result again = cli.run("groups", "create", "t", "work", "--shared", "--server", uri);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("work");
        assertThat(server.queue().sharedGroup("t", "work").options().lockDuration()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theTokenComesFromAFileOrTheEnvironment() throws Exception {
        server.close();
        Path tokens = dir.resolve("tokens");
        String token = TokenStore.create(tokens, "ops", List.of(new TokenStore.Grant(Permission.ADMIN, "*")));
        server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0).tokens(TokenStore.load(tokens)).start();
        uri = "rmq://127.0.0.1:" + server.port();

        Cli.Result none = cli.run("topics", "create", "t", "--server", uri);
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("not authenticated").doesNotContain(token);

        Path tokenFile = dir.resolve("token.txt");
        Files.writeString(tokenFile, token + "\n");
        ok("topics", "create", "t", "--server", uri, "--token-file", tokenFile.toString());
        Cli.Result fromEnv = cli.env(Map.of("RMQ_TOKEN", token)).run("topics", "list", "--server", uri);
        assertThat(fromEnv.exit()).as(fromEnv.toString()).isZero();
        assertThat(fromEnv.out()).contains("t");
    }
}
