package io.rocksmq.server;

/**
 * The protocol's unsigned numbers as the server reads them. Protobuf's Java code puts a {@code uint64} in a
 * {@code long} and a {@code uint32} in an {@code int} bit for bit, so a value at or above 2^63 (2^31)
 * reads negative: a client asking for "as much as possible" with the largest value must not get zero, an
 * error, or a credit that shrinks. Durations and credits are read unsigned and clamped to what the server
 * holds; widen a {@code uint32} with {@link Integer#toUnsignedLong} before passing it here.
 *
 * <p>Thread-safe: stateless.
 */
final class Unsigned {
    private Unsigned() {
    }

    /** The {@code uint64} {@code value}, or {@code max} (at least 0) if it is larger. */
    static long atMost(long value, long max) {
        return Long.compareUnsigned(value, max) <= 0 ? value : max;
    }

    /**
     * {@code base} plus the {@code uint64} {@code more}, or {@code max} (at least 0) if the sum is larger
     * (never overflowing). {@code base} is signed and may be negative: a byte credit overdrawn by the one
     * message always sent.
     */
    static long plusAtMost(long base, long more, long max) {
        long add = atMost(more, max);
        return base > max - add ? max : base + add;
    }
}
