package io.rocksmq.api.internals;

/**
 * A consumer that tells how many payload bytes its read-ahead buffer holds ({@link ReceiveBuffer#bytes()}),
 * the bytes bounded by {@link io.rocksmq.api.ConsumerOptions#receiveBufferBytes()}: for tests and
 * diagnostics, not a heap measurement.
 *
 * <p>Thread-safe as the consumer is.
 */
public interface BufferedBytes {
    /** Payload bytes read ahead and not yet taken by the application (0 once the consumer stopped). */
    long bufferedBytes();
}
