package io.rocksmq.core;

import org.rocksdb.util.Environment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child JVM running a test main on this JVM's test classpath, for tests that need a real second
 * process: one holding a queue open, or one killed with SIGKILL.
 *
 * <p>The child prints {@value #READY} on stdout once it is ready; its stderr goes to a file. It
 * exits on its own when its stdin closes (see {@link #exitWhenParentDies()}), so a killed test run
 * leaves no orphan processes.
 *
 * <p>Every child loads RocksDB's native library from one directory (extracted once per parent JVM)
 * instead of extracting 15 MB into {@code /tmp} per process: a child killed with SIGKILL never runs
 * the {@code deleteOnExit} that would remove its copy.
 *
 * <p>Not thread-safe: owned by the test thread.
 */
final class CrashChildJvm implements AutoCloseable {
    static final String READY = "READY";

    private static Path nativeDir;

    private final Process process;
    private final Path stderr;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private CrashChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread reader = new Thread(this::readStdout, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code main} with {@code args} in a new JVM; stderr goes to {@code stderrFile}. */
    static CrashChildJvm start(Class<?> main, Path stderrFile, String... args) throws IOException {
        return start(main, stderrFile, Map.of(), args);
    }

    /** As {@link #start(Class, Path, String...)}, with these variables added to the child's environment. */
    static CrashChildJvm start(Class<?> main, Path stderrFile, Map<String, String> env, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Djava.library.path=" + nativeLibraryDir());
        cmd.add("-cp");
        cmd.add(testClasspath());
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()))
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        // If java.library.path does not match the loader's name, it extracts here (one file, overwritten).
        pb.environment().put("ROCKSDB_SHAREDLIB_DIR", nativeLibraryDir().toString());
        pb.environment().putAll(env);
        return new CrashChildJvm(pb.start(), stderrFile);
    }

    /** Surefire may run tests from a manifest-only jar; it publishes the real classpath separately. */
    private static String testClasspath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
    }

    private static synchronized Path nativeLibraryDir() throws IOException {
        if (nativeDir == null) {
            Path dir = Files.createTempDirectory("rocksmq-test-native");
            String file = Environment.getJniLibraryFileName("rocksdb");
            try (InputStream in = org.rocksdb.RocksDB.class.getClassLoader().getResourceAsStream(file)) {
                if (in != null) {
                    Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            dir.toFile().deleteOnExit();
            dir.resolve(file).toFile().deleteOnExit();
            nativeDir = dir;
        }
        return nativeDir;
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.equals(READY)) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            // the child was killed while we read
        }
        ready.completeExceptionally(new IllegalStateException("child exited before it was ready"));
    }

    /** Waits until the child printed {@value #READY}; false if it did not within the timeout. */
    boolean awaitReady(long timeoutMillis) throws InterruptedException {
        try {
            ready.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        }
    }

    /** Waits for the child to exit on its own; its exit code, or empty if it still runs after the timeout. */
    java.util.OptionalInt awaitExit(long timeoutMillis) throws InterruptedException {
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            return java.util.OptionalInt.empty();
        }
        return java.util.OptionalInt.of(process.exitValue());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL (what {@code destroyForcibly} sends on Linux), then waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("child " + process.pid() + " survived SIGKILL for 60 s");
        }
    }

    /** The child's stderr so far, for failure messages. */
    String stderr() {
        try {
            String s = Files.readString(stderr);
            return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /** For child mains: exit at once when the parent's end of stdin closes (the parent died). */
    static void exitWhenParentDies() {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // ignore input
                }
            } catch (IOException e) {
                // fall through
            }
            Runtime.getRuntime().halt(0);
        }, "parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
