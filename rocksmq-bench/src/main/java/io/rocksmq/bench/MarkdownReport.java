package io.rocksmq.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Markdown table of a run: throughput (msgs/s, MB/s, CPU) and latency percentiles per workload and
 * peer, as median (min-max) over runs, with the ratio of our median to each peer's.
 *
 * <p>Thread-safe: stateless.
 */
final class MarkdownReport {
    private static final List<String> THROUGHPUT = List.of("W1", "W2", "W3-1t", "W3-16t", "W4", "W7");

    private MarkdownReport() {
    }

    static String render(Map<String, Object> header, Summary summary, Map<String, String> charts,
                         Map<String, String> settings, List<Map<String, Object>> failures) {
        StringBuilder md = new StringBuilder();
        md.append("# RocksMQ side-by-side benchmark (").append(header.get("mode")).append(", ")
                .append(header.get("startedAt")).append(")\n\n");
        md.append("- Command: `").append(header.get("command")).append("`\n");
        md.append("- Machine: ").append(header.get("machine")).append('\n');
        md.append("- Versions: ").append(header.get("versions")).append('\n');
        md.append("- Runs per peer: ").append(header.get("runs")).append("; figures are median (min-max) over runs; ")
                .append("each peer in its own JVM, one after another.\n");
        md.append("- Memory pre-warm: ").append(header.get("prewarm")).append("\n");
        md.append("- ours/peer: our median divided by the peer's (throughput: > 1 means we are faster; "
                + "W5 p99: < 1 means we are faster). Ours is `rocksmq` (W3: `rocksmq-fsync`).\n\n");

        md.append("## Throughput\n\n");
        md.append("| workload | peer | msgs/s | MB/s | CPU cores (worker) | CPU cores (broker) | ours/peer |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (String w : THROUGHPUT) {
            for (Summary.Row r : summary.rows(w)) {
                md.append("| ").append(w).append(" | ").append(r.peer()).append(" | ")
                        .append(stat(r.stat("msgsPerSec"), false)).append(" | ")
                        .append(stat(r.stat("mbPerSec"), false)).append(" | ")
                        .append(stat(r.stat("cpuCores"), false)).append(" | ")
                        .append(r.stat("brokerCpuCores") == null ? "" : stat(r.stat("brokerCpuCores"), false)).append(" | ")
                        .append(ratio(summary.ratio(r))).append(extra(r)).append(" |\n");
            }
        }

        readerCpu(md, summary);

        List<Summary.Row> latency = summary.rows("W5");
        if (!latency.isEmpty()) {
            md.append("\n## Latency (W5: single messages at a fixed rate, one blocked consumer; microseconds)\n\n");
            md.append("| peer | p50 | p90 | p99 | p99.9 | max | achieved msgs/s | CPU cores (worker) | CPU cores (broker) | ours/peer (p99) |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|\n");
            for (Summary.Row r : latency) {
                md.append("| ").append(r.peer()).append(" | ").append(stat(r.stat("p50Us"), true))
                        .append(" | ").append(stat(r.stat("p90Us"), true))
                        .append(" | ").append(stat(r.stat("p99Us"), true))
                        .append(" | ").append(stat(r.stat("p999Us"), true))
                        .append(" | ").append(stat(r.stat("maxUs"), true))
                        .append(" | ").append(stat(r.stat("achievedRate"), false))
                        .append(" | ").append(stat(r.stat("cpuCores"), false))
                        .append(" | ").append(r.stat("brokerCpuCores") == null ? "" : stat(r.stat("brokerCpuCores"), false))
                        .append(" | ").append(ratio(summary.ratio(r))).append(" |\n");
            }
        }

        served(md, summary);
        busy(md, header, summary);

        List<Summary.Row> churn = summary.rows("W6");
        if (!churn.isEmpty()) {
            md.append("\n## W6: W1 while another thread creates, registers and destroys groups on the topic\n\n");
            md.append("| peer | msgs/s with churn | msgs/s without | with/without | churn cycles/s "
                    + "| control: with/without a thread that only burns CPU |\n|---|---|---|---|---|---|\n");
            for (Summary.Row r : churn) {
                md.append("| ").append(r.peer()).append(" | ").append(stat(r.stat("msgsPerSec"), false))
                        .append(" | ").append(stat(r.stat("msgsPerSecWithoutChurn"), false))
                        .append(" | ").append(stat(r.stat("ratioWithChurn"), false))
                        .append(" | ").append(stat(r.stat("churnCyclesPerSec"), false))
                        .append(" | ").append(stat(r.stat("ratioWithCpuBurner"), false)).append(" |\n");
            }
        }

        List<Summary.Row> workQueue = summary.rows("W9");
        if (!workQueue.isEmpty()) {
            md.append("\n## W9: work queue (4 workers share one subscription, each message acknowledged on its own)\n\n");
            md.append("| peer | messages | acked msgs/s | produce-to-ack p50 µs | p99 µs | max µs | CPU cores (worker) "
                    + "| CPU cores (broker) | ours/peer (msgs/s) |\n|---|---|---|---|---|---|---|---|---|\n");
            for (Summary.Row r : workQueue) {
                md.append("| ").append(r.peer()).append(" | ").append(num(r.stat("messages").median()))
                        .append(" | ").append(stat(r.stat("msgsPerSec"), false))
                        .append(" | ").append(stat(r.stat("p50Us"), true))
                        .append(" | ").append(stat(r.stat("p99Us"), true))
                        .append(" | ").append(stat(r.stat("maxUs"), true))
                        .append(" | ").append(stat(r.stat("cpuCores"), false))
                        .append(" | ").append(r.stat("brokerCpuCores") == null ? "" : stat(r.stat("brokerCpuCores"), false))
                        .append(" | ").append(ratio(summary.ratio(r))).append(" |\n");
                if (r.stat("redeliveryLockMs") != null) {
                    md.append("| ").append(r.peer()).append(", a worker dies holding a message: redelivered after lock ")
                            .append(num(r.stat("redeliveryLockMs").median())).append(" ms + p50 ")
                            .append(millis(r.stat("redeliveryLateP50Ms"))).append(" ms, max ")
                            .append(millis(r.stat("redeliveryLateMaxMs"))).append(" ms |  |  |  |  |  |  |  |  |\n");
                }
                if (r.stat("directMsgsPerSec") != null) {
                    md.append("| ").append(r.peer()).append(", broker-level SharedGroup (same JVM, right after) | ")
                            .append(num(r.stat("messages").median())).append(" | ")
                            .append(stat(r.stat("directMsgsPerSec"), false)).append(" |  | ")
                            .append(stat(r.stat("directP99Us"), true)).append(" |  |  |  | client/direct ")
                            .append(stat(r.stat("clientOverDirect"), false)).append(" |\n");
                }
            }
        }

        List<Summary.Row> restart = summary.rows("W8");
        if (!restart.isEmpty()) {
            md.append("\n## W8: many topics and groups, reopen\n\n");
            md.append("| peer | topics x groups | create s | open s | heap after open, MB |\n|---|---|---|---|---|\n");
            for (Summary.Row r : restart) {
                md.append("| ").append(r.peer()).append(" | ").append(num(r.stat("topics").median()))
                        .append(" x ").append(num(r.stat("groupsPerTopic").median()))
                        .append(" | ").append(stat(r.stat("createSeconds"), false))
                        .append(" | ").append(stat(r.stat("openSeconds"), false))
                        .append(" | ").append(stat(r.stat("heapMB"), false)).append(" |\n");
            }
        }

        if (!charts.isEmpty()) {
            md.append("\n## Charts\n\n");
            charts.forEach((w, file) -> md.append("![").append(w).append("](").append(file).append(")\n"));
        }
        md.append("\n## Settings of each peer\n\n");
        settings.forEach((peer, s) -> md.append("- `").append(peer).append("`: ").append(s).append('\n'));
        if (!failures.isEmpty()) {
            md.append("\n## Failures\n\n");
            for (Map<String, Object> f : failures) {
                md.append("- ").append(f.get("scenario")).append(" / ").append(f.get("peer")).append(" run ")
                        .append(f.get("run")).append(": ").append(f.get("failure")).append('\n');
            }
        }
        return md.toString();
    }

    /**
     * The served queue ({@code rmq serve}, client over loopback) against Kafka over loopback, the issue's
     * targets beside the ratios, and what the network hop costs against the embedded queue.
     */
    /**
     * W4 per CPU-second of the reading thread, and the storage state the read met: on a busy machine the
     * wall-clock rate measures the other processes as much as the read (BENCHMARKS.md, round three).
     */
    private static void readerCpu(StringBuilder md, Summary summary) {
        List<Summary.Row> rows = summary.rows("W4").stream().filter(r -> r.stat("msgsPerReaderCpuSec") != null).toList();
        Summary.Row ours = rows.stream().filter(r -> r.peer().equals(Summary.ours("W4"))).findFirst().orElse(null);
        if (rows.isEmpty()) {
            return;
        }
        md.append("\n## W4 per CPU-second of the reading thread, and what the read met\n\n");
        md.append("| peer | msgs per reader CPU-s | ours/peer | level-0 files | memtables waiting | flushes running "
                + "| live WAL MB |\n|---|---|---|---|---|---|---|\n");
        for (Summary.Row r : rows) {
            double ratio = ours == null ? Double.NaN
                    : ours.stat("msgsPerReaderCpuSec").median() / r.stat("msgsPerReaderCpuSec").median();
            md.append("| ").append(r.peer()).append(" | ").append(stat(r.stat("msgsPerReaderCpuSec"), false))
                    .append(" | ").append(ratio(ratio))
                    .append(" | ").append(state(r, "atStart.l0Files"))
                    .append(" | ").append(state(r, "atStart.immutableMemtables"))
                    .append(" | ").append(state(r, "atStart.runningFlushes"))
                    .append(" | ").append(state(r, "atStart.walMB")).append(" |\n");
        }
    }

    private static String state(Summary.Row r, String metric) {
        return r.stat(metric) == null ? "" : stat(r.stat(metric), false);
    }

    private static void served(StringBuilder md, Summary summary) {
        String served = Peer.ROCKSMQ_SERVED.id();
        if (summary.rows().stream().noneMatch(r -> r.peer().equals(served))) {
            return;
        }
        md.append("\n## Served (`rmq serve`, rmq:// over loopback) against Kafka and embedded\n\n");
        md.append("| workload | served/kafka | target | served/embedded (cost of the hop) |\n|---|---|---|---|\n");
        for (String w : List.of("W1", "W4", "W5")) {
            double kafka = summary.ratio(w, Load.IDLE, served, Peer.KAFKA.id());
            double embedded = summary.ratio(w, Load.IDLE, served, Peer.ROCKSMQ.id());
            if (Double.isNaN(kafka) && Double.isNaN(embedded)) {
                continue;
            }
            md.append("| ").append(w).append(Summary.higherIsBetter(w) ? " msgs/s" : " p99").append(" | ")
                    .append(ratio(kafka)).append(" | ").append(w.equals("W5") ? "≤ 0.1" : "≥ 2")
                    .append(" | ").append(ratio(embedded)).append(" |\n");
        }
    }

    /** Idle and busy side by side for W1, W4, W5, with our ratio to each peer under both. */
    private static void busy(StringBuilder md, Map<String, Object> header, Summary summary) {
        if (!(header.get("backgroundLoad") instanceof Map<?, ?> load)) {
            return;
        }
        md.append("\n## Busy machine (W1, W4, W5 beside a process burning ").append(load.get("threads"))
                .append(" thread(s) at ").append(load.get("dutyPercent")).append("% duty)\n\n");
        md.append("Each busy run follows the idle run of the same peer. Headline: msgs/s (W1, W4), p99 µs (W5). "
                + "ours/peer as above, under the same load; its change busy vs idle is what the busy-mode target "
                + "bounds (ratios to the raw engine fall ≤ 10%).\n\n");
        md.append("| workload | peer | idle | busy | busy/idle | ours/peer idle | ours/peer busy | change of ours/peer "
                + "| CPU cores of the load |\n|---|---|---|---|---|---|---|---|---|\n");
        for (String w : List.of("W1", "W4", "W5")) {
            String metric = Summary.headline(w);
            for (Summary.Row b : summary.rows(w, Load.BUSY)) {
                Summary.Row i = summary.counterpart(b, Load.IDLE);
                Summary.Stat idle = i == null ? null : i.stat(metric);
                Summary.Stat busy = b.stat(metric);
                double ri = summary.ratio(i);
                double rb = summary.ratio(b);
                md.append("| ").append(w).append(" | ").append(b.peer()).append(" | ")
                        .append(stat(idle, false)).append(" | ").append(stat(busy, false)).append(" | ")
                        .append(idle == null || busy == null || idle.median() == 0 ? ""
                                : ratio(busy.median() / idle.median())).append(" | ")
                        .append(ratio(ri)).append(" | ").append(ratio(rb)).append(" | ")
                        .append(Double.isNaN(ri) || Double.isNaN(rb) || ri == 0 ? ""
                                : String.format(Locale.ROOT, "%+.0f%%", (rb / ri - 1) * 100)).append(" | ")
                        .append(stat(b.stat("backgroundCpuCores"), false)).append(" |\n");
            }
        }
    }

    private static String extra(Summary.Row r) {
        Summary.Stat perSync = r.stat("writesPerFsync");
        return perSync == null ? "" : " (writes/fsync " + String.format(Locale.ROOT, "%.1f", perSync.median()) + ")";
    }

    private static String ratio(double r) {
        if (Double.isNaN(r)) {
            return "";
        }
        return String.format(Locale.ROOT, r < 0.1 ? "%.2g" : "%.2f", r);
    }

    static String stat(Summary.Stat s, boolean micros) {
        if (s == null) {
            return "";
        }
        if (s.runs() == 1) {
            return num(s.median());
        }
        return num(s.median()) + " (" + num(s.min()) + "–" + num(s.max()) + ")";
    }

    /** 3 significant digits with k/M suffixes: readable and honest about precision. */
    /** Milliseconds with two decimals (median of runs). */
    private static String millis(Summary.Stat s) {
        return s == null ? "" : String.format(Locale.ROOT, "%.2f", s.median());
    }

    static String num(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.3g M", v / 1e6).replace(".00 M", " M");
        }
        if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.3g k", v / 1e3);
        }
        if (a >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
