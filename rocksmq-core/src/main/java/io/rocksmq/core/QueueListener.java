package io.rocksmq.core;

import java.util.List;

/**
 * Hears every successful {@code produce} and {@code consume} of a {@link RocksMq}, for metrics, and each
 * batch of scheduled messages appearing on its topic (as a produce, told on the scheduler's thread
 * {@code rocksmq-scheduler} after the move's write; {@code nanos} is the scheduler's round). Install
 * one with {@link RocksMq#listener(QueueListener)}; the default is {@link #NO_OP}, never null, so the hot
 * path pays one interface call and nothing else.
 *
 * <p>Called on the thread that produced or consumed, after the operation took effect (for produce:
 * after the write and, for {@link Durability#FSYNC}, the fsync), with no lock of the queue held and
 * outside the call's lifecycle: a listener may call the queue, including {@link RocksMq#close()} (which
 * then closes synchronously; the produce or consume that called the listener has already finished).
 * Implementations must be thread-safe, fast and must not block: they run inside the caller's
 * {@code produce}/{@code consume}. An exception thrown by a listener is logged and swallowed; it never
 * undoes or fails the operation. The message lists are the caller's and the returned ones: read them,
 * do not keep or change them.
 */
public interface QueueListener {
    /** A listener that does nothing: the default. */
    QueueListener NO_OP = new QueueListener() {
    };

    /**
     * A batch was produced.
     *
     * @param topic    the topic
     * @param messages the messages of the batch, in id order
     * @param nanos    time spent inside {@code produce}, including the fsync wait when there was one
     */
    default void onProduce(String topic, List<ProducerMessage> messages, long nanos) {
    }

    /**
     * A consume call returned (possibly with no message: an empty poll).
     *
     * @param topic    the topic
     * @param group    the consumer group
     * @param messages what the call returned, possibly empty
     * @param nanos    time spent inside {@code consume}
     */
    default void onConsume(String topic, String group, List<ConsumerMessage> messages, long nanos) {
    }
}
