package io.rocksmq.testkit.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) running in a child JVM
 * on 127.0.0.1 with free ports, started from the Kafka jars on this JVM's class path. For integration
 * tests of the Kafka backend and for benchmarks: nothing is shared with the calling JVM but the class
 * path, so the broker's heap, threads and JIT do not disturb the caller's measurements.
 *
 * <pre>{@code
 * try (KafkaBroker broker = KafkaBroker.builder(tempDir).start()) {
 *     props.put("bootstrap.servers", broker.bootstrapServers());
 *     ...
 * }
 * }</pre>
 *
 * <p>The caller's class path must hold {@code org.apache.kafka:kafka_2.13}, {@code kafka-server} and
 * {@code kafka-clients} (this module declares them optional) and an SLF4J binding. The broker writes
 * its log to {@link #logFile()}.
 *
 * <p>The defaults suit one node: every internal topic has replication factor 1 (without
 * {@code offsets.topic.replication.factor=1} consumer groups never form), rebalances start at once,
 * and deleted segments are freed at once ({@code log.segment.delete.delay.ms=0}). Override any of them
 * with {@link Builder#property}.
 *
 * <p>{@link #restart()} stops a broker and starts it again on the same ports, directory and settings,
 * so clients configured with {@link #bootstrapServers()} reconnect to it; {@link #kill()} ends the
 * broker's JVM at once, like a crash.
 *
 * <p>Thread-safe: {@link #close()} and {@link #kill()} are idempotent and may be called from any thread.
 */
public final class KafkaBroker implements AutoCloseable {
    /** Broker settings applied unless overridden; see the class javadoc for why. */
    public static final Map<String, String> DEFAULT_PROPERTIES = defaults();
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);
    public static final String DEFAULT_HEAP = "1g";

    private final Process process;
    private final String bootstrapServers;
    private final Path logFile;
    private final Duration stopTimeout;
    /** What started this broker, with its ports fixed: {@link #restart()} starts the same broker again. */
    private final Builder settings;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaBroker(Process process, String bootstrapServers, Path logFile, Duration stopTimeout, Builder settings) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.logFile = logFile;
        this.stopTimeout = stopTimeout;
        this.settings = settings;
    }

    /** Starts a configuration for a broker whose logs and metadata live under {@code directory}. */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** {@code host:port} of the PLAINTEXT listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The broker's process, e.g. to read its CPU time. */
    public ProcessHandle process() {
        return process.toHandle();
    }

    /** CPU time the broker process has used so far (zero if the platform does not report it). */
    public Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** The broker's own log (stdout and stderr of its JVM). */
    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Stops the broker: asks it to shut down cleanly, and kills it if it has not exited within the stop
     * timeout. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            OutputStream in = process.getOutputStream();
            in.write(KafkaBrokerMain.STOP_COMMAND.getBytes(StandardCharsets.US_ASCII));
            in.write('\n');
            in.close();
        } catch (IOException e) {
            // The broker is already gone or its stdin is closed: the wait below settles it.
        }
        try {
            if (!process.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops this broker if it still runs (cleanly, as {@link #close()}), then starts it again with the same
     * directory (so the same logs, metadata and committed offsets), ports and settings, and waits until it
     * serves requests. This instance stays closed; use the returned one.
     *
     * @throws IllegalStateException if it does not come up within the start timeout (its log is named)
     */
    public KafkaBroker restart() {
        close();
        return settings.start();
    }

    /**
     * Ends the broker's JVM at once (SIGKILL where the platform has it), like a crash: no clean shutdown,
     * nothing flushed by the broker. Data the broker wrote stays in the operating system's page cache, so
     * a {@link #restart()} afterwards recovers the logs as Kafka does after a process crash. Idempotent;
     * afterwards {@link #close()} does nothing.
     */
    public void kill() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("offsets.topic.replication.factor", "1");
        m.put("offsets.topic.num.partitions", "1");
        m.put("transaction.state.log.replication.factor", "1");
        m.put("transaction.state.log.min.isr", "1");
        m.put("share.coordinator.state.topic.replication.factor", "1");
        m.put("share.coordinator.state.topic.min.isr", "1");
        m.put("share.coordinator.state.topic.num.partitions", "1");
        // Share groups (KIP-932; the share.version feature comes with the latest metadata version at format
        // time): short locks allowed (tests use 1 s), and members that join and get assigned quickly.
        m.put("group.share.min.record.lock.duration.ms", "1000");
        m.put("group.share.min.heartbeat.interval.ms", "1000");
        m.put("group.share.heartbeat.interval.ms", "1000");
        m.put("group.share.min.session.timeout.ms", "6000");
        m.put("group.share.session.timeout.ms", "10000");
        m.put("group.initial.rebalance.delay.ms", "0");
        m.put("log.segment.delete.delay.ms", "0");
        m.put("num.partitions", "1");
        m.put("default.replication.factor", "1");
        m.put("min.insync.replicas", "1");
        m.put("auto.create.topics.enable", "true");
        m.put("delete.topic.enable", "true");
        return Map.copyOf(m);
    }

    /** Fluent configuration of a broker. Not thread-safe. */
    public static final class Builder {
        private final Path directory;
        private final Map<String, String> properties = new LinkedHashMap<>(DEFAULT_PROPERTIES);
        private final List<String> jvmOptions = new ArrayList<>();
        private String heap = DEFAULT_HEAP;
        private String classPath = System.getProperty("java.class.path");
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
        /** Zero: pick a free port at start. */
        private int brokerPort;
        private int controllerPort;
        /** Null: a new cluster. A restart must present the id its storage was formatted with. */
        private String clusterId;

        private Builder(Path directory) {
            if (directory == null) {
                throw new IllegalArgumentException("directory must not be null");
            }
            this.directory = directory;
        }

        private Builder(Builder other, int brokerPort, int controllerPort, String clusterId) {
            this.directory = other.directory;
            this.properties.putAll(other.properties);
            this.jvmOptions.addAll(other.jvmOptions);
            this.heap = other.heap;
            this.classPath = other.classPath;
            this.startTimeout = other.startTimeout;
            this.stopTimeout = other.stopTimeout;
            this.brokerPort = brokerPort;
            this.controllerPort = controllerPort;
            this.clusterId = clusterId;
        }

        /** Sets (or overrides) one broker property. */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** Heap of the broker JVM ({@code -Xms} and {@code -Xmx}), e.g. {@code "1g"}. */
        public Builder heap(String heap) {
            this.heap = heap;
            return this;
        }

        /** Adds an option for the broker JVM, e.g. a flight recording. */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** The broker JVM's class path; defaults to this JVM's. */
        public Builder classPath(String classPath) {
            this.classPath = classPath;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = timeout;
            return this;
        }

        /**
         * Formats the storage, starts the broker and waits until it serves requests.
         *
         * @throws IllegalStateException if it does not come up within the start timeout (its log is named)
         */
        public KafkaBroker start() {
            try {
                return doStart();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start Kafka broker in " + directory, e);
            }
        }

        private KafkaBroker doStart() throws IOException {
            Path dir = directory.toAbsolutePath();
            Files.createDirectories(dir);
            int brokerPort = this.brokerPort > 0 ? this.brokerPort : freePort();
            int controllerPort = this.controllerPort > 0 ? this.controllerPort : freePort();
            Properties p = new Properties();
            p.setProperty("process.roles", "broker,controller");
            p.setProperty("node.id", "1");
            p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
            p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
            p.setProperty("controller.listener.names", "CONTROLLER");
            p.setProperty("inter.broker.listener.name", "PLAINTEXT");
            p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.setProperty("log.dirs", dir.resolve("logs").toString());
            properties.forEach(p::setProperty);
            Path config = dir.resolve("server.properties");
            try (var out = Files.newBufferedWriter(config)) {
                p.store(out, "written by " + KafkaBroker.class.getName());
            }
            Path ready = dir.resolve(KafkaBrokerMain.READY_FILE);
            Files.deleteIfExists(ready);
            Path log = dir.resolve("broker.log");

            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xms" + heap);
            command.add("-Xmx" + heap);
            command.add("-Djava.awt.headless=true");
            command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(classPath);
            command.add(KafkaBrokerMain.class.getName());
            command.add(config.toString());
            String cluster = clusterId != null ? clusterId : UUID.randomUUID().toString();
            command.add(cluster);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            KafkaBroker broker = new KafkaBroker(process, "127.0.0.1:" + brokerPort, log, stopTimeout,
                    new Builder(this, brokerPort, controllerPort, cluster));
            long deadline = System.nanoTime() + startTimeout.toNanos();
            try {
                while (!Files.exists(ready)) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("Kafka broker exited with status " + process.exitValue()
                                + " while starting; see " + log);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka broker did not start within " + startTimeout + "; see " + log);
                    }
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                broker.close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the Kafka broker", e);
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
            return broker;
        }

        private static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
                return s.getLocalPort();
            }
        }
    }
}
