package io.rocksmq.cli;

import io.rocksmq.api.RocksMqException;
import io.rocksmq.core.Durability;
import io.rocksmq.core.RocksMq;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rmq perf}: a producer/consumer load on a fresh topic, with live progress, a summary
 * (msgs/s, MB/s, latency percentiles) and optionally PNG charts and {@code results.json}.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "perf", sortOptions = false, description = {
        "Measure: producers write fixed-size messages in batches to a fresh topic while one consumer per group"
                + " receives them (woken by each produce, no polling).",
        "Reports msgs/s, MB/s (10^6 bytes), and latency percentiles of produce calls and from produce to receipt.",
        "Figures from a shared or busy machine are noisy: compare runs made side by side."})
final class PerfCommand implements Callable<Integer>, DirectoryOnly {
    @Override
    public String whyNotRemote() {
        return "it measures the embedded queue in this process; to measure a served one use the harness"
                + " (rocksmq-bench/run-bench.sh --peers rocksmq-served)";
    }

    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final long DEFAULT_MESSAGES = 200_000;
    /** A run that makes no progress for this long is stuck: fail rather than hang. */
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);

    @Option(names = {"-m", "--messages"}, paramLabel = "N",
            description = "Messages to produce (default: " + DEFAULT_MESSAGES + "; not with --duration).")
    Long messagesOption;
    @Option(names = {"-d", "--duration"}, converter = Args.Span.class, paramLabel = "DURATION",
            description = "Produce for this long instead of a number of messages (10s, 2m).")
    Duration duration;
    @Option(names = "--warmup", paramLabel = "N",
            description = "Messages produced and delivered first, not measured, so the JIT and the caches are warm"
                    + " (default: 10%% of --messages, 0 with --duration).")
    Long warmupOption;
    @Option(names = {"-s", "--size"}, defaultValue = "100", paramLabel = "BYTES",
            description = "Payload bytes per message (default: ${DEFAULT-VALUE}; >= 8 to measure end-to-end latency).")
    int size;
    @Option(names = {"-b", "--batch"}, defaultValue = "100", paramLabel = "N",
            description = "Messages per produce call (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = {"-P", "--producers"}, defaultValue = "1", paramLabel = "N",
            description = "Producer threads (default: ${DEFAULT-VALUE}).")
    int producers;
    @Option(names = {"-G", "--groups"}, defaultValue = "1", paramLabel = "N",
            description = "Consumer groups, one consumer thread each; every group receives every message"
                    + " (default: ${DEFAULT-VALUE}; 0: produce only).")
    int groups;
    @Option(names = "--rate", defaultValue = "0", paramLabel = "MSGS_PER_S",
            description = "Produce at this fixed total rate (default: as fast as possible).")
    long rate;
    @Option(names = "--fsync", description = "fsync the write-ahead log before each produce returns (durable).")
    boolean fsync;
    @Option(names = "--topic", defaultValue = "rmq-perf", paramLabel = "TOPIC",
            description = "Topic to create for the run; must not exist (default: ${DEFAULT-VALUE}).")
    String topic;
    @Option(names = "--keep", description = "Keep the topic and its messages afterwards.")
    boolean keep;
    @Option(names = "--interval", defaultValue = "1s", converter = Args.Span.class, paramLabel = "DURATION",
            description = "Progress update interval (default: ${DEFAULT-VALUE}).")
    Duration interval;
    @Option(names = "--progress", defaultValue = "auto", paramLabel = "MODE",
            description = "auto (a bar on a terminal, plain lines otherwise), bar, plain or none.")
    Progress.Mode progressMode;
    @Option(names = "--charts", paramLabel = "DIR",
            description = "Write throughput.png, latency.png and results.json into DIR.")
    Path charts;
    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://127.0.0.1:PORT/metrics during the run (0: any free port).")
    Integer metricsPort;
    @Option(names = "--seed", defaultValue = "42", description = "Seed of the random payloads (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--json", description = "Print the summary as JSON (progress goes to stderr).")
    boolean json;
    @Spec
    CommandSpec spec;

    /** Messages of the measured run, or {@link Long#MAX_VALUE} for a timed run. */
    private long messages;
    private long warmup;

    @Override
    public Integer call() throws Exception {
        validate();
        messages = duration != null ? Long.MAX_VALUE : messagesOption != null ? messagesOption : DEFAULT_MESSAGES;
        warmup = warmupOption != null ? warmupOption : duration != null ? 0 : messages / 10;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter progressOut = json ? spec.commandLine().getErr() : out;
        List<String> groupNames = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            groupNames.add("perf-" + g);
        }
        Map<String, Object> result;
        try (QueueOptions.OpenQueue q = new QueueOptions(spec).open(true, null);
             MetricsServer metrics = metricsPort == null ? null : MetricsServer.start(q.mq(), metricsPort)) {
            RocksMq mq = q.mq();
            if (metrics != null) {
                spec.commandLine().getErr().println("rmq: serving metrics on " + metrics.url());
            }
            if (mq.topicExists(topic)) {
                throw new RocksMqException("topic '" + topic + "' exists; perf runs on a fresh topic"
                        + " (choose another --topic, or delete it with 'rmq topics delete " + topic + "')");
            }
            mq.createTopic(topic);
            try {
                groupNames.forEach(g -> mq.createConsumerGroup(topic, g));
                warmUp(mq, groupNames, progressOut);
                PerfLoad load = load(mq, groupNames, messages, duration);
                boolean terminal = Rmq.root(spec).terminal;
                Progress progress = duration != null ? Progress.timed(progressOut, progressMode, terminal, duration, size)
                        : new Progress(progressOut, progressMode, terminal, messages, messages * groups, size);
                List<PerfCharts.Sample> samples = run(load, progress);
                result = summary(load);
                print(out, result);
                if (charts != null) {
                    List<Path> files = PerfCharts.write(charts, title(), samples, load.produceLatency(),
                            load.endToEndLatency());
                    Path results = charts.resolve("results.json");
                    Files.writeString(results, Json.write(result) + "\n", StandardCharsets.UTF_8);
                    (json ? spec.commandLine().getErr() : out).println("wrote " + files.get(0) + ", " + files.get(1)
                            + ", " + results);
                }
            } finally {
                if (!keep && mq.topicExists(topic)) {
                    mq.destroyTopic(topic);
                }
            }
        }
        out.flush();
        return 0;
    }

    private PerfLoad load(RocksMq mq, List<String> groupNames, long count, Duration time) {
        return new PerfLoad(mq, topic, groupNames, count, time == null ? Duration.ZERO : time, size, batch,
                producers, rate, fsync ? Durability.FSYNC : Durability.WAL, seed);
    }

    /** Runs the same load on the same topic and groups, unmeasured, and waits until every group has it all. */
    private void warmUp(RocksMq mq, List<String> groupNames, PrintWriter progressOut) throws InterruptedException {
        if (warmup == 0) {
            return;
        }
        PerfLoad load = load(mq, groupNames, warmup, null);
        load.start();
        long lastProgress = 0;
        long lastChange = System.nanoTime();
        while (!load.done()) {
            Thread.sleep(20);
            long progressNow = load.produced() + load.consumed();
            if (progressNow != lastProgress) {
                lastProgress = progressNow;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > STALL_LIMIT.toNanos()) {
                load.abort(new RocksMqException("the warm-up made no progress for " + STALL_LIMIT.toSeconds() + " s"));
            }
        }
        load.join();
        rethrow(load.failure());
        if (progressMode != Progress.Mode.none) {
            progressOut.println("warm-up: " + Text.count(warmup) + " messages produced and delivered (not measured)");
        }
    }

    private static void rethrow(Throwable failure) {
        if (failure != null) {
            throw failure instanceof RuntimeException r ? r : new RocksMqException("perf failed: " + failure, failure);
        }
    }

    private void validate() {
        String problem = messagesOption != null && duration != null ? "--messages and --duration exclude each other"
                : messagesOption != null && messagesOption < 1 ? "--messages must be at least 1"
                : duration != null && duration.isZero() ? "--duration must be positive"
                : warmupOption != null && warmupOption < 0 ? "--warmup must be >= 0"
                : size < 0 ? "--size must be >= 0"
                : batch < 1 ? "--batch must be at least 1"
                : producers < 1 ? "--producers must be at least 1"
                : groups < 0 ? "--groups must be >= 0"
                : rate < 0 ? "--rate must be >= 0"
                : interval.isZero() ? "--interval must be positive" : null;
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
    }

    private List<PerfCharts.Sample> run(PerfLoad load, Progress progress) throws InterruptedException {
        List<PerfCharts.Sample> samples = new ArrayList<>();
        load.start();
        long last = load.startNanos();
        long lastProduced = 0;
        long lastConsumed = 0;
        long lastChange = last;
        long step = interval.toNanos();
        while (!load.done()) {
            long wake = last + step;
            while (!load.done() && System.nanoTime() < wake) {
                Thread.sleep(Math.max(1, Math.min(20, (wake - System.nanoTime()) / 1_000_000)));
            }
            long now = System.nanoTime();
            long produced = load.produced();
            long consumed = load.consumed();
            double seconds = (now - last) / 1e9;
            double produceRate = (produced - lastProduced) / seconds;
            double consumeRate = (consumed - lastConsumed) / seconds;
            samples.add(new PerfCharts.Sample((now - load.startNanos()) / 1e9, produceRate, consumeRate));
            progress.update((now - load.startNanos()) / 1e9, produced, consumed, produceRate, consumeRate);
            if (produced != lastProduced || consumed != lastConsumed) {
                lastChange = now;
            } else if (now - lastChange > STALL_LIMIT.toNanos()) {
                load.abort(new RocksMqException("perf made no progress for " + STALL_LIMIT.toSeconds() + " s"));
            }
            last = now;
            lastProduced = produced;
            lastConsumed = consumed;
        }
        load.join();
        // The load may finish between the last update and the check above: always show the final state.
        long end = System.nanoTime();
        long produced = load.produced();
        long consumed = load.consumed();
        if (produced != lastProduced || consumed != lastConsumed) {
            double seconds = Math.max(1e-9, (end - last) / 1e9);
            progress.update((end - load.startNanos()) / 1e9, produced, consumed,
                    (produced - lastProduced) / seconds, (consumed - lastConsumed) / seconds);
        }
        progress.finish();
        rethrow(load.failure());
        return samples;
    }

    private String title() {
        String amount = duration != null ? "for " + duration.toMillis() / 1000.0 + " s" : String.format(Locale.ROOT,
                "%,d", messages);
        return String.format(Locale.ROOT, "%s x %d B, batch %d, %d producer(s), %d group(s)%s%s", amount, size,
                batch, producers, groups, fsync ? ", fsync" : "", rate > 0 ? ", " + rate + " msgs/s" : "");
    }

    private Map<String, Object> summary(PerfLoad load) {
        long messages = load.produced();
        double produceSeconds = load.produceSeconds();
        double consumeSeconds = load.consumeSeconds();
        Map<String, Object> produce = Json.object("messages", messages, "seconds", round(produceSeconds),
                "msgsPerSecond", round(messages / produceSeconds),
                "mbPerSecond", round(messages * (double) size / 1e6 / produceSeconds),
                "callLatencyMicros", percentiles(load.produceLatency()));
        Map<String, Object> consume = groups == 0 ? null : Json.object("groups", groups,
                "messagesPerGroup", messages, "seconds", round(consumeSeconds),
                "msgsPerSecond", round(messages * (double) groups / consumeSeconds),
                "mbPerSecond", round(messages * (double) groups * size / 1e6 / consumeSeconds),
                "endToEndLatencyMicros", size >= Long.BYTES ? percentiles(load.endToEndLatency()) : null);
        return Json.object("workload", Json.object("messages", messages, "durationSeconds",
                        duration == null ? null : duration.toMillis() / 1000.0, "warmupMessages", warmup, "size", size,
                        "batch", batch, "producers", producers, "groups", groups, "rate", rate, "fsync", fsync),
                "produce", produce, "consume", consume);
    }

    private static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> p = Json.object();
        if (h.getTotalCount() == 0) {
            return p;
        }
        for (double q : PERCENTILES) {
            p.put("p" + (q == Math.rint(q) ? Long.toString((long) q) : Double.toString(q)),
                    round(h.getValueAtPercentile(q) / 1000.0));
        }
        p.put("max", round(h.getMaxValue() / 1000.0));
        return p;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    @SuppressWarnings("unchecked")
    private void print(PrintWriter out, Map<String, Object> r) {
        if (json) {
            out.println(Json.write(r));
            return;
        }
        Map<String, Object> p = (Map<String, Object>) r.get("produce");
        long messages = (Long) p.get("messages");
        out.println(String.format(Locale.ROOT, "workload: %s", title()));
        out.println(String.format(Locale.ROOT, "produced: %s msgs in %.2f s = %s msgs/s, %.1f MB/s",
                Text.count(messages), p.get("seconds"), Text.count(((Double) p.get("msgsPerSecond")).longValue()),
                p.get("mbPerSecond")));
        Map<String, Object> c = (Map<String, Object>) r.get("consume");
        if (c != null) {
            out.println(String.format(Locale.ROOT, "delivered: %s msgs to each of %d group(s) in %.2f s = %s msgs/s,"
                            + " %.1f MB/s (all groups)", Text.count(messages), groups, c.get("seconds"),
                    Text.count(((Double) c.get("msgsPerSecond")).longValue()), c.get("mbPerSecond")));
        }
        out.println("produce call latency (µs): " + line((Map<String, Object>) p.get("callLatencyMicros")));
        if (c != null && c.get("endToEndLatencyMicros") != null) {
            out.println("end-to-end latency (µs):  " + line((Map<String, Object>) c.get("endToEndLatencyMicros")));
        }
    }

    private static String line(Map<String, Object> percentiles) {
        StringBuilder sb = new StringBuilder();
        percentiles.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "  ").append(k).append(' ')
                .append(String.format(Locale.ROOT, "%,.1f", (Double) v)));
        return sb.toString();
    }
}
