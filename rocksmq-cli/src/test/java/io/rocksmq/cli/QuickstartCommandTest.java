package io.rocksmq.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

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
    void badUsageExitsTwoAndFailuresExitOneWithOneLine() throws Exception {
        assertThat(run("quickstart", "--messages", "3", "--data", dir.toString())).isEqualTo(2);
        assertThat(run("no-such-command")).isEqualTo(2);
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        err.getBuffer().setLength(0);
        assertThat(run("quickstart", "--data", file.toString())).isEqualTo(1);
        assertThat(err.toString().trim()).startsWith("rmq: ").doesNotContain("\tat ");
    }
}
