package io.rocksmq.bench.peer;

/**
 * Keeps checksums of read messages alive so that the JIT cannot remove the reads.
 *
 * <p>Thread-safe.
 */
public final class Blackhole {
    private static volatile long sink;

    private Blackhole() {
    }

    public static void consume(long value) {
        sink += value;
    }
}
