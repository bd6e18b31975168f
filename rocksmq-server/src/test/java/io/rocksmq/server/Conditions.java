package io.rocksmq.server;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting for a condition in tests: bounded, polled, and failing with what was awaited. */
final class Conditions {
    private static final long TIMEOUT_SECONDS = 60;

    private Conditions() {
    }

    /**
     * Polls {@code condition} every 5 ms until it holds; fails after 60 s (a bound for a loaded machine,
     * not a timing claim).
     */
    static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not reached in " + TIMEOUT_SECONDS + " s");
            }
            Thread.sleep(5);
        }
    }
}
