package io.rocksmq.cli;

import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.RocksMq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a new user types in the first hour: help anywhere, --data anywhere, short usage errors, ids, keys. */
class CommandLineBasicsTest {
    @TempDir
    Path dir;
    private final Cli cli = new Cli();

    private Cli.Result ok(String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    private Cli.Result usage(String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        return r;
    }

    /** Every command and subcommand, as the words a user types. */
    private static List<List<String>> everyCommand() {
        List<List<String>> paths = new ArrayList<>();
        collect(Rmq.commandLine(), new ArrayList<>(), paths);
        return paths;
    }

    private static void collect(CommandLine cmd, List<String> path, List<List<String>> paths) {
        paths.add(List.copyOf(path));
        cmd.getSubcommands().forEach((name, sub) -> {
            path.add(name);
            collect(sub, path, paths);
            path.remove(path.size() - 1);
        });
    }

    @Test
    void helpWorksOnEveryCommandAndSubcommand() {
        // picocli reports a description it cannot format ("10% of") on System.err, not the command's writer
        PrintStream realErr = System.err;
        ByteArrayOutputStream picocliWarnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(picocliWarnings, true, StandardCharsets.UTF_8));
        try {
            helpOnEveryCommand();
        } finally {
            System.setErr(realErr);
        }
        assertThat(picocliWarnings.toString(StandardCharsets.UTF_8)).as("picocli's warnings").isEmpty();
    }

    private void helpOnEveryCommand() {
        List<List<String>> commands = everyCommand();
        assertThat(commands).hasSizeGreaterThan(15).contains(List.of("topics", "list"), List.of("consume"));
        for (List<String> path : commands) {
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(path);
                args.add(flag);
                Cli.Result r = ok(args.toArray(String[]::new));
                assertThat(r.out()).as(String.join(" ", args)).contains("Usage: rmq");
                if (!path.isEmpty() && !path.get(0).equals("help")) {
                    assertThat(r.out()).as(String.join(" ", args)).contains("Usage: rmq " + String.join(" ", path));
                }
            }
            if (!path.isEmpty() && !path.get(0).equals("help")) {
                List<String> viaHelp = new ArrayList<>(List.of("help"));
                viaHelp.addAll(path);
                assertThat(ok(viaHelp.toArray(String[]::new)).out()).as(String.join(" ", viaHelp))
                        .contains("Usage: rmq " + String.join(" ", path));
            }
        }
        assertThat(usage("help", "topics", "nope").err()).contains("unknown command 'nope'", "list");
    }

    @Test
    void usageErrorsAreOneLinePlusWhereToReadMore() {
        Cli.Result r = usage("consume");
        assertThat(r.err().lines()).hasSize(2);
        assertThat(r.err()).startsWith("rmq: Missing required parameter: 'TOPIC'")
                .endsWith("see 'rmq consume --help'\n");
        Cli.Result typo = usage("topics", "lst");
        assertThat(typo.err()).contains("rmq: Unmatched argument", "see 'rmq topics --help'");
        assertThat(typo.err().lines().count()).isLessThan(6);
    }

    @Test
    void dataGoesAnywhereOnTheLineOrComesFromTheEnvironment() {
        String data = dir.resolve("q").toString();
        ok("--data", data, "topics", "create", "a");
        ok("topics", "--data", data, "create", "b");
        ok("topics", "create", "c", "--data", data);
        assertThat(ok("topics", "list", "--data", data).out()).contains("a", "b", "c");

        String fromEnv = dir.resolve("env q").toString();
        cli.env(Map.of("RMQ_DATA", fromEnv));
        ok("topics", "create", "x");
        assertThat(ok("topics", "list").out()).contains("x").doesNotContain(" a ");
        assertThat(ok("topics", "list", "--data", data).out()).as("--data wins over RMQ_DATA").doesNotContain("x");
    }

    @Test
    void enumValuesIgnoreCaseAndIdsAcceptThePrintedForm() {
        String data = dir.resolve("q").toString();
        cli.stdin("a\nb\nc\n").run("produce", "t", "--create", "--data", data);
        assertThat(ok("consume", "t", "--format", "JSON", "-n", "1", "--data", data).out()).startsWith("{\"id\":0");
        assertThat(ok("consume", "t", "--from-id", "0:2", "--data", data).out()).isEqualTo("c\n");
        assertThat(ok("consume", "t", "--from-id", "1", "--data", data).out()).isEqualTo("b\nc\n");
        assertThat(usage("consume", "t", "--from-id", "1:2", "--data", data).err()).contains("partition 1");
        assertThat(usage("consume", "t", "--from-id", "-4", "--data", data).err()).contains("not a message id");
        ok("groups", "create", "t", "g", "--data", data);
        assertThat(ok("groups", "reset", "t", "g", "--to-id", "0:1", "--data", data).out()).contains("-> 1");
    }

    @Test
    void tailNeverMovesAGroupAndRejectsNegativeOrConflictingCounts() {
        String data = dir.resolve("q").toString();
        cli.stdin("0\n1\n2\n3\n").run("produce", "t", "--create", "--data", data);
        ok("groups", "create", "t", "g", "--to-id", "1", "--data", data);
        assertThat(ok("tail", "t", "-g", "g", "--data", data).lines()).containsExactly("1", "2", "3");
        assertThat(ok("groups", "describe", "t", "g", "--json", "--data", data).out()).contains("\"position\":1");
        assertThat(usage("tail", "t", "-n", "-3", "--data", data).err()).contains("-n must be >= 0");
        assertThat(usage("tail", "t", "-n", "2", "-g", "g", "--data", data).err()).contains("cannot be combined");
    }

    @Test
    void tablesPrintPlainNumbers() {
        String data = dir.resolve("q").toString();
        cli.stdin("x\n".repeat(1200)).run("produce", "t", "--create", "--batch", "500", "--data", data);
        ok("groups", "create", "t", "g", "--data", data);
        assertThat(ok("topics", "list", "--data", data).out()).contains("1200").doesNotContain("1,200");
        assertThat(ok("topics", "describe", "t", "--data", data).out()).contains("1200").doesNotContain("1,200");
        assertThat(ok("groups", "list", "--data", data).out()).contains("1200").doesNotContain("1,200");
    }

    @Test
    void keysCanBeProducedAndAreShownReservedPropertiesAreNot() {
        String data = dir.resolve("q").toString();
        ok("topics", "create", "t", "--data", data);
        cli.stdin("hello\n").run("produce", "t", "--key", "order-17", "-p", "a=1", "--data", data);
        try (RocksMq mq = RocksMq.open(Path.of(data))) {
            ConsumerMessage m = mq.read("t", 0, 1).get(0);
            assertThat(m.properties()).containsEntry(OutgoingMessage.KEY_PROPERTY, "order-17")
                    .containsEntry("a", "1");
        }
        Map<String, Object> json = ParsedJson.object(ok("consume", "t", "--format", "json", "--data", data).out());
        assertThat(json).containsEntry("key", "order-17").containsEntry("properties", Map.of("a", "1"));
        assertThat(ok("consume", "t", "--meta", "--data", data).out()).matches("0\t\\S+Z\torder-17\ta=1\thello\n");
    }

    @Test
    void retentionIsShownAndCanBeChangedPerTopic() {
        String data = dir.resolve("q").toString();
        ok("topics", "create", "t", "--data", data);
        assertThat(ok("topics", "describe", "t", "--data", data).out())
                .contains("read by every group: kept 1h, up to 64MiB", "any data: kept 7d, up to 1GiB")
                .doesNotContain("topic's own");
        assertThat(ok("topics", "alter", "t", "--max-retention-time", "30d", "--retention-bytes", "unlimited",
                "--data", data).out()).contains("every group 1h, up to unlimited; any data 30d, up to 1GiB");
        Map<String, Object> json = ParsedJson.object(ok("topics", "describe", "t", "--json", "--data", data).out());
        assertThat(json.get("retention")).isEqualTo(Map.of("retentionTimeMillis", 3_600_000L, "retentionBytes", -1L,
                "maxRetentionTimeMillis", 30L * 86_400_000, "maxRetentionBytes", 1L << 30, "topicOverride", true));
        assertThat(ok("topics", "describe", "t", "--data", data).out()).contains("30d (topic's own)");

        assertThat(usage("topics", "alter", "t", "--retention-bytes", "lots", "--data", data).err())
                .contains("not a size");
        assertThat(usage("topics", "alter", "t", "--data", data).err()).contains("give at least one");
        assertThat(ok("topics", "describe", "t", "--data", data).out()).as("a rejected alter changed nothing")
                .contains("30d (topic's own)");
        ok("topics", "alter", "t", "--default-retention", "--data", data);
        assertThat(ok("topics", "describe", "t", "--data", data).out()).contains("any data: kept 7d, up to 1GiB")
                .doesNotContain("topic's own");
        assertThat(cli.run("topics", "alter", "nope", "--retention-time", "1h", "--data", data).exit()).isEqualTo(1);
    }
}
