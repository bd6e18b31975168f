package io.rocksmq.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test main run in a JVM of its own on this JVM's test class path: a second process that holds a queue
 * open (the crash harness of rocksmq-core does the same for its tests). The test talks to it through its
 * stdin and stdout lines; closing stdin asks it to finish, and {@link #close()} waits for that (then
 * kills it). Its stderr goes to a file.
 *
 * <p>Not thread-safe: owned by the test thread.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path stderr;
    private final PrintWriter stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.stdin = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread reader = new Thread(this::readStdout, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code main} with {@code args} in a new JVM; its stderr goes to {@code stderrFile}. */
    static ChildJvm start(Class<?> main, Path stderrFile, String... args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path");
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp,
                main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()))
                .start();
        return new ChildJvm(p, stderrFile);
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
    void send(String line) {
        stdin.println(line);
    }

    /** The next line the child printed; fails the test if none comes within the timeout. */
    String expectLine(long timeoutSeconds) throws InterruptedException {
        String line = lines.poll(timeoutSeconds, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("child printed nothing for " + timeoutSeconds + " s; alive " + process.isAlive()
                    + "; stderr: " + stderr());
        }
        return line;
    }

    boolean isAlive() {
        return process.isAlive();
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

    /** Closes its stdin (it finishes and exits) and waits; kills it if it is still running after 30 s. */
    @Override
    public void close() throws InterruptedException {
        stdin.close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
