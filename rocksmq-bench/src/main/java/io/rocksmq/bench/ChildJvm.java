package io.rocksmq.bench;

import io.rocksmq.bench.peer.Dirs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts one measured JVM ({@link Worker}) for a scenario and a peer, after pre-warming memory, and
 * waits for it with a timeout. Each peer gets a fresh JVM so that one peer's heap, JIT profile and
 * page-cache churn do not leak into the next one's figures.
 *
 * <p>Not thread-safe; the harness runs one child at a time (never two measurements at once).
 */
final class ChildJvm {
    /** How one child ended. */
    record Outcome(boolean ok, String failure, double wallSeconds, LoadProcess.Usage load) {
    }

    private final Options options;
    private final Prewarm prewarm;

    ChildJvm(Options options, Prewarm prewarm) {
        this.options = options;
        this.prewarm = prewarm;
    }

    /**
     * Runs the worker; under {@link Load#BUSY} the background load is started after the pre-warm and before
     * the worker, and stopped after it (the same for every peer).
     */
    Outcome run(Scenario scenario, Peer peer, int run, Load load, Path resultFile, Path logFile, Path jfrFile)
            throws IOException, InterruptedException {
        Path data = options.dataDir.toAbsolutePath().resolve("rocksmq-bench-" + ProcessHandle.current().pid()
                + "-" + scenario.name().toLowerCase(java.util.Locale.ROOT) + "-" + peer.id() + "-" + run
                + "-" + load.id());
        Dirs.deleteTree(data);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms" + options.heap);
        command.add("-Xmx" + options.heap);
        // The heap's pages are touched once at start, not during the measurement: on these VMs a first
        // touch of memory is slow, and a peer that allocates more would pay it inside its timing.
        command.add("-XX:+AlwaysPreTouch");
        command.add("-Djava.awt.headless=true");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.addAll(peer.jvmFlags());
        if (jfrFile != null) {
            command.add("-XX:StartFlightRecording=settings=profile,filename=" + jfrFile.toAbsolutePath());
            // a peer with a process of its own (rmq serve) records it next to the worker's
            command.add("-D" + io.rocksmq.bench.peer.ServedQueue.JFR_PROPERTY + "=" + jfrFile.toAbsolutePath());
        }
        command.addAll(options.jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Worker.class.getName());
        command.add(peer.id());
        command.add(scenario.name());
        command.add(resultFile.toAbsolutePath().toString());
        command.add(data.toString());
        for (Map.Entry<String, String> e : scenario.parameters(options.mode).entrySet()) {
            command.add(e.getKey() + "=" + e.getValue());
        }
        Files.createDirectories(logFile.getParent());
        Files.writeString(logFile, String.join(" ", command) + "\n");
        prewarm.run();
        LoadProcess background = load == Load.BUSY
                ? LoadProcess.start(options.backgroundThreads, options.backgroundDuty, logFile) : null;
        LoadProcess.Usage usage = null;
        long start = System.nanoTime();
        Process process = null;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            boolean exited = process.waitFor(options.timeoutSeconds, TimeUnit.SECONDS);
            double wall = (System.nanoTime() - start) / 1e9;
            if (background != null) {
                usage = background.stop();
            }
            if (!exited) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
                return new Outcome(false, "timed out after " + options.timeoutSeconds + " s", wall, usage);
            }
            if (process.exitValue() != 0 || !Files.exists(resultFile)) {
                return new Outcome(false, "exit status " + process.exitValue(), wall, usage);
            }
            return new Outcome(true, null, wall, usage);
        } finally {
            if (background != null) {
                background.close();
            }
            // A broker grandchild must not outlive its worker.
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
            }
            Dirs.deleteTree(data);
        }
    }
}
