package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;

import io.rocksmq.api.RocksMqException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Child-process main of {@link SharedGroupCrashTest}: workers on the shared group {@code w} of topic
 * {@code jobs}, killed with SIGKILL at a random moment. Arguments: data directory, log directory, seed,
 * generation. Prints {@value ChildJvm#READY} once the queue is open, then runs {@link #WORKERS}
 * workers until killed, each logging, with one forced write per line, after the call returned:
 * {@code D id attempt} per delivery acquired, {@code A id attempt} per ack, {@code R id attempt} per
 * reject. A line cut by the kill (no newline) is ignored by the reader. The log is thus a lower bound of
 * what the queue acknowledged.
 */
public final class SharedGroupCrashChild {
    static final int WORKERS = 4;
    static final SharedGroupOptions OPTIONS = SharedGroupOptions.DEFAULTS.withMaxDeliveries(3)
            .withDeadLetterTopic("dlq").withLockDuration(Duration.ofMillis(100));

    private SharedGroupCrashChild() {
    }

    static Path log(Path logDir, int generation, int worker) {
        return logDir.resolve("g" + generation + "-w" + worker + ".log");
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.exitWhenParentDies();
        Path dataDir = Path.of(args[0]);
        Path logDir = Path.of(args[1]);
        long seed = Long.parseLong(args[2]);
        int generation = Integer.parseInt(args[3]);
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            System.err.println("FATAL in " + t.getName());
            e.printStackTrace();
            System.err.flush();
            Runtime.getRuntime().halt(3);
        });
        RocksMq mq = RocksMq.open(dataDir);
        SharedGroup g = mq.sharedGroup("jobs", "w");
        System.out.println(ChildJvm.READY);
        System.out.flush();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + generation * 101L + w);
            Path log = log(logDir, generation, w);
            threads.add(new Thread(() -> work(g, random, log), "worker-" + w));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
    }

    private static void work(SharedGroup g, SplittableRandom random, Path logFile) {
        try (FileChannel log = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (true) {
                for (SharedGroup.Delivery d : g.acquire(1 + random.nextInt(4), Duration.ofMillis(50))) {
                    line(log, "D " + d.id() + " " + d.attempt());
                    double r = random.nextDouble();
                    try {
                        if (r < 0.6) {
                            g.ack(d);
                            line(log, "A " + d.id() + " " + d.attempt());
                        } else if (r < 0.8) {
                            g.release(d, Duration.ZERO);
                        } else if (r < 0.85) {
                            g.reject(d);
                            line(log, "R " + d.id() + " " + d.attempt());
                        }
                        // else: dropped, its lock expires
                    } catch (RocksMqException expiredOrTaken) {
                        // the 100 ms lock may have expired meanwhile: nothing to log
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void line(FileChannel log, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            log.write(b);
        }
        log.force(false);
    }
}
