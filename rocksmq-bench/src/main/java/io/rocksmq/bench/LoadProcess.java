package io.rocksmq.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running {@link BackgroundLoad} child JVM: started (and waited for until all its threads burn) before
 * a measured JVM, stopped after it. {@link #stop} says how much CPU the load took, so a result shows the
 * load was really there.
 *
 * <p>Not thread-safe: the harness starts and stops it from one thread.
 */
final class LoadProcess implements AutoCloseable {
    /** What the load used between start and stop. */
    record Usage(double cpuSeconds, double wallSeconds) {
        double cores() {
            return wallSeconds == 0 ? 0 : cpuSeconds / wallSeconds;
        }
    }

    private final Process process;
    private final long started;
    private final long cpuAtStart;

    private LoadProcess(Process process) {
        this.process = process;
        this.started = System.nanoTime();
        this.cpuAtStart = cpuNanos(process); // the JVM's own start-up is not load
    }

    private static long cpuNanos(Process p) {
        return p.info().totalCpuDuration().orElse(Duration.ZERO).toNanos();
    }

    /**
     * Starts the load and returns once it reports every thread running.
     *
     * @throws IOException if it does not start within 30 s (it is killed then)
     */
    static LoadProcess start(int threads, int dutyPercent, Path logFile) throws IOException, InterruptedException {
        BackgroundLoad.checkArguments(threads, dutyPercent);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                BackgroundLoad.class.getName(), String.valueOf(threads), String.valueOf(dutyPercent));
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.equals(BackgroundLoad.READY)) {
                        return line;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        try {
            if (ready.get(30, TimeUnit.SECONDS) == null) {
                throw new IOException("background load exited before it was ready (status "
                        + p.waitFor() + ", log " + logFile + ")");
            }
        } catch (TimeoutException | ExecutionException e) {
            p.destroyForcibly();
            throw new IOException("background load did not start within 30 s", e);
        }
        return new LoadProcess(p);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** CPU seconds the load used since it was ready, so far (the kernel counts in ticks: 0 at first). */
    double cpuSecondsSoFar() {
        return (cpuNanos(process) - cpuAtStart) / 1e9;
    }

    /** Stops the load (closes its input, then kills it if it lingers) and says what it used. */
    Usage stop() throws InterruptedException {
        double wall = (System.nanoTime() - started) / 1e9;
        double cpu = (cpuNanos(process) - cpuAtStart) / 1e9;
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already gone: nothing to close
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return new Usage(cpu, wall);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
