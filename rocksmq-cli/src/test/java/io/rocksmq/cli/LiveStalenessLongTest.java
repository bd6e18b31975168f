package io.rocksmq.cli;

import io.rocksmq.testkit.process.ChildJvm;
import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures how far {@code rmq tail -f} runs behind a process that writes the queue: a child JVM produces
 * a message every 37 ms whose text is the wall clock at produce (µs); a watcher thread notes when each
 * line appears in tail's output (checked every millisecond). Prints the delay's percentiles for the
 * default poll interval (100 ms) and for 20 ms. A measurement, not a check (nothing about time is
 * asserted): {@code mvn -B -ntp -q verify -Djcstress.skip=true -pl rocksmq-cli -am -Plong
 * -Dtest=LiveStalenessLongTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("long")
class LiveStalenessLongTest {
    private static final int MESSAGES = 200;

    @TempDir
    Path tmp;

    @Test
    void tailFollowDelayBehindTheWriter() throws Exception {
        Path dir = tmp.resolve("q");
        try (ChildJvm writer = ChildJvm.start(LiveWriter.class, tmp.resolve("writer.err"), dir.toString())) {
            assertThat(writer.nextLine(Duration.ofSeconds(60))).isEqualTo(LiveWriter.READY);
            for (String poll : List.of("100ms", "20ms")) {
                long[] delays = measure(writer, dir, poll);
                Arrays.sort(delays);
                System.out.printf("tail -f --poll %s behind the writer, %d messages: p50 %.1f ms, p90 %.1f ms,"
                                + " p99 %.1f ms, max %.1f ms%n", poll, delays.length, pct(delays, 50), pct(delays, 90),
                        pct(delays, 99), delays[delays.length - 1] / 1000.0);
            }
        }
    }

    private static long[] measure(ChildJvm writer, Path dir, String poll) throws Exception {
        writer.send("produce warm-up");
        String first = writer.nextLine(Duration.ofSeconds(60)).substring("produced ".length());
        Cli cli = new Cli();
        AtomicReference<Cli.Result> result = new AtomicReference<>();
        Thread tail = new Thread(() -> result.set(cli.run("tail", "-f", "orders", "--from-id", first, "--max",
                Integer.toString(MESSAGES + 1), "--poll", poll, "--data", dir.toString())));
        tail.start();
        while (!cli.liveOut().contains("warm-up\n")) { // tail is following
            assertThat(tail.isAlive()).as(cli.liveErr()).isTrue();
            Thread.sleep(1);
        }
        writer.send("timed " + MESSAGES + " 37");
        List<Long> delays = new ArrayList<>();
        int seen = 0;
        long progressDeadline = System.nanoTime() + 30_000_000_000L;
        boolean alive = true;
        while (delays.size() < MESSAGES && alive) {
            alive = tail.isAlive(); // before reading the output: what it printed before it ended is read
            if (System.nanoTime() > progressDeadline) {
                tail.interrupt();
                throw new AssertionError("tail -f stopped at " + seen + " messages; its output ends with: "
                        + cli.liveOut().substring(Math.max(0, cli.liveOut().length() - 300)) + "; err: " + cli.liveErr()
                        + "; a new follower sees: " + new Cli().run("tail", "orders", "-n", "12", "--meta", "--data",
                        dir.toString()) + new Cli().run("topics", "list", "--data", dir.toString()));
            }
            int before = seen;
            long now = LiveWriter.epochMicros();
            String out = cli.liveOut();
            String[] lines = out.substring(0, out.lastIndexOf('\n') + 1).split("\n"); // whole lines only
            for (int i = seen; i < lines.length; i++) {
                if (lines[i].startsWith("t ")) {
                    delays.add(now - Long.parseLong(lines[i].substring(2)));
                    seen = i + 1;
                }
            }
            if (seen > before) {
                progressDeadline = System.nanoTime() + 30_000_000_000L;
            }
            Thread.sleep(1);
        }
        tail.join(60_000);
        assertThat(writer.nextLine(Duration.ofSeconds(60))).isEqualTo("timed done");
        assertThat(result.get().exit()).as(result.get().toString()).isZero();
        assertThat(delays).hasSize(MESSAGES);
        return delays.stream().mapToLong(Long::longValue).toArray();
    }

    private static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1000.0;
    }
}
