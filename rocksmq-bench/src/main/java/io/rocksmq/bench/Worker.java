package io.rocksmq.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rocksmq.bench.peer.ArtemisDriver;
import io.rocksmq.bench.peer.ChronicleDriver;
import io.rocksmq.bench.peer.KafkaDriver;
import io.rocksmq.bench.peer.LatencyChannel;
import io.rocksmq.bench.peer.Payloads;
import io.rocksmq.bench.peer.QueueDriver;
import io.rocksmq.bench.peer.RawRocksDriver;
import io.rocksmq.bench.peer.RocksMqDriver;
import io.rocksmq.bench.peer.ServedRocksMqDriver;
import io.rocksmq.bench.peer.WorkQueue;
import io.rocksmq.core.Durability;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The main class of a child JVM: runs one {@link Scenario} against one {@link Peer} (warm-up of the
 * same size first, then the measured part) and writes what it measured to a JSON file.
 *
 * <p>Usage: {@code Worker <peer> <scenario> <result.json> <data dir> [key=value ...]}.
 *
 * <p>Not thread-safe; runs once per process.
 */
public final class Worker {
    private static final long SEED = 20260701L;

    private final Peer peer;
    private final Map<String, String> params;
    private final QueueDriver driver;
    private final List<Map<String, Object>> measurements = new ArrayList<>();

    private Worker(Peer peer, Map<String, String> params, QueueDriver driver) {
        this.peer = peer;
        this.params = params;
        this.driver = driver;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: Worker <peer> <scenario> <result.json> <data dir> [key=value ...]");
            System.exit(2);
        }
        Peer peer = Peer.byId(args[0]);
        Scenario scenario = Scenario.valueOf(args[1]);
        Path resultFile = Path.of(args[2]);
        Path dataDir = Path.of(args[3]);
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 4; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            params.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("peer", peer.id());
        out.put("scenario", scenario.name());
        out.put("parameters", params);
        int status = 0;
        Files.createDirectories(dataDir);
        try (QueueDriver driver = open(peer, dataDir)) {
            out.put("settings", driver.settings());
            Worker worker = new Worker(peer, params, driver);
            try {
                worker.run(scenario);
            } finally {
                out.put("measurements", worker.measurements);
            }
        } catch (Throwable t) {
            StringWriter trace = new StringWriter();
            t.printStackTrace(new PrintWriter(trace));
            out.put("error", trace.toString());
            t.printStackTrace();
            status = 1;
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(resultFile.toFile(), out);
        System.out.flush();
        int exitStatus = status;
        // exit, not halt: shutdown hooks dump a flight recording (--jfr). Should a library's hook hang,
        // the results are written already, so halt after a grace period.
        Thread reaper = new Thread(() -> {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(exitStatus);
        }, "worker-exit-reaper");
        reaper.setDaemon(true);
        reaper.start();
        System.exit(exitStatus);
    }

    private static QueueDriver open(Peer peer, Path dir) throws Exception {
        return switch (peer) {
            case ROCKSMQ -> new RocksMqDriver(dir, Durability.WAL);
            case ROCKSMQ_FSYNC -> new RocksMqDriver(dir, Durability.FSYNC);
            case ROCKSMQ_SERVED -> new ServedRocksMqDriver(dir);
            case ROCKSMQ_COMMIT_1S -> new RocksMqDriver(dir, Durability.WAL, Duration.ofSeconds(1));
            case ROCKSDB_KPM -> new RawRocksDriver(dir, RawRocksDriver.Layout.KEY_PER_MESSAGE);
            case ROCKSDB_VPB -> new RawRocksDriver(dir, RawRocksDriver.Layout.VALUE_PER_BATCH);
            case ROCKSMQ_BLOB -> new RocksMqDriver(dir, Durability.WAL, Duration.ZERO, true);
            case ROCKSDB_VPB_BLOB -> new RawRocksDriver(dir, RawRocksDriver.Layout.VALUE_PER_BATCH, true);
            case ROCKSDB_VPB_POS -> new RawRocksDriver(dir, RawRocksDriver.Layout.VALUE_PER_BATCH, false, true);
            case CHRONICLE -> new ChronicleDriver(dir);
            case KAFKA -> new KafkaDriver(dir);
            case ARTEMIS -> new ArtemisDriver(dir, false);
            case ARTEMIS_FSYNC -> new ArtemisDriver(dir, true);
        };
    }

    private int intParam(String key) {
        String v = params.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing parameter " + key);
        }
        return Integer.parseInt(v);
    }

    private void run(Scenario scenario) throws Exception {
        switch (scenario) {
            case PRODUCE_READ -> produceAndRead("W1", "W4");
            case PRODUCE_1K -> produceAndRead("W2", null);
            case SYNCED -> synced();
            case LATENCY -> latency();
            case CHURN -> churn();
            case FAN_OUT -> fanOut();
            case RESTART -> restart();
            case WORK_QUEUE -> workQueue();
            default -> throw new AssertionError(scenario);
        }
    }

    /**
     * A full-size warm-up, then dropped. For a peer whose server runs in a JVM of its own (Kafka's broker,
     * the served queue) it is repeated until the warm-up time is over: a count alone leaves the server's
     * JIT (gRPC, Netty, protobuf) cold in a quick run, and both servers get the same time.
     */
    private void warmUp(Payloads payloads, int count, int batch, boolean read) throws Exception {
        long warmUntil = System.nanoTime() + (peer == Peer.KAFKA || peer == Peer.ROCKSMQ_SERVED
                ? TimeUnit.SECONDS.toNanos(intParam("kafkaWarmSeconds")) : 0);
        int readBatch = params.containsKey("readBatch") ? intParam("readBatch") : 1000;
        int round = 0;
        do {
            // A topic per round, read back before the next: one topic filled for the whole warm-up grows
            // past the queue's default hard cap (1 GiB), which then deletes unread messages.
            String topic = "warm-" + round++;
            driver.createTopic(topic);
            driver.produce(topic, payloads, count, batch);
            // Read as often as the measured read is, so that no measured read is the first of its kind in
            // this JVM (its code compiled, its readers' groups created and dropped once before).
            if (read) {
                List<String> readers = readers();
                driver.prepareReaders(topic, readers);
                for (String reader : readers) {
                    driver.readAll(topic, reader, count, readBatch);
                }
            }
            driver.dropTopic(topic);
        } while (System.nanoTime() < warmUntil);
    }

    private void produceAndRead(String produceWorkload, String readWorkload) throws Exception {
        int count = intParam("count");
        int batch = intParam("batch");
        Payloads payloads = new Payloads(intParam("payload"), SEED);
        boolean read = readWorkload != null && peer != Peer.ROCKSMQ_FSYNC;
        warmUp(payloads, count, batch, read);

        driver.createTopic("main");
        Cpu cpu = new Cpu(driver);
        long elapsed = driver.produce("main", payloads, count, batch);
        record(produceWorkload, throughput(count, payloads.size(), elapsed, cpu.used()));
        if (read) {
            // One read of the topic lasts about a tenth of a second at our rates, too short to measure
            // alone: it is read `readPasses` times from its start, by readers of other names (once where a
            // read consumes the messages), and the rate is all messages read over the passes' summed time.
            List<String> readers = readers();
            int passes = readers.size();
            driver.prepareReaders("main", readers);
            Map<String, Object> state = driver.storageState();
            long readerCpu = 0;
            long[] readCpu = {0, 0};
            elapsed = 0;
            for (int p = 0; p < passes; p++) {
                Cpu passCpu = new Cpu(driver);
                long threadCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                elapsed += driver.readAll("main", readers.get(p), count, intParam("readBatch"));
                readerCpu += ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - threadCpu;
                passCpu.addUsedTo(readCpu);
            }
            long messagesRead = (long) count * passes;
            Map<String, Object> m = throughput(messagesRead, payloads.size(), elapsed, readCpu);
            m.put("passes", passes);
            // The reading thread's own CPU: on a busy machine, or with background flushes and compactions
            // competing for the cores, its rate per CPU-second says what the read itself costs.
            m.put("readerCpuSec", readerCpu / 1e9);
            m.put("msgsPerReaderCpuSec", messagesRead / (readerCpu / 1e9));
            state.forEach((k, v) -> m.put("atStart." + k, v));
            record(readWorkload, m);
        }
    }

    /**
     * The readers of W4's topic (and of the warm-up's), one a pass: {@code readPasses} of them, one where a
     * read consumes the messages.
     */
    private List<String> readers() {
        int passes = driver.rereadable() && params.containsKey("readPasses") ? intParam("readPasses") : 1;
        List<String> readers = new ArrayList<>();
        for (int p = 0; p < passes; p++) {
            readers.add("reader-" + p);
        }
        return readers;
    }

    private void synced() throws Exception {
        Payloads payloads = new Payloads(intParam("payload"), SEED);
        int count1 = intParam("count1");
        int threads = intParam("threads");
        int perThread = intParam("perThread");
        driver.createTopic("warm");
        driver.syncedProduce("warm", payloads, threads, perThread);
        driver.dropTopic("warm");

        driver.createTopic("one");
        long syncs = syncCount();
        Cpu cpu = new Cpu(driver);
        long elapsed = driver.syncedProduce("one", payloads, 1, count1);
        Map<String, Object> m = throughput(count1, payloads.size(), elapsed, cpu.used());
        addSyncRatio(m, count1, syncs);
        record("W3-1t", m);

        driver.createTopic("many");
        syncs = syncCount();
        cpu = new Cpu(driver);
        elapsed = driver.syncedProduce("many", payloads, threads, perThread);
        m = throughput((long) threads * perThread, payloads.size(), elapsed, cpu.used());
        m.put("threads", threads);
        addSyncRatio(m, (long) threads * perThread, syncs);
        record("W3-16t", m);
    }

    private long syncCount() {
        return driver instanceof RocksMqDriver r ? r.syncCount() : -1;
    }

    private void addSyncRatio(Map<String, Object> m, long writes, long syncsBefore) {
        if (syncsBefore >= 0) {
            long syncs = syncCount() - syncsBefore;
            m.put("fsyncs", syncs);
            m.put("writesPerFsync", syncs == 0 ? 0 : (double) writes / syncs);
        }
    }

    private void latency() throws Exception {
        int rate = intParam("rate");
        int count = intParam("count");
        int warmup = intParam("warmup");
        Payloads payloads = new Payloads(intParam("payload"), SEED);
        if (peer == Peer.KAFKA || peer == Peer.ROCKSMQ_SERVED) {
            // a broker (server) JVM needs load for a while to reach full speed; the warm-up below alone is
            // single messages, which leaves its batch path cold
            warmUp(payloads, 100_000, 100, false);
        }
        byte[] payload = payloads.get(0).clone();
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong received = new AtomicLong();
        // Written by the driver's consumer thread only; read here after it has counted everything.
        LatencyChannel channel = driver.latencyChannel("latency", sentNanos -> {
            long latency = System.nanoTime() - sentNanos;
            histogram.recordValue(Math.min(latency, histogram.getHighestTrackableValue()));
            received.incrementAndGet();
        });
        try {
            pace(channel, payload, rate, warmup);
            awaitReceived(received, warmup);
            histogram.reset();
            Cpu cpu = new Cpu(driver);
            long elapsed = pace(channel, payload, rate, count);
            awaitReceived(received, warmup + (long) count);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("messages", count);
            m.put("targetRate", rate);
            m.put("achievedRate", count / (elapsed / 1e9));
            m.put("p50Us", histogram.getValueAtPercentile(50) / 1e3);
            m.put("p90Us", histogram.getValueAtPercentile(90) / 1e3);
            m.put("p99Us", histogram.getValueAtPercentile(99) / 1e3);
            m.put("p999Us", histogram.getValueAtPercentile(99.9) / 1e3);
            m.put("maxUs", histogram.getMaxValue() / 1e3);
            m.put("meanUs", histogram.getMean() / 1e3);
            cpu.addTo(m, elapsed);
            List<double[]> curve = new ArrayList<>();
            for (HistogramIterationValue v : histogram.percentiles(5)) {
                curve.add(new double[] {v.getPercentileLevelIteratedTo(), v.getValueIteratedTo() / 1e3});
            }
            m.put("percentileCurveUs", curve);
            record("W5", m);
        } finally {
            channel.close();
        }
    }

    /** Sends {@code count} messages at {@code rate}/s on a fixed schedule (late ones go at once). */
    private static long pace(LatencyChannel channel, byte[] payload, int rate, int count) throws Exception {
        long period = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + i * period;
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
            Payloads.stampNanos(payload, System.nanoTime());
            channel.send(payload);
        }
        return System.nanoTime() - start;
    }

    private static void awaitReceived(AtomicLong received, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received.get() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("received " + received.get() + " of " + expected + " messages");
            }
            Thread.sleep(1);
        }
    }

    private void churn() throws Exception {
        RocksMqDriver mq = (RocksMqDriver) driver;
        int count = intParam("count");
        int batch = intParam("batch");
        Payloads payloads = new Payloads(intParam("payload"), SEED);
        warmUp(payloads, count, batch, false);
        mq.createTopic("warm-churn");
        mq.produceWithChurn("warm-churn", payloads, count, batch, new AtomicLong());
        mq.dropTopic("warm-churn");

        mq.createTopic("plain");
        long plain = mq.produce("plain", payloads, count, batch);
        mq.createTopic("churned");
        AtomicLong cycles = new AtomicLong();
        Cpu cpu = new Cpu(driver);
        long churned = mq.produceWithChurn("churned", payloads, count, batch, cycles);
        Map<String, Object> m = throughput(count, payloads.size(), churned, cpu.used());
        m.put("msgsPerSecWithoutChurn", count / (plain / 1e9));
        m.put("ratioWithChurn", (double) plain / churned);
        m.put("churnCycles", cycles.get());
        // Control: the same produce while a thread only burns CPU. On a machine with few cores the churn
        // thread's share of the CPU alone slows the producer; this shows how much of the loss that is.
        mq.createTopic("burned");
        long burned = mq.produceWithCpuBurner("burned", payloads, count, batch);
        m.put("ratioWithCpuBurner", (double) plain / burned);
        m.put("churnCyclesPerSec", cycles.get() / (churned / 1e9));
        record("W6", m);
    }

    /**
     * W7. One pass (every group reads the whole topic) lasts a few tenths of a second at our rates, too short
     * to measure alone: the figure varied up to 3× between runs of one build with a single warm-up pass.
     * So {@code warmPasses} untimed passes, then {@code passes} timed ones, each on a freshly produced topic
     * with fresh groups (production and the topic's drop are not timed); the rate is all timed deliveries
     * over the timed passes' summed time.
     */
    private void fanOut() throws Exception {
        int count = intParam("count");
        int batch = intParam("batch");
        int groups = intParam("groups");
        int readBatch = intParam("readBatch");
        int threads = intParam("threads");
        int warmPasses = intParam("warmPasses");
        int passes = intParam("passes");
        Payloads payloads = new Payloads(intParam("payload"), SEED);
        for (int p = 0; p < warmPasses; p++) {
            String topic = "warm-" + p;
            driver.createTopic(topic);
            driver.produce(topic, payloads, count, batch);
            driver.fanOut(topic, count, groups, readBatch, threads);
            driver.dropTopic(topic);
        }
        long elapsed = 0;
        long[] cpu = {0, 0};
        for (int p = 0; p < passes; p++) {
            String topic = "main-" + p;
            driver.createTopic(topic);
            driver.produce(topic, payloads, count, batch);
            Cpu passCpu = new Cpu(driver);
            elapsed += driver.fanOut(topic, count, groups, readBatch, threads);
            passCpu.addUsedTo(cpu);
            if (p < passes - 1) {
                driver.dropTopic(topic);
            }
        }
        Map<String, Object> m = throughput((long) count * groups * passes, payloads.size(), elapsed, cpu);
        m.put("groups", groups);
        m.put("threads", threads);
        m.put("messagesPerGroup", count);
        m.put("passes", passes);
        record("W7", m);
    }

    private void workQueue() throws Exception {
        int count = intParam(peer == Peer.KAFKA ? "kafkaCount" : "count");
        int workers = intParam("workers");
        int poll = intParam("poll");
        Payloads payloads = new Payloads(intParam("payload"), SEED);
        driver.createTopic("warm");
        driver.workQueue("warm", payloads, Math.min(count, intParam("warmup")), workers, poll);
        driver.dropTopic("warm");

        driver.createTopic("main");
        Cpu cpu = new Cpu(driver);
        WorkQueue.Result r = driver.workQueue("main", payloads, count, workers, poll);
        Map<String, Object> m = throughput(r.acked(), payloads.size(), r.elapsedNanos(), cpu.used());
        m.put("workers", workers);
        m.put("p50Us", r.latency().getValueAtPercentile(50) / 1e3);
        m.put("p99Us", r.latency().getValueAtPercentile(99) / 1e3);
        m.put("maxUs", r.latency().getMaxValue() / 1e3);
        if (peer != Peer.ARTEMIS) { // Artemis has no lock expiry: a dead consumer's messages return when its session ends
            Duration lock = Duration.ofMillis(intParam("lockMillis"));
            driver.createTopic("redelivery");
            org.HdrHistogram.Histogram late = driver.redelivery("redelivery", intParam("redeliveryRounds"), lock);
            m.put("redeliveryLockMs", lock.toMillis());
            m.put("redeliveryLateP50Ms", late.getValueAtPercentile(50) / 1e6);
            m.put("redeliveryLateMaxMs", late.getMaxValue() / 1e6);
        }
        if (driver instanceof RocksMqDriver mq) {
            // The same work on the broker-level SharedGroup, in the same JVM right after: what the client
            // API costs (issue 16 asks for the ratio, measured in one run).
            mq.createTopic("direct");
            WorkQueue.Result direct = mq.workQueueDirect("direct", payloads, count, workers, poll);
            double directPerSec = direct.acked() / (direct.elapsedNanos() / 1e9);
            m.put("directMsgsPerSec", directPerSec);
            m.put("directP99Us", direct.latency().getValueAtPercentile(99) / 1e3);
            m.put("clientOverDirect", (double) m.get("msgsPerSec") / directPerSec);
        }
        record("W9", m);
    }

    private void restart() {
        RocksMqDriver mq = (RocksMqDriver) driver;
        RocksMqDriver.RestartResult r = mq.restart(intParam("topics"), intParam("groups"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topics", r.topics());
        m.put("groupsPerTopic", intParam("groups"));
        m.put("createSeconds", r.createSeconds());
        m.put("openSeconds", r.openSeconds());
        m.put("heapMB", r.heapMegabytes());
        record("W8", m);
    }

    private static Map<String, Object> throughput(long messages, int payloadBytes, long elapsedNanos, long[] cpuNanos) {
        Map<String, Object> m = new LinkedHashMap<>();
        double seconds = elapsedNanos / 1e9;
        m.put("messages", messages);
        m.put("elapsedSec", seconds);
        m.put("msgsPerSec", messages / seconds);
        m.put("mbPerSec", messages * (double) payloadBytes / seconds / 1e6);
        Cpu.addTo(m, cpuNanos, elapsedNanos);
        return m;
    }

    private void record(String workload, Map<String, Object> metrics) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", workload);
        r.put("peer", peer.id());
        r.put("metrics", metrics);
        measurements.add(r);
        System.out.println(workload + " " + peer.id() + " " + metrics.get("msgsPerSec"));
    }

    /** CPU time of this process (all threads, JIT and GC included) and of the driver's helper processes. */
    private static final class Cpu {
        private final QueueDriver driver;
        private final long process;
        private final long helper;

        Cpu(QueueDriver driver) {
            this.driver = driver;
            this.process = processCpu();
            this.helper = driver.helperCpu().toNanos();
        }

        long[] used() {
            return new long[] {processCpu() - process, driver.helperCpu().toNanos() - helper};
        }

        /** Adds what {@link #used} returns to {@code total}, a sum over several timed parts. */
        void addUsedTo(long[] total) {
            long[] used = used();
            total[0] += used[0];
            total[1] += used[1];
        }

        void addTo(Map<String, Object> m, long elapsedNanos) {
            addTo(m, used(), elapsedNanos);
        }

        static void addTo(Map<String, Object> m, long[] cpu, long elapsedNanos) {
            m.put("cpuSec", cpu[0] / 1e9);
            m.put("cpuCores", (double) cpu[0] / elapsedNanos);
            if (cpu[1] > 0) {
                m.put("brokerCpuSec", cpu[1] / 1e9);
                m.put("brokerCpuCores", (double) cpu[1] / elapsedNanos);
            }
        }

        private static long processCpu() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }
    }
}
