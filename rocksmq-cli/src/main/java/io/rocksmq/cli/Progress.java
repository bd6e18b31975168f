package io.rocksmq.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Live progress of {@code rmq perf}: on a terminal one bar redrawn in place ({@code \r}); elsewhere
 * (a pipe, a file, CI) one plain line per update, so logs stay readable.
 *
 * <p>Not thread-safe; confined to the thread that drives the run.
 */
final class Progress {
    /** How progress is shown; {@code auto} picks {@code bar} on a terminal and {@code plain} elsewhere. */
    enum Mode { auto, bar, plain, none }

    private static final int BAR_WIDTH = 24;

    private final PrintWriter out;
    private final Mode mode;
    private final long toProduce;
    private final long toConsume;
    private final int messageSize;
    /** How long a timed run produces; 0 for a run of a fixed number of messages. */
    private final double plannedSeconds;
    private int lastWidth;

    /**
     * Progress of a run that produces a fixed number of messages.
     *
     * @param toProduce   messages to produce
     * @param toConsume   messages to deliver, summed over all groups
     * @param messageSize payload bytes per message, for MB/s
     */
    Progress(PrintWriter out, Mode mode, boolean terminal, long toProduce, long toConsume, int messageSize) {
        this(out, mode, terminal, toProduce, toConsume, messageSize, 0);
    }

    private Progress(PrintWriter out, Mode mode, boolean terminal, long toProduce, long toConsume, int messageSize,
                     double plannedSeconds) {
        this.out = out;
        this.mode = mode == Mode.auto ? (terminal ? Mode.bar : Mode.plain) : mode;
        this.toProduce = toProduce;
        this.toConsume = toConsume;
        this.messageSize = messageSize;
        this.plannedSeconds = plannedSeconds;
    }

    /** Progress of a run that produces for a fixed time: the fraction done is the time gone by. */
    static Progress timed(PrintWriter out, Mode mode, boolean terminal, Duration duration, int messageSize) {
        return new Progress(out, mode, terminal, -1, -1, messageSize, Math.max(1e-9, duration.toNanos() / 1e9));
    }

    Mode mode() {
        return mode;
    }

    /**
     * Shows the state at {@code seconds} into the run.
     *
     * @param produceRate messages per second produced over the last interval
     * @param consumeRate messages per second delivered over the last interval (all groups)
     */
    void update(double seconds, long produced, long consumed, double produceRate, double consumeRate) {
        if (mode == Mode.none) {
            return;
        }
        long work = toProduce + toConsume;
        double fraction = toProduce < 0 ? Math.min(1, seconds / plannedSeconds)
                : work == 0 ? 1 : Math.min(1, (double) (produced + consumed) / work);
        String figures = String.format(Locale.ROOT, "produced %s%s  %s msgs/s  %.1f MB/s  delivered %s%s  %s msgs/s",
                Text.count(produced), of(toProduce), Text.count((long) produceRate),
                produceRate * messageSize / 1e6, Text.count(consumed), of(toConsume),
                Text.count((long) consumeRate));
        if (mode == Mode.plain) {
            out.println(String.format(Locale.ROOT, "perf %6.1fs %3d%%  %s", seconds, (int) (fraction * 100), figures));
        } else {
            int filled = (int) Math.round(fraction * BAR_WIDTH);
            String line = String.format(Locale.ROOT, "[%s%s] %3d%%  %s", "#".repeat(filled),
                    "-".repeat(BAR_WIDTH - filled), (int) (fraction * 100), figures);
            // Pad over the previous, possibly longer, line; no newline until the end.
            out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
        }
        out.flush();
    }

    private static String of(long total) {
        return total < 0 ? "" : "/" + Text.count(total);
    }

    /** Ends the bar's line (plain lines end themselves). */
    void finish() {
        if (mode == Mode.bar && lastWidth > 0) {
            out.println();
            out.flush();
        }
    }
}
