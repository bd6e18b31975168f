package io.rocksmq.cli;

import io.rocksmq.core.RocksMq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@SuppressWarnings("unchecked")
class PerfCommandTest {
    @TempDir
    Path dir;
    private final Cli cli = new Cli();

    @Test
    void offATerminalProgressIsPlainLinesAndTheSummaryHasRatesAndPercentiles() {
        String data = dir.resolve("data").toString();
        Cli.Result r = cli.run("perf", "--data", data, "-m", "3000", "-b", "50", "-P", "2", "-G", "2",
                "--interval", "1ms");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).doesNotContain("\r");
        assertThat(r.lines()).filteredOn(l -> l.startsWith("perf "))
                .isNotEmpty()
                .allMatch(l -> l.matches("perf +\\d+\\.\\ds +\\d+%  produced [\\d,]+/3,000 .* delivered [\\d,]+/6,000 .*"));
        assertThat(r.lines()).filteredOn(l -> l.startsWith("perf ")).last().asString().contains("100%");
        assertThat(r.out()).contains("workload: 3,000 x 100 B, batch 50, 2 producer(s), 2 group(s)",
                "produced: 3,000 msgs in ", "delivered: 3,000 msgs to each of 2 group(s)",
                "produce call latency (µs): p50 ", "end-to-end latency (µs):  p50 ");
        assertThat(r.out()).containsPattern("p99\\.9 [\\d,.]+  max [\\d,.]+");
        try (RocksMq mq = RocksMq.open(Path.of(data))) {
            assertThat(mq.topics()).as("the perf topic is removed afterwards").isEmpty();
        }
    }

    @Test
    void onATerminalProgressIsOneBarRedrawnInPlace() {
        Cli.Result r = cli.run("perf", "--data", dir.toString(), "-m", "2000", "--progress", "bar",
                "--interval", "1ms");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("\r[").containsPattern("\\[#+-*\\] +\\d+%  produced");
        assertThat(r.out()).doesNotContain("\nperf ");
    }

    @Test
    void jsonSummaryChartsAndKeep() throws Exception {
        Path charts = dir.resolve("charts");
        Cli.Result r = cli.run("perf", "--data", dir.resolve("data").toString(), "-m", "2000", "-s", "64",
                "--json", "--charts", charts.toString(), "--keep", "--topic", "bench", "--rate", "20000");
        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, Object> json = ParsedJson.object(r.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> produce = (Map<String, Object>) json.get("produce");
        assertThat(produce).containsEntry("messages", 2000L).containsKeys("msgsPerSecond", "mbPerSecond");
        assertThat((Map<String, Object>) produce.get("callLatencyMicros")).containsKeys("p50", "p90", "p99", "p99.9", "max");
        @SuppressWarnings("unchecked")
        Map<String, Object> consume = (Map<String, Object>) json.get("consume");
        assertThat((Map<String, Object>) consume.get("endToEndLatencyMicros")).containsKeys("p50", "max");
        for (String png : new String[] {"throughput.png", "latency.png"}) {
            byte[] bytes = Files.readAllBytes(charts.resolve(png));
            assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
        }
        assertThat(ParsedJson.object(Files.readString(charts.resolve("results.json")))).containsKeys("workload", "produce");
        assertThat(r.err()).contains("wrote ");

        Cli.Result again = cli.run("perf", "--data", dir.resolve("data").toString(), "-m", "10", "--topic", "bench");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).startsWith("rmq: topic 'bench' exists");
        assertThat(cli.run("perf", "--data", dir.toString(), "-m", "0").exit()).isEqualTo(2);
    }

    @Test
    void aTimedRunAfterAWarmUpMeasuresOnlyWhatItTimed() {
        Cli.Result r = cli.run("perf", "--data", dir.resolve("data").toString(), "--duration", "300ms",
                "--warmup", "500", "-G", "2", "--json", "--progress", "plain", "--interval", "50ms");
        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, Object> json = ParsedJson.object(r.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> workload = (Map<String, Object>) json.get("workload");
        assertThat(workload).containsEntry("warmupMessages", 500L).containsEntry("durationSeconds", 0.3);
        @SuppressWarnings("unchecked")
        Map<String, Object> produce = (Map<String, Object>) json.get("produce");
        @SuppressWarnings("unchecked")
        Map<String, Object> consume = (Map<String, Object>) json.get("consume");
        long produced = (Long) produce.get("messages");
        assertThat(produced).isPositive();
        assertThat(consume).containsEntry("messagesPerGroup", produced);
        assertThat(r.err()).contains("warm-up: 500 messages produced and delivered (not measured)");
        assertThat(r.err().lines().filter(l -> l.startsWith("perf ")).toList()).last().asString()
                .contains("100%").doesNotContainPattern("produced [\\d,]+/");

        assertThat(cli.run("perf", "--data", dir.toString(), "-m", "5", "--duration", "1s").exit()).isEqualTo(2);
        assertThat(cli.run("perf", "--data", dir.toString(), "--warmup", "-1").exit()).isEqualTo(2);
    }

    @Test
    void progressRendering() {
        java.io.StringWriter sw = new java.io.StringWriter();
        Progress plain = new Progress(new java.io.PrintWriter(sw), Progress.Mode.auto, false, 100, 200, 1000);
        assertThat(plain.mode()).isEqualTo(Progress.Mode.plain);
        plain.update(1.0, 50, 50, 50, 50);
        plain.finish();
        assertThat(sw.toString()).isEqualTo("perf    1.0s  33%  produced 50/100  50 msgs/s  0.1 MB/s  delivered 50/200"
                + "  50 msgs/s\n");

        sw.getBuffer().setLength(0);
        Progress bar = new Progress(new java.io.PrintWriter(sw), Progress.Mode.auto, true, 100, 0, 10);
        assertThat(bar.mode()).isEqualTo(Progress.Mode.bar);
        bar.update(1.0, 100_000, 0, 1e6, 0);
        bar.update(2.0, 100, 0, 1, 0);
        bar.finish();
        String out = sw.toString();
        assertThat(out).startsWith("\r[########################] 100%").endsWith("\n");
        assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(1);
        // the shorter second line is padded to wipe the first one
        String[] frames = out.substring(1, out.length() - 1).split("\r");
        assertThat(frames[1].length()).isEqualTo(frames[0].length());

        sw.getBuffer().setLength(0);
        Progress none = new Progress(new java.io.PrintWriter(sw), Progress.Mode.none, true, 1, 1, 1);
        none.update(1, 1, 1, 1, 1);
        none.finish();
        assertThat(sw.toString()).isEmpty();
    }
}
