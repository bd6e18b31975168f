package io.rocksmq.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptionsTest {
    @Test
    void modesSetTheirDefaults() {
        Options full = Options.parse(new String[0]);
        assertThat(full.mode).isEqualTo(Mode.FULL);
        assertThat(full.runs).isEqualTo(3);
        assertThat(full.peers).isEqualTo(EnumSet.complementOf(EnumSet.of(Peer.ROCKSMQ_BLOB, Peer.ROCKSDB_VPB_BLOB,
                        Peer.ROCKSDB_VPB_POS)))
                .as("experiments run only when named").doesNotContain(Peer.ROCKSMQ_BLOB);
        assertThat(Options.parse(new String[] {"--peers", "rocksmq-blob,rocksdb-vpb-blob"}).peers)
                .containsExactlyInAnyOrder(Peer.ROCKSMQ_BLOB, Peer.ROCKSDB_VPB_BLOB);
        assertThat(full.prewarmMb).isEqualTo(3000);
        assertThat(full.timeoutSeconds).isEqualTo(1200);

        Options quick = Options.parse(new String[] {"--quick"});
        assertThat(quick.mode).isEqualTo(Mode.QUICK);
        assertThat(quick.runs).isEqualTo(1);
        assertThat(quick.peers).doesNotContain(Peer.KAFKA);
        assertThat(full.backgroundThreads).isZero();
        assertThat(full.loads(Scenario.PRODUCE_READ)).containsExactly(Load.IDLE);
        assertThat(Options.parse(new String[] {"--smoke", "--kafka"}).peers).contains(Peer.KAFKA);
    }

    @Test
    void listsAndValuesAreParsed() {
        Options o = Options.parse(new String[] {"--quick", "--peers", "rocksmq,chronicle", "--workloads", "w1,W4",
                "--runs", "2", "--jvm-arg", "-Xss1m", "--jvm-arg", "-XX:+UseParallelGC", "--no-prewarm",
                "--out", "o", "--heap", "4g"});
        assertThat(o.peers).containsExactlyInAnyOrder(Peer.ROCKSMQ, Peer.CHRONICLE);
        assertThat(o.workloads).containsExactly("W1", "W4");
        assertThat(o.runs).isEqualTo(2);
        assertThat(o.jvmArgs).containsExactly("-Xss1m", "-XX:+UseParallelGC");
        assertThat(o.prewarm).isFalse();
        assertThat(o.out).isEqualTo(Path.of("o"));
        assertThat(o.heap).isEqualTo("4g");
        assertThat(o.raw).hasSize(16).startsWith("--quick");
        assertThat(o.scenarios()).allMatch(s -> s.reportsAny(o.workloads));
    }

    @Test
    void backgroundLoadRunsW1W4AndW5BothIdleAndBusy() {
        Options o = Options.parse(new String[] {"--smoke", "--background-load", "2", "--background-duty", "30"});
        assertThat(o.backgroundThreads).isEqualTo(2);
        assertThat(o.backgroundDuty).isEqualTo(30);
        for (Scenario s : Scenario.values()) {
            boolean busyToo = s.workloads().stream().anyMatch(w -> List.of("W1", "W4", "W5").contains(w));
            assertThat(o.loads(s)).as(s.name())
                    .isEqualTo(busyToo ? List.of(Load.IDLE, Load.BUSY) : List.of(Load.IDLE));
        }
        assertThat(Options.parse(new String[] {"--background-load", "1"}).backgroundDuty).isEqualTo(50);
    }

    @Test
    void badUsageIsAParameterExceptionThatSaysWhat() {
        assertThatThrownBy(() -> Options.parse(new String[] {"--background-load", "-1"}))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--background-load must be >= 0");
        assertThatThrownBy(() -> Options.parse(new String[] {"--background-load", "1", "--background-duty", "0"}))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--background-duty must be 1..100");
        assertThatThrownBy(() -> Options.parse(new String[] {"--background-duty", "101"}))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--background-duty must be 1..100");
        assertThatThrownBy(() -> Options.parse(new String[] {"--quick", "--smoke"}))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("mutually exclusive");
        assertThatThrownBy(() -> Options.parse(new String[] {"--peers", "nope"}))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("unknown peer 'nope'");
        assertThatThrownBy(() -> Options.parse(new String[] {"--runs", "0"}))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--runs must be >= 1");
        assertThatThrownBy(() -> Options.parse(new String[] {"--frobnicate"}))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--frobnicate");
    }

    @Test
    void helpListsEveryOption() {
        StringWriter help = new StringWriter();
        Options.commandLine(new Options()).usage(new PrintWriter(help));
        for (String option : List.of("--full", "--quick", "--smoke", "--runs", "--peers", "--workloads", "--kafka",
                "--out", "--data-dir", "--project-root", "--prewarm-mb", "--no-prewarm", "--heap", "--jfr",
                "--jvm-arg", "--background-load", "--background-duty", "--timeout-s", "--help")) {
            assertThat(help.toString()).contains(option);
        }
    }
}
