package io.rocksmq.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs the project's memory pre-warm script ({@code ../shared/tools/prewarm-memory.sh} relative to the
 * project root) before each measured JVM: these VMs hand freed memory back to the host and touching it
 * again is much slower, which moves figures 2-5x (BENCHMARKS.md). Where the script is missing (e.g. a
 * checkout without shared/), every run goes on without it and the results say so.
 *
 * <p>Not thread-safe.
 */
final class Prewarm {
    private final Path script;
    private final int megabytes;
    private final String note;
    private int runs;
    private int failures;

    Prewarm(Options options) {
        Path candidate = options.projectRoot == null ? null
                : options.projectRoot.resolve("../shared/tools/prewarm-memory.sh").normalize();
        if (!options.prewarm) {
            script = null;
            note = "pre-warm disabled (--no-prewarm)";
        } else if (candidate == null || !Files.isRegularFile(candidate)) {
            script = null;
            note = "pre-warm skipped: " + (candidate == null ? "project root not found"
                    : candidate + " not found");
        } else {
            script = candidate;
            note = "ran " + candidate + " " + options.prewarmMb + " before each measured JVM";
        }
        this.megabytes = options.prewarmMb;
    }

    /** Touches and frees memory now; never fails the run (a failure is counted and reported). */
    void run() throws InterruptedException {
        if (script == null) {
            return;
        }
        runs++;
        try {
            Process p = new ProcessBuilder("bash", script.toString(), String.valueOf(megabytes))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                failures++;
            }
        } catch (IOException e) {
            failures++;
        }
    }

    boolean active() {
        return script != null;
    }

    String note() {
        return failures == 0 ? note : note + " (" + failures + " of " + runs + " runs failed)";
    }
}
