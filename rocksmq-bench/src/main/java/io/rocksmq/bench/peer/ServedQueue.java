package io.rocksmq.bench.peer;

import io.rocksmq.server.RmqServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code rmq serve} for the harness: an {@link RmqServer} with its defaults on 127.0.0.1 in a JVM of its
 * own, as Kafka's broker is, so the served peer pays for the process boundary and its CPU is counted
 * apart ({@link #cpuTime()}). The child prints its port on its first line of output and stops when its
 * standard input closes, so it never outlives the worker that started it.
 *
 * <p>Not thread-safe: one worker thread starts and closes it.
 */
public final class ServedQueue implements AutoCloseable {
    private static final String PORT_LINE = "rmq-serve-port=";
    /**
     * The worker's JFR file, set by the harness under {@code --jfr}: the server JVM then records its own
     * flight recording next to it ({@code <name>.server.jfr}).
     */
    public static final String JFR_PROPERTY = "rocksmq.bench.jfr";

    private final Process process;
    private final int port;

    private ServedQueue(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the server JVM on {@code directory} and waits (up to a minute) until it listens. */
    public static ServedQueue start(Path directory, String heap) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms" + heap);
        command.add("-Xmx" + heap);
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        String workerJfr = System.getProperty(JFR_PROPERTY);
        if (workerJfr != null) {
            command.add("-XX:StartFlightRecording=settings=profile,filename="
                    + workerJfr.replaceFirst("\\.jfr$", "") + ".server.jfr");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ServedQueue.class.getName());
        command.add(directory.toAbsolutePath().toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(PORT_LINE)) {
                int port = Integer.parseInt(line.substring(PORT_LINE.length()).trim());
                Thread drain = new Thread(() -> drain(out), "served-queue-output");
                drain.setDaemon(true);
                drain.start();
                return new ServedQueue(process, port);
            }
            seen.append(line).append('\n');
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        throw new IllegalStateException("the served queue did not start; its output:\n" + seen);
    }

    /** Copies the child's later output (warnings, a stack trace) to this JVM's, where the harness logs it. */
    private static void drain(BufferedReader out) {
        try {
            String line;
            while ((line = out.readLine()) != null) {
                System.out.println("[rmq serve] " + line);
            }
        } catch (IOException e) {
            // the child ended
        }
    }

    /** The loopback URI of the server. */
    public String uri() {
        return "rmq://127.0.0.1:" + port;
    }

    /** CPU time the server JVM has used so far. */
    public Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Closes the child's standard input (it shuts down gracefully), killing it if it does not end in 30 s. */
    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The child: serves {@code args[0]} until its standard input ends. */
    public static void main(String[] args) throws IOException {
        try (RmqServer server = RmqServer.builder(Path.of(args[0])).listen("127.0.0.1", 0).start()) {
            System.out.println(PORT_LINE + server.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our input (or to die)
            }
        }
    }
}
