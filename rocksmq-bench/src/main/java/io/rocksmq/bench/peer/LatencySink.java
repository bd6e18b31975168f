package io.rocksmq.bench.peer;

/**
 * Receives, on a driver's consumer thread, the send time stamped into each message of the latency
 * workload. Called by one thread at a time.
 */
@FunctionalInterface
public interface LatencySink {
    /** A message arrived; {@code sentNanos} is the {@link System#nanoTime()} taken just before it was produced. */
    void received(long sentNanos);
}
