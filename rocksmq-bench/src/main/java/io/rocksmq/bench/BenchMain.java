package io.rocksmq.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rocksmq.bench.peer.Versions;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The side-by-side comparison harness: runs the workloads of BENCHMARKS.md (W1-W9) against this queue,
 * raw RocksDB (both layouts), Chronicle Queue and Kafka, each peer in its own child JVM, one after
 * another, pre-warming memory before each; then writes {@code results.json}, {@code results.md} and
 * PNG charts into the output directory. With {@code --background-load N} the workloads W1, W4 and W5 are
 * run a second time beside a {@link BackgroundLoad} process (the busy-machine mode) and reported next to
 * the idle figures. Run with {@code --help} for the options.
 *
 * <p>Not thread-safe; a command-line program.
 */
public final class BenchMain {
    /** Version of the results.json layout. */
    public static final String SCHEMA = "rocksmq-bench/1";

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Options options = new Options();
        CommandLine cmd = Options.commandLine(options);
        try {
            if (CommandLine.printHelpIfRequested(cmd.parseArgs(args))) {
                System.exit(0);
                return;
            }
            options.resolve(cmd, args);
        } catch (CommandLine.ParameterException e) {
            System.err.println(e.getMessage());
            System.err.println("see 'BenchMain --help'");
            System.exit(2);
            return;
        }
        System.exit(run(options) ? 0 : 1);
    }

    /** Runs the plan; true if every child succeeded. */
    static boolean run(Options options) throws IOException, InterruptedException {
        Path out = options.out.toAbsolutePath();
        Files.createDirectories(out.resolve("logs"));
        if (options.jfr) {
            Files.createDirectories(out.resolve("jfr"));
        }
        Prewarm prewarm = new Prewarm(options);
        System.out.println("rocksmq-bench " + options.mode + ", " + options.runs + " run(s), peers "
                + options.peers.stream().map(Peer::id).toList() + " -> " + out);
        System.out.println(prewarm.note());
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("schema", SCHEMA);
        header.put("mode", options.mode.name().toLowerCase(java.util.Locale.ROOT));
        header.put("startedAt", Instant.now().toString());
        header.put("command", "BenchMain " + String.join(" ", options.raw));
        header.put("machine", Machine.describe(options.dataDir));
        header.put("versions", Versions.all());
        header.put("runs", options.runs);
        if (options.backgroundThreads > 0) {
            header.put("backgroundLoad", Map.of("threads", options.backgroundThreads,
                    "dutyPercent", options.backgroundDuty, "workloads", List.of("W1", "W4", "W5")));
        }

        ChildJvm child = new ChildJvm(options, prewarm);
        ObjectMapper json = new ObjectMapper();
        List<Map<String, Object>> measurements = new ArrayList<>();
        List<Map<String, Object>> failures = new ArrayList<>();
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, Object> parameters = new LinkedHashMap<>();
        long started = System.nanoTime();
        // Runs interleave (run 1 of everything, then run 2 ...) so that drift of a shared machine
        // spreads over all peers instead of landing on one.
        for (int run = 1; run <= options.runs; run++) {
            for (Scenario scenario : options.scenarios()) {
                parameters.put(scenario.name(), scenario.parameters(options.mode));
                for (Peer peer : scenario.peers()) {
                    if (!options.peers.contains(peer)) {
                        continue;
                    }
                    // Idle and busy back to back, so both see the same state of the machine.
                    for (Load load : options.loads(scenario)) {
                        String name = scenario.name().toLowerCase(java.util.Locale.ROOT) + "-" + peer.id() + "-run" + run
                                + (load == Load.BUSY ? "-busy" : "");
                        Path resultFile = out.resolve("logs").resolve(name + ".json");
                        Path logFile = out.resolve("logs").resolve(name + ".log");
                        Path jfrFile = options.jfr ? out.resolve("jfr").resolve(name + ".jfr") : null;
                        System.out.printf("[%5.0f s] %s ... ", (System.nanoTime() - started) / 1e9, name);
                        ChildJvm.Outcome outcome = child.run(scenario, peer, run, load, resultFile, logFile, jfrFile);
                        Map<String, Object> result = Files.exists(resultFile)
                                ? json.readValue(resultFile.toFile(), Map.class) : Map.of();
                        collect(result, run, load, outcome.load(), measurements, settings);
                        String failure = outcome.ok() ? (String) result.get("error") : outcome.failure();
                        if (failure != null) {
                            Map<String, Object> f = new LinkedHashMap<>();
                            f.put("scenario", scenario.name());
                            f.put("peer", peer.id());
                            f.put("run", run);
                            f.put("load", load.id());
                            f.put("failure", firstLine(failure) + " (log: " + out.relativize(logFile) + ")");
                            failures.add(f);
                            System.out.printf("FAILED in %.1f s: %s%n", outcome.wallSeconds(), firstLine(failure));
                        } else {
                            System.out.printf("ok in %.1f s%n", outcome.wallSeconds());
                        }
                    }
                }
            }
        }
        header.put("finishedAt", Instant.now().toString());
        header.put("prewarm", prewarm.note());

        Summary summary = new Summary(measurements);
        Map<String, String> charts = ResultCharts.write(summary, measurements, out);
        Map<String, Object> doc = new LinkedHashMap<>(header);
        doc.put("parameters", parameters);
        doc.put("settings", settings);
        doc.put("charts", charts);
        doc.put("summary", summary.toJson());
        doc.put("measurements", measurements);
        doc.put("failures", failures);
        json.enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("results.json").toFile(), doc);
        String md = MarkdownReport.render(header, summary, charts, settings, failures);
        Files.writeString(out.resolve("results.md"), md);
        System.out.println();
        System.out.println(md);
        System.out.println("wrote " + out.resolve("results.json") + " and results.md in "
                + String.format(java.util.Locale.ROOT, "%.0f s", (System.nanoTime() - started) / 1e9));
        return failures.isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static void collect(Map<String, Object> result, int run, Load load, LoadProcess.Usage background,
                                List<Map<String, Object>> measurements, Map<String, String> settings) {
        Object peer = result.get("peer");
        if (peer != null && result.get("settings") != null) {
            settings.putIfAbsent((String) peer, (String) result.get("settings"));
        }
        Object list = result.get("measurements");
        if (list instanceof List<?> ms) {
            for (Object o : ms) {
                Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) o);
                m.put("run", run);
                m.put("load", load.id());
                if (background != null) {
                    // What the load process really took over the whole child's life (warm-up included).
                    Map<String, Object> metrics = new LinkedHashMap<>((Map<String, Object>) m.get("metrics"));
                    metrics.put("backgroundCpuCores", background.cores());
                    m.put("metrics", metrics);
                }
                measurements.add(m);
            }
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
