package io.rocksmq.api.internals;

import java.time.Duration;

/** Duration helpers. Thread-safe: stateless. */
public final class Durations {
    private Durations() {
    }

    /**
     * {@code d} in nanoseconds, {@link Long#MAX_VALUE} (about 292 years: "forever" for a wait) when it does
     * not fit, and {@link Long#MIN_VALUE} for a negative one that does not fit. A deadline
     * {@code System.nanoTime() + nanos} may wrap; compare it by subtraction
     * ({@code deadline - System.nanoTime() > 0}), as {@link System#nanoTime()} asks, and it stays right.
     */
    public static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
