package io.rocksmq.cli;

import io.rocksmq.testkit.process.ChildJvm;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live inspection: another process (a child JVM, {@link LiveWriter}) holds the queue open for writing and
 * produces, while the read commands of this JVM look at it, and the write commands say in one line why
 * they cannot. (Before followers existed every one of these commands exited 3 on such a directory.)
 *
 * <p>One writer for the class: the tests only read, except the {@code tail -f} one, which produces two
 * messages after tail started (the other tests do not depend on how many messages there are).
 */
class LiveInspectionTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;
    private static Path dir;
    private static ChildJvm writer;

    @BeforeAll
    static void startWriter() throws Exception {
        dir = tmp.resolve("q");
        writer = ChildJvm.start(LiveWriter.class, tmp.resolve("writer.err"), dir.toString());
        assertThat(writer.nextLine(WAIT)).isEqualTo(LiveWriter.READY);
    }

    @AfterAll
    static void stopWriter() throws Exception {
        if (writer != null) {
            writer.close();
        }
    }

    private Cli.Result rmq(String... args) {
        return new Cli().run(args);
    }

    @Test
    void topicsListAndDescribeShowTheWritersTopic() {
        Cli.Result list = rmq("topics", "list", "--data", dir.toString());
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.lines()).anySatisfy(l -> assertThat(l).startsWith("orders").contains(" 0 "));

        Cli.Result describe = rmq("topics", "describe", "orders", "--json", "--data", dir.toString());
        assertThat(describe.exit()).as(describe.toString()).isZero();
        assertThat(describe.out()).contains("\"name\":\"orders\"", "\"earliestId\":0");
        assertThat(writer.isAlive()).as("the writer is undisturbed").isTrue();
    }

    @Test
    void groupsDescribeAndListShowTheWritersPositions() {
        Cli.Result describe = rmq("groups", "describe", "orders", "billing", "--data", dir.toString());
        assertThat(describe.exit()).as(describe.toString()).isZero();
        assertThat(describe.out()).containsPattern("position\\s+2\\n").contains("next message", "id 2");

        Cli.Result list = rmq("groups", "list", "--data", dir.toString());
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).contains("billing");
    }

    @Test
    void tailFollowSeesMessagesTheWriterProducesAfterItStarted() throws Exception {
        Cli cli = new Cli();
        AtomicReference<Cli.Result> result = new AtomicReference<>();
        Thread tail = new Thread(() -> result.set(cli.run("tail", "-f", "orders", "-n", "1", "--max", "3",
                "--poll", "20ms", "--data", dir.toString())));
        tail.start();
        try {
            awaitOutput(cli, tail, "order 4\n"); // the last message before tail started
            writer.send("produce live 1");
            assertThat(writer.nextLine(WAIT)).startsWith("produced ");
            writer.send("produce live 2");
            assertThat(writer.nextLine(WAIT)).startsWith("produced ");
            tail.join(WAIT.toMillis());
        } finally {
            if (tail.isAlive()) {
                tail.interrupt();
            }
        }
        assertThat(tail.isAlive()).as("tail -f did not see both new messages: %s", cli.liveOut()).isFalse();
        assertThat(result.get().exit()).as(result.get().toString()).isZero();
        assertThat(result.get().lines()).containsExactly("order 4", "live 1", "live 2");
    }

    @Test
    void consumeWithoutAGroupAndCheckQuickRead() {
        Cli.Result consume = rmq("consume", "orders", "--max", "3", "--data", dir.toString());
        assertThat(consume.exit()).as(consume.toString()).isZero();
        assertThat(consume.lines()).containsExactly("order 0", "order 1", "order 2");

        Cli.Result check = rmq("check", "--quick", "--data", dir.toString());
        assertThat(check.exit()).as(check.toString()).isZero();
        assertThat(check.out()).contains("live: another process has it open for writing", "orders", "OK");
    }

    @Test
    void serveMetricsFollowsTheWriter() throws Exception {
        Cli cli = new Cli();
        AtomicReference<Cli.Result> result = new AtomicReference<>();
        Thread server = new Thread(() -> result.set(cli.run("serve-metrics", "--port", "0", "--data", dir.toString())));
        server.start();
        try {
            Pattern url = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/metrics");
            long deadline = System.nanoTime() + WAIT.toNanos();
            Matcher m = url.matcher("");
            while (!m.reset(cli.liveOut()).find()) {
                assertThat(server.isAlive() && System.nanoTime() < deadline)
                        .as("no URL printed: %s", cli.liveOut() + cli.liveErr()).isTrue();
                Thread.sleep(5);
            }
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            String body = http.send(HttpRequest.newBuilder(URI.create(m.group())).timeout(Duration.ofSeconds(30)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).contains("rocksmq_group_position{group=\"billing\",topic=\"orders\"} 2.0",
                    "rocksmq_topic_earliest_id{topic=\"orders\"} 0.0");
        } finally {
            server.interrupt();
            server.join(WAIT.toMillis());
        }
        assertThat(result.get().exit()).as(result.get().toString()).isZero();
    }

    @Test
    void writeCommandsSayInOneLineWhyTheyCannot() {
        for (List<String> args : List.of(
                List.of("produce", "orders"),
                List.of("topics", "create", "other"),
                List.of("groups", "reset", "orders", "billing", "--to-earliest"),
                List.of("consume", "orders", "-g", "billing"))) {
            Cli.Result r = new Cli().stdin("x\n").run(concat(args, "--data", dir.toString()));
            assertThat(r.exit()).as("%s: %s", args, r).isEqualTo(Rmq.EXIT_IN_USE);
            assertThat(r.err().strip().lines()).as("%s: one line", args).singleElement().satisfies(l -> assertThat(l)
                    .startsWith("rmq: cannot change ")
                    .contains("another process has it open for writing", "rmq serve"));
        }
        Cli.Result describe = rmq("groups", "describe", "orders", "billing", "--data", dir.toString());
        assertThat(describe.out()).as("nothing changed").containsPattern("position\\s+2\\n");
    }

    private static String[] concat(List<String> args, String... more) {
        List<String> all = new java.util.ArrayList<>(args);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** Waits until the command running on {@code command} printed {@code expected}; fails if it ended first. */
    private static void awaitOutput(Cli cli, Thread command, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!cli.liveOut().contains(expected)) {
            assertThat(command.isAlive() && System.nanoTime() < deadline)
                    .as("waiting for %s; out: %s; err: %s", expected, cli.liveOut(), cli.liveErr()).isTrue();
            Thread.sleep(5);
        }
    }

    /** Not part of the shared writer's tests: an application starting while {@code tail -f} follows. */
    @Test
    void anApplicationCanStartWhileTailFollowsAndTailSeesWhatItWrites(@TempDir Path other) throws Exception {
        Path idle = other.resolve("q");
        try (ChildJvm first = ChildJvm.start(LiveWriter.class, other.resolve("first.err"), idle.toString())) {
            assertThat(first.nextLine(WAIT)).isEqualTo(LiveWriter.READY);
            first.finish(WAIT); // closes the queue: now nobody has the directory open
        }
        assertThat(Files.exists(idle.resolve("CURRENT"))).isTrue();

        Cli cli = new Cli();
        AtomicReference<Cli.Result> result = new AtomicReference<>();
        Thread tail = new Thread(() -> result.set(cli.run("tail", "-f", "orders", "-n", "1", "--max", "2",
                "--poll", "20ms", "--data", idle.toString())));
        tail.start();
        awaitOutput(cli, tail, "order 4\n");
        // The application opens the directory for writing while tail follows it (it produces its five
        // startup messages again: ids 5..9).
        try (ChildJvm app = ChildJvm.start(LiveWriter.class, other.resolve("app.err"), idle.toString())) {
            assertThat(app.nextLine(WAIT)).as("the application could not open the queue: %s",
                    app.stderr()).isEqualTo(LiveWriter.READY);
            tail.join(WAIT.toMillis());
        } finally {
            if (tail.isAlive()) {
                tail.interrupt();
            }
        }
        assertThat(result.get()).as("tail -f still running: %s", cli.liveOut()).isNotNull();
        assertThat(result.get().exit()).as(result.get().toString()).isZero();
        assertThat(result.get().lines()).containsExactly("order 4", "order 0");
    }
}
