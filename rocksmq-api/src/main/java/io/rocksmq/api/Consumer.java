package io.rocksmq.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Receives the messages of one subscription of a topic, from {@link MqClient#subscribe}.
 *
 * <h2>Delivery</h2>
 * Messages are delivered in the order they were stored, pushed to the consumer as soon as they are
 * stored (no polling interval), and read ahead into a buffer of
 * {@link ConsumerOptions#receiveBufferSize()} messages. Take them with {@link #receive} / {@link #poll},
 * or let a {@link MessageListener} be called.
 *
 * <h2>Acknowledgement and redelivery (at-least-once)</h2>
 * The subscription has a persisted position: the first message not yet acknowledged. A consumer that
 * reconnects (subscribes again to the same subscription, after a close or a restart) resumes there, so
 * every message delivered but not acknowledged is delivered again. Acknowledge with {@link #ack} (one
 * message; the position moves over the contiguous acknowledged prefix) or {@link #ackCumulative}
 * (every message up to one), or let the consumer acknowledge on delivery with
 * {@link ConsumerOptions#autoAck()}. Without a seek or a reconnect, a consumer delivers each message once.
 *
 * <p>Acknowledgements only concern messages this consumer has <em>delivered</em> (returned from
 * {@link #receive}/{@link #poll}, or passed to the listener) since it subscribed or last sought, and they
 * never move the position past the last message delivered — not over messages read ahead into the buffer.
 * Acknowledging a message that was read ahead but not delivered yet is refused with
 * {@link InvalidArgumentException} (nothing is acknowledged); acknowledging any other id (acknowledged
 * already, delivered before a seek, or not read at all) has no effect.
 *
 * <p>An {@link SubscriptionType#EXCLUSIVE} subscription (the default) has one consumer at a time: a second
 * {@link MqClient#subscribe} to it while this one is open fails with {@link SubscriptionInUseException}.
 *
 * <h2>SHARED subscriptions (work queues)</h2>
 * A {@link SubscriptionType#SHARED} subscription ({@link ConsumerOptions.Builder#shared}) has any number
 * of consumers; each message is delivered to one of them and locked to it, with
 * {@link Message#deliveryCount()}. {@link #ack} finishes the delivery this consumer holds for the id;
 * {@link #release} gives it back (redelivered, perhaps after a delay), {@link #reject} dead-letters it,
 * {@link #renew} extends its lock; an unanswered delivery goes to another consumer when its lock expires,
 * and one past the subscription's maximum deliveries is dead-lettered. There is no position:
 * {@link #ackCumulative} and the seeks throw {@link WrongGroupTypeException}, and no read-ahead (what a
 * consumer holds is locked to it). A listener that throws releases its message. Closing a consumer releases
 * the deliveries it still holds. A backend that cannot do this refuses SHARED at subscribe (the remote
 * backend, for now).
 *
 * <p>Thread-safe: every method may be called from any thread, including from a listener.
 */
public interface Consumer extends AutoCloseable {
    /** The topic. */
    String topic();

    /** The subscription name. */
    String subscription();

    /**
     * The next message, waiting up to {@code timeout} for one. If the calling thread is interrupted
     * while waiting, returns empty with the thread's interrupt status set.
     *
     * @param timeout how long to wait at most; zero does not wait
     * @return the message, or empty if none arrived in time
     * @throws InvalidArgumentException       if the timeout is null or negative
     * @throws IllegalStateException          if the consumer has a {@link MessageListener}
     * @throws QueueClosedException           if the consumer or its client is closed
     * @throws TopicNotFoundException         if the topic was deleted
     * @throws ConsumerGroupNotFoundException if the subscription was deleted
     * @throws StorageException               if reading from the backend failed (the consumer stops)
     */
    default Optional<Message> receive(Duration timeout) {
        List<Message> got = poll(1, timeout);
        return got.isEmpty() ? Optional.empty() : Optional.of(got.get(0));
    }

    /**
     * Up to {@code maxMessages} messages: waits up to {@code timeout} for the first one, then takes
     * whatever else is already available without waiting. Exceptions and interruption as {@link #receive}.
     *
     * @return the messages in order; empty if none arrived in time
     * @throws InvalidArgumentException if {@code maxMessages <= 0} or the timeout is null or negative
     */
    List<Message> poll(int maxMessages, Duration timeout);

    /**
     * Acknowledges one message. The persisted position moves past every message of the contiguous
     * acknowledged prefix; a message acknowledged after an unacknowledged one is still redelivered
     * after a reconnect (at-least-once).
     *
     * @throws InvalidArgumentException       if the id is null or of another partition than this consumer reads,
     *                                        or names a message read ahead but not delivered yet
     * @throws QueueClosedException           if the consumer or its client is closed
     * @throws ConsumerGroupNotFoundException if the subscription was deleted
     * @throws TopicNotFoundException         if the topic was deleted
     */
    void ack(MessageId id);

    /**
     * Acknowledges every message this consumer delivered with an id up to and including {@code id}; never
     * one that was not delivered. Exceptions as {@link #ack}.
     */
    void ackCumulative(MessageId id);

    /**
     * Moves the subscription: the next message delivered is {@code id} itself ({@code inclusive}) or the
     * first message after {@code id} (exclusive; exactly {@code id} is skipped). Backwards and forwards
     * both work. The new position is persisted, buffered messages are dropped, and acknowledgements of
     * earlier deliveries no longer apply.
     *
     * @throws InvalidArgumentException       if the id is null or of another partition than this consumer reads
     * @throws QueueClosedException           if the consumer or its client is closed
     * @throws ConsumerGroupNotFoundException if the subscription was deleted
     * @throws TopicNotFoundException         if the topic was deleted
     */
    void seek(MessageId id, boolean inclusive);

    /**
     * Moves the subscription to the first message stored at or after {@code epochMillis}, or after the
     * newest message if there is none; otherwise as {@link #seek}. Exceptions as {@link #seek}.
     */
    void seekToTimestamp(long epochMillis);

    /** Moves the subscription to the earliest retained message; otherwise as {@link #seek}. */
    default void seekToEarliest() {
        seekToTimestamp(0);
    }

    /**
     * Moves the subscription past the newest message: only messages sent later are delivered; otherwise
     * as {@link #seek}.
     */
    default void seekToLatest() {
        seekToTimestamp(Long.MAX_VALUE);
    }

    /**
     * The id of the newest message of the topic, whether or not this consumer has read it.
     *
     * @return empty if the topic holds no message
     * @throws QueueClosedException   if the consumer or its client is closed
     * @throws TopicNotFoundException if the topic was deleted
     */
    Optional<MessageId> latestMessageId();

    /** The subscription's type; see {@link SubscriptionType}. */
    default SubscriptionType subscriptionType() {
        return SubscriptionType.EXCLUSIVE;
    }

    /**
     * SHARED subscriptions: gives a message back (a negative acknowledgement); it is delivered again, to
     * any consumer, after {@code delay} (null: the subscription's redelivery delay), or dead-lettered at
     * once if this was its last allowed delivery.
     *
     * @throws WrongGroupTypeException   on an EXCLUSIVE subscription
     * @throws LockExpiredException      if its lock expired
     * @throws StaleDeliveryException    if it was delivered again since (to this or another consumer)
     * @throws DeliveryNotFoundException if this consumer does not hold it
     */
    default void release(Message message, Duration delay) {
        throw new WrongGroupTypeException(topic(), subscription(), false);
    }

    /** SHARED subscriptions: dead-letters the message now. Exceptions as {@link #release}. */
    default void reject(Message message) {
        throw new WrongGroupTypeException(topic(), subscription(), false);
    }

    /**
     * SHARED subscriptions: extends the message's lock by the lock duration from now.
     *
     * @return the new lock deadline (epoch milliseconds)
     */
    default long renew(Message message) {
        throw new WrongGroupTypeException(topic(), subscription(), false);
    }

    /**
     * Stops delivery and releases the consumer. The subscription and its persisted position stay;
     * messages delivered but not acknowledged will be delivered again to the next consumer of the
     * subscription. Later calls (except {@code close}, {@link #topic()}, {@link #subscription()}) throw
     * {@link QueueClosedException}. Idempotent; may be called from the listener.
     */
    @Override
    void close();
}
