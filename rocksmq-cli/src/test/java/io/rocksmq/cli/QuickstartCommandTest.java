package io.rocksmq.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class QuickstartCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = Rmq.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @Test
    void quickstartPassesItsSelfChecksAndCanRunTwice() {
        Path data = dir.resolve("data");
        assertThat(run("quickstart", "--data", data.toString(), "--messages", "4000")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("All checks passed", "'billing' was woken", "nothing lost");
        assertThat(Files.exists(data.resolve("CURRENT"))).isTrue();
        assertThat(run("quickstart", "--data", data.toString(), "--messages", "2000")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("removed the topic of an earlier quickstart run");
    }

    @Test
    void theCommandsItSuggestsNextWork() {
        Path data = dir.resolve("data");
        assertThat(run("quickstart", "--data", data.toString(), "--messages", "400")).as(err.toString()).isZero();
        String printed = out.toString();
        List<String> next = printed.substring(printed.indexOf("Next, try:")).lines().skip(1)
                .map(String::trim).toList();
        assertThat(next).hasSizeGreaterThan(3).allMatch(c -> c.startsWith("./rmq "));
        for (String command : next) {
            out.getBuffer().setLength(0);
            String[] args = command.substring("./rmq ".length()).split(" ");
            assertThat(run(args)).as(command + "\n" + err).isZero();
            assertThat(out.toString()).as(command).doesNotContain("\u0000");
        }
        out.getBuffer().setLength(0);
        run("tail", "quickstart", "-n", "1", "--data", data.toString());
        assertThat(out.toString()).isEqualTo("order 399\n");
    }

    @Test
    void badUsageExitsTwoAndFailuresExitOneWithOneLine() throws Exception {
        assertThat(run("quickstart", "--messages", "3", "--data", dir.toString())).isEqualTo(2);
        assertThat(run("no-such-command")).isEqualTo(2);
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        err.getBuffer().setLength(0);
        assertThat(run("quickstart", "--data", file.toString())).isEqualTo(1);
        assertThat(err.toString().trim()).startsWith("rmq: ").doesNotContain("\tat ");
    }
}
