package io.rocksmq.testkit.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test main run in a second JVM on this JVM's test class path, for tests that need a real second
 * process: one that holds a queue open, serves it, or is killed with SIGKILL mid-write.
 *
 * <p>The test talks to the child through lines: {@link #send} writes one to its stdin, {@link #nextLine}
 * and {@link #await} read what it printed on stdout (a reader thread collects every line). Its stderr goes
 * to a file ({@link #stderr()} shows the end of it in failure messages). A child main calls
 * {@link #exitWhenParentDies()} or reads its stdin to the end, so a test JVM that dies leaves no orphan.
 *
 * <p>RocksDB's native library is extracted once per test JVM and every child loads it from there (when
 * RocksDB is on the class path): a child killed with SIGKILL never runs the {@code deleteOnExit} that would
 * remove its own 15 MB copy from {@code /tmp}, and children started together never overwrite a library
 * another one has mapped.
 *
 * <p>Not thread-safe: owned by the test thread.
 */
public final class ChildJvm implements AutoCloseable {
    /** The line {@link #awaitReady} waits for; a child prints it once it is ready. */
    public static final String READY = "READY";

    private static Path nativeDir;

    private final Process process;
    private final Path stderr;
    private final PrintWriter stdin;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.stdin = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread reader = new Thread(this::readStdout, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code main} with {@code args} in a new JVM; its stderr is appended to {@code stderrFile}. */
    public static ChildJvm start(Class<?> main, Path stderrFile, String... args) throws IOException {
        return start(main, stderrFile, Map.of(), args);
    }

    /** As {@link #start(Class, Path, String...)}, with these variables added to the child's environment. */
    public static ChildJvm start(Class<?> main, Path stderrFile, Map<String, String> env, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        Path natives = rocksDbNativeDir();
        if (natives != null) {
            cmd.add("-Djava.library.path=" + natives);
        }
        cmd.add("-cp");
        cmd.add(testClasspath());
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()))
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        if (natives != null) {
            // Should java.library.path not match the loader's file name, it extracts here (one file).
            pb.environment().put("ROCKSDB_SHAREDLIB_DIR", natives.toString());
        }
        pb.environment().putAll(env);
        return new ChildJvm(pb.start(), stderrFile);
    }

    /** Surefire may run tests from a manifest-only jar; it publishes the real class path separately. */
    private static String testClasspath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
    }

    /** RocksDB's JNI library extracted once, or null if RocksDB is not on the class path. */
    private static synchronized Path rocksDbNativeDir() throws IOException {
        if (nativeDir != null) {
            return nativeDir;
        }
        String file;
        ClassLoader loader;
        try {
            Class<?> environment = Class.forName("org.rocksdb.util.Environment");
            file = (String) environment.getMethod("getJniLibraryFileName", String.class).invoke(null, "rocksdb");
            loader = environment.getClassLoader();
        } catch (ReflectiveOperationException e) {
            return null;
        }
        Path dir = Files.createTempDirectory("rocksmq-test-native");
        try (InputStream in = loader.getResourceAsStream(file)) {
            if (in != null) {
                Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        dir.toFile().deleteOnExit();
        dir.resolve(file).toFile().deleteOnExit();
        nativeDir = dir;
        return dir;
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    /** Sends one line to the child's stdin. */
    public void send(String line) {
        stdin.println(line);
    }

    /** The next line the child printed; fails the test if none comes within the timeout. */
    public String nextLine(Duration timeout) throws InterruptedException {
        String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (line == null) {
            throw new AssertionError("child printed nothing for " + timeout + "; alive " + process.isAlive()
                    + "; stderr: " + stderr());
        }
        return line;
    }

    /**
     * Skips lines until one starts with {@code prefix} and returns it; fails the test if the child exits
     * first or none comes within the timeout.
     */
    public String await(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                throw new AssertionError("child exited with " + process.exitValue() + " before printing '" + prefix
                        + "'; stderr: " + stderr());
            }
        }
        throw new AssertionError("child printed no '" + prefix + "' in " + timeout + "; stderr: " + stderr());
    }

    /** Waits until the child printed {@value #READY}; false if it exited or did not within the timeout. */
    public boolean awaitReady(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(10, TimeUnit.MILLISECONDS);
            if (READY.equals(line)) {
                return true;
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                return false;
            }
        }
        return false;
    }

    /** Waits for the child to exit on its own: its exit code, or empty if it still runs after the timeout. */
    public OptionalInt awaitExit(long timeoutMillis) throws InterruptedException {
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(process.exitValue());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL (what {@code destroyForcibly} sends on Linux), then waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("child " + process.pid() + " survived SIGKILL for 60 s");
        }
    }

    /**
     * Closes the child's stdin, which asks a child main that reads it to finish, and waits up to
     * {@code grace} for it to exit; kills it if it is still running then.
     */
    public void finish(Duration grace) throws InterruptedException {
        stdin.close();
        if (!process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
            kill();
        }
    }

    /** The end of the child's stderr so far, for failure messages. */
    public String stderr() {
        try {
            String s = Files.readString(stderr);
            return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /** For child mains: halt this JVM at once when the parent's end of stdin closes (the parent died). */
    public static void exitWhenParentDies() {
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
