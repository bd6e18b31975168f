package io.rocksmq.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The main class of the busy-machine mode's load process: {@code threads} threads that each burn the CPU
 * for {@code dutyPercent} of every 10 ms period and sleep the rest, as other processes on a real server
 * would. It runs until its standard input closes (the harness closes it to stop the load, and the pipe
 * also closes if the harness dies, so the load never outlives it) and then exits.
 *
 * <p>Usage: {@code BackgroundLoad <threads> <dutyPercent>}; prints {@value #READY} once every thread runs.
 *
 * <p>Thread-safe: the burner threads share only the volatile {@code sink} (written, never read back).
 */
public final class BackgroundLoad {
    /** The line printed once every burner thread has started. */
    static final String READY = "background-load ready";
    /** Length of one on/off cycle: short, so that the load looks steady at the scheduler's time scale. */
    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static volatile long sink;

    private BackgroundLoad() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: BackgroundLoad <threads> <dutyPercent>");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[0]);
        int duty = Integer.parseInt(args[1]);
        checkArguments(threads, duty);
        long busyNanos = PERIOD_NANOS * duty / 100;
        List<Thread> burners = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> burn(busyNanos), "background-load-" + i);
            t.setDaemon(true); // the process ends when main returns
            t.start();
            burners.add(t);
        }
        System.out.println(READY);
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // the harness writes nothing; end of input means stop
        }
        System.exit(0);
    }

    /** @throws IllegalArgumentException if the load cannot be made: no thread, or a duty outside 1..100 */
    static void checkArguments(int threads, int dutyPercent) {
        if (threads < 1) {
            throw new IllegalArgumentException("background load needs at least 1 thread, got " + threads);
        }
        if (dutyPercent < 1 || dutyPercent > 100) {
            throw new IllegalArgumentException("background load duty must be 1..100 %, got " + dutyPercent);
        }
    }

    /** Burns {@code busyNanos} of each period on a fixed schedule; a period lost to preemption is skipped, not made up. */
    private static void burn(long busyNanos) {
        long periodStart = System.nanoTime();
        long x = periodStart;
        while (true) {
            long busyUntil = periodStart + busyNanos;
            while (System.nanoTime() < busyUntil) {
                x = x * 6364136223846793005L + 1442695040888963407L; // work the JIT cannot drop (see sink)
            }
            sink = x;
            long next = periodStart + PERIOD_NANOS;
            long now = System.nanoTime();
            if (next > now) {
                LockSupport.parkNanos(next - now);
                periodStart = next;
            } else {
                periodStart = now;
            }
        }
    }
}
