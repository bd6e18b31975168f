package io.rocksmq.api;

/**
 * Push delivery: set on {@link ConsumerOptions.Builder#messageListener} and the consumer calls it for
 * every message, in order.
 *
 * <p>Called on the consumer's {@link ConsumerOptions#listenerExecutor() listener executor} (by default
 * the consumer's own delivery thread), one message at a time per consumer: calls for one consumer
 * never overlap, and each happens-after the previous one. No lock of the consumer is held during the
 * call, so the listener may call {@link Consumer#ack}, {@link Consumer#seek} or {@link Consumer#close}.
 * A listener that blocks holds back delivery (the receive buffer fills up, then the consumer stops
 * reading), which is the intended backpressure; {@link Consumer#close()} called from another thread
 * may wait for a call in progress to return.
 *
 * <p>If it throws, the exception is logged and delivery continues with the next message; the failed
 * message is not acknowledged (not even with auto-ack), so it is delivered again after the consumer
 * reconnects.
 *
 * <p>Implementations must be thread-safe if shared between consumers.
 */
@FunctionalInterface
public interface MessageListener {
    /** Handles one message of {@code consumer}. */
    void received(Consumer consumer, Message message);
}
