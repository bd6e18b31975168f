package io.rocksmq.core;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The fault-injection shim ({@code src/test/resources/faultfs/faultfs.c}, an LD_PRELOAD library that
 * fails write, fsync and rename at chosen points) compiled with the machine's gcc, once per test JVM,
 * and the control file that arms it in a child process.
 *
 * <p>Thread-safe: {@link #library()} is synchronized; a {@link Control} belongs to one test.
 */
final class FaultShim {
    /** The environment variable naming the control file (read by the shim). */
    static final String CONTROL_ENV = "RMQ_FAULT_CONTROL";
    static final int EIO = 5;
    static final int ENOSPC = 28;

    private static Path library;
    private static String unavailable;

    private FaultShim() {
    }

    /**
     * The compiled shim; skips the calling test (a JUnit assumption, with the reason) where gcc is
     * missing or cannot build it, or the OS is not Linux (the shim reads {@code /proc/self/fd}).
     */
    static synchronized Path library() {
        if (library == null && unavailable == null) {
            unavailable = build();
        }
        Assumptions.assumeTrue(unavailable == null, () -> "fault injection skipped: " + unavailable);
        return library;
    }

    private static String build() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return "the LD_PRELOAD shim needs Linux";
        }
        try {
            Path dir = Files.createTempDirectory("rocksmq-faultfs");
            Path source = dir.resolve("faultfs.c");
            try (InputStream in = FaultShim.class.getResourceAsStream("/faultfs/faultfs.c")) {
                if (in == null) {
                    return "faultfs/faultfs.c is not on the test classpath";
                }
                Files.copy(in, source);
            }
            Path lib = dir.resolve("libfaultfs.so");
            Path log = dir.resolve("gcc.log");
            Process gcc;
            try {
                gcc = new ProcessBuilder(List.of("gcc", "-shared", "-fPIC", "-O2", "-o", lib.toString(),
                        source.toString(), "-ldl", "-lpthread"))
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            } catch (IOException e) {
                return "gcc is not installed (" + e.getMessage() + "); install gcc to run these tests";
            }
            if (!gcc.waitFor(120, TimeUnit.SECONDS)) {
                gcc.destroyForcibly();
                return "gcc did not finish in 120 s";
            }
            if (gcc.exitValue() != 0) {
                return "gcc failed to build the shim: " + Files.readString(log, StandardCharsets.UTF_8);
            }
            library = lib;
            return null;
        } catch (IOException e) {
            return "cannot build the shim: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while building the shim";
        }
    }

    /**
     * The control file of one child process. Rules are lines {@code OP SUBSTRING SKIP COUNT ERRNO}
     * (see faultfs.c): OP is {@code write}, {@code fsync} or {@code rename}; the call fails with ERRNO
     * when its file's path contains SUBSTRING (a trailing {@code $} anchors it at the end), after SKIP
     * matching calls went through, COUNT times ({@code -1}: always).
     */
    record Control(Path file) {
        /** Replaces the rules (every rule's count starts afresh); none: injects nothing. */
        void arm(String... rules) throws IOException {
            // Write aside and rename: the shim never reads a half-written file. (The shim sees this
            // rename too: rules must not match the control file's own path.)
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, String.join("\n", rules) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }

        void disarm() throws IOException {
            arm();
        }

        /** Failures injected so far, one line each: {@code OP ERRNO PATH}. */
        List<String> hits() throws IOException {
            Path hits = file.resolveSibling(file.getFileName() + ".hits");
            return Files.exists(hits) ? Files.readAllLines(hits, StandardCharsets.UTF_8) : List.of();
        }
    }
}
