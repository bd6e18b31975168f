package io.rocksmq.bench.peer;

/**
 * The produce side of the latency workload: a consumer is already blocked waiting (started by the
 * driver) and hands every message's stamp to a {@link LatencySink}. Closing stops the consumer.
 *
 * <p>Not thread-safe: {@link #send} is called from one producer thread.
 */
public interface LatencyChannel extends AutoCloseable {
    /** Produces one message (its first 8 bytes are the send stamp) with the peer's non-synced durability. */
    void send(byte[] payload) throws Exception;

    @Override
    void close() throws Exception;
}
