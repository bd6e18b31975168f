package io.rocksmq.bench.peer;

import java.util.SplittableRandom;

/**
 * A pool of random (so incompressible) payloads of one size, built before anything is timed and
 * reused round-robin, so the harness itself allocates nothing per message. Payloads are never
 * modified, except by {@link #stampNanos} on the latency workload's own buffers.
 *
 * <p>Not thread-safe to build; the built pool is read-only and may be shared.
 */
public final class Payloads {
    /** Distinct payloads in a pool: enough that compression cannot exploit repetition within a block. */
    public static final int POOL_SIZE = 1024;

    private final byte[][] pool;
    private final int size;

    public Payloads(int size, long seed) {
        this.size = size;
        SplittableRandom random = new SplittableRandom(seed);
        pool = new byte[POOL_SIZE][];
        for (int i = 0; i < POOL_SIZE; i++) {
            byte[] b = new byte[size];
            for (int j = 0; j < size; j++) {
                b[j] = (byte) random.nextInt(256);
            }
            pool[i] = b;
        }
    }

    public int size() {
        return size;
    }

    /** Payload number {@code i} (any non-negative index, taken modulo the pool size). */
    public byte[] get(long i) {
        return pool[(int) (i % POOL_SIZE)];
    }

    /** Writes a {@link System#nanoTime()} value into the first 8 bytes, big-endian. */
    public static void stampNanos(byte[] b, long nanos) {
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) nanos;
            nanos >>>= 8;
        }
    }

    /** Reads the value written by {@link #stampNanos}. */
    public static long readNanos(byte[] b, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[offset + i] & 0xFF);
        }
        return v;
    }

    /** A cheap function of a read message that the JIT cannot drop: its length and first byte. */
    public static long touch(long checksum, int length, byte first) {
        return checksum * 31 + length + first;
    }
}
