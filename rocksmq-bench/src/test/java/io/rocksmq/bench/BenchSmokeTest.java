package io.rocksmq.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the harness end to end in its quickest mode (every scenario, every peer but Kafka, each in its
 * own JVM; the served peer's server in a JVM of its own too) and checks that what it writes is
 * well-formed. No timing is asserted.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BenchSmokeTest {

    @Test
    void smokeRunWritesWellFormedResults(@TempDir Path out, @TempDir Path data) throws Exception {
        Options options = Options.parse(new String[] {"--smoke", "--prewarm-mb", "64",
                "--out", out.toString(), "--data-dir", data.toString()});

        boolean ok = BenchMain.run(options);

        JsonNode doc = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertThat(doc.path("failures")).as("failures: %s", doc.path("failures")).isEmpty();
        assertThat(ok).isTrue();
        assertThat(doc.path("schema").asText()).isEqualTo(BenchMain.SCHEMA);
        assertThat(doc.path("mode").asText()).isEqualTo("smoke");
        assertThat(doc.path("machine").path("cores").asInt()).isPositive();
        assertThat(doc.path("versions").path("kafka").asText()).isNotEqualTo("unknown");
        assertThat(doc.path("versions").path("artemis").asText()).isNotEqualTo("unknown");

        Set<String> seen = new HashSet<>();
        for (JsonNode m : doc.path("measurements")) {
            String workload = m.path("workload").asText();
            String peer = m.path("peer").asText();
            seen.add(workload + "/" + peer);
            JsonNode metrics = m.path("metrics");
            switch (Summary.headline(workload)) {
                case "msgsPerSec" -> {
                    assertThat(metrics.path("msgsPerSec").asDouble()).as(workload + "/" + peer).isPositive();
                    assertThat(metrics.path("cpuSec").isNumber()).as(workload + "/" + peer).isTrue();
                    if (workload.equals("W4")) { // every peer reads on the worker thread (a client for the served one)
                        assertThat(metrics.path("msgsPerReaderCpuSec").asDouble()).as(peer).isPositive();
                        assertThat(metrics.path("passes").asLong()).as(peer).isPositive();
                    }
                    if (workload.equals("W4") && (peer.equals("rocksmq") || peer.equals("rocksdb-vpb"))) {
                        assertThat(metrics.path("atStart.l0Files").isNumber()).as(peer).isTrue();
                        assertThat(metrics.path("atStart.walMB").asDouble()).as(peer).isPositive();
                    }
                    if (workload.equals("W7")) { // every group read every message of every timed pass
                        assertThat(metrics.path("passes").asLong()).as(peer).isPositive();
                        assertThat(metrics.path("messages").asLong()).as(peer).isEqualTo(
                                metrics.path("messagesPerGroup").asLong() * metrics.path("groups").asLong()
                                        * metrics.path("passes").asLong());
                    }
                    if (workload.equals("W9")) { // every message acknowledged, each with its produce-to-ack latency
                        assertThat(metrics.path("messages").asLong()).as(peer).isPositive();
                        assertThat(metrics.path("p50Us").asDouble()).as(peer).isPositive();
                        assertThat(metrics.path("p99Us").asDouble()).as(peer)
                                .isGreaterThanOrEqualTo(metrics.path("p50Us").asDouble());
                    }
                }
                case "p99Us" -> {
                    assertThat(metrics.path("p50Us").asDouble()).isPositive();
                    assertThat(metrics.path("p99Us").asDouble()).isGreaterThanOrEqualTo(metrics.path("p50Us").asDouble());
                    assertThat(metrics.path("percentileCurveUs")).isNotEmpty();
                }
                case "openSeconds" -> {
                    assertThat(metrics.path("openSeconds").asDouble()).isPositive();
                    assertThat(metrics.path("topics").asInt()).isPositive();
                }
                default -> throw new AssertionError(workload);
            }
        }
        // Every scenario ran for every embedded peer that implements it (Kafka is off in smoke mode).
        for (Scenario s : Scenario.values()) {
            for (Peer p : s.peers()) {
                if (p == Peer.KAFKA || p.experiment()) {
                    continue; // experiments run only when named in --peers
                }
                for (String w : s.workloads()) {
                    if (w.equals("W4") && p == Peer.ROCKSMQ_FSYNC) {
                        continue; // reading does not depend on the produce durability
                    }
                    assertThat(seen).contains(w + "/" + p.id());
                }
            }
        }
        assertThat(doc.path("summary")).isNotEmpty();
        for (JsonNode row : doc.path("summary")) {
            assertThat(row.path("metrics").path(row.path("headlineMetric").asText()).path("median").isNumber())
                    .as(row.toString()).isTrue();
        }

        String md = Files.readString(out.resolve("results.md"));
        assertThat(md).contains("## W4 per CPU-second of the reading thread", "| W1 | rocksmq |", "| W4 | rocksdb-vpb |", "| W4 | artemis |", "| W3-16t | artemis-fsync |",
                "## Latency", "| artemis |", "W8", "| W1 | rocksmq-served |", "| rocksmq-served |",
                "## Served (`rmq serve`, rmq:// over loopback) against Kafka and embedded", "| W5 p99 |");
        for (JsonNode chart : doc.path("charts")) {
            byte[] png = Files.readAllBytes(out.resolve(chart.asText()));
            assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        }
        assertThat(doc.path("charts").has("W1")).isTrue();
        assertThat(doc.path("charts").has("W5")).isTrue();
    }

    @Test
    void busyModeReportsIdleAndBusyFiguresSideBySide(@TempDir Path out, @TempDir Path data) throws Exception {
        // Kept to four small JVMs (W1 and W4 share one) so the default build stays quick; W5 goes through the same code.
        Options options = Options.parse(new String[] {"--smoke", "--prewarm-mb", "64", "--heap", "256m",
                "--peers", "rocksmq,rocksdb-vpb", "--workloads", "W1", "--background-load", "1",
                "--out", out.toString(), "--data-dir", data.toString()});

        boolean ok = BenchMain.run(options);

        JsonNode doc = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertThat(doc.path("failures")).as("failures: %s", doc.path("failures")).isEmpty();
        assertThat(ok).isTrue();
        assertThat(doc.path("backgroundLoad").path("threads").asInt()).isEqualTo(1);
        Set<String> seen = new HashSet<>();
        for (JsonNode m : doc.path("measurements")) {
            String load = m.path("load").asText();
            seen.add(m.path("workload").asText() + "/" + m.path("peer").asText() + "/" + load);
            // The load process ran beside every busy measurement and only there.
            assertThat(m.path("metrics").path("backgroundCpuCores").isNumber()).as(m.toString())
                    .isEqualTo(load.equals("busy"));
        }
        assertThat(seen).containsExactlyInAnyOrder(
                "W1/rocksmq/idle", "W1/rocksmq/busy", "W1/rocksdb-vpb/idle", "W1/rocksdb-vpb/busy",
                "W4/rocksmq/idle", "W4/rocksmq/busy", "W4/rocksdb-vpb/idle", "W4/rocksdb-vpb/busy");
        for (JsonNode row : doc.path("summary")) {
            if (row.path("workload").asText().equals("W1") && row.path("peer").asText().equals("rocksdb-vpb")) {
                assertThat(row.path("oursOverPeer").isNumber()).as(row.toString()).isTrue();
            }
        }
        String md = Files.readString(out.resolve("results.md"));
        assertThat(md).contains("## Busy machine", "| W1 | rocksdb-vpb |", "| W4 | rocksmq |");
    }
}
