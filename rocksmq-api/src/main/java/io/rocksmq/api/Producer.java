package io.rocksmq.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Sends messages to one topic, from {@link MqClient#createProducer}.
 *
 * <p>Sends are stored in the order they were accepted: two sends from one thread get increasing ids.
 * Concurrent sends are batched into one write to the backend (see {@link ProducerOptions}).
 *
 * <p>Closing a producer, or the client that made it, never deletes the topic or its messages.
 *
 * <p>Thread-safe: any number of threads may send concurrently. Futures from {@link #sendAsync} may be
 * completed on the producer's I/O thread: do not block in callbacks attached with the non-async
 * {@code CompletableFuture} methods.
 */
public interface Producer extends AutoCloseable {
    /** The topic this producer sends to. */
    String topic();

    /**
     * Sends a message and waits until the backend stored it.
     *
     * @return its id
     * @throws InvalidArgumentException if the message is null, the backend cannot encode it, or it is larger
     *                                  than the backend's maximum message size (then nothing is sent)
     * @throws QueueClosedException     if the producer or its client is closed
     * @throws TopicNotFoundException   if the topic was deleted after the producer was created
     * @throws StorageException         if the backend failed to store it
     * @throws RocksMqException         if interrupted while waiting (the interrupt status is kept; the
     *                                  message may still be stored)
     */
    default MessageId send(OutgoingMessage message) {
        CompletableFuture<MessageId> future = sendAsync(message);
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RocksMqException("interrupted while waiting for a send; the message may still be stored");
        } catch (ExecutionException e) {
            // Rethrow the backend's own typed exception, not a wrapper.
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new RocksMqException("send failed", cause);
        }
    }

    /**
     * Sends a message with just a payload; see {@link #send(OutgoingMessage)}.
     *
     * @throws InvalidArgumentException if the payload is null
     */
    default MessageId send(byte[] payload) {
        return send(OutgoingMessage.of(payload));
    }

    /**
     * Sends a text message (UTF-8); see {@link #send(OutgoingMessage)}.
     *
     * @throws InvalidArgumentException if the text is null or has an unpaired surrogate
     */
    default MessageId send(String text) {
        return send(OutgoingMessage.text(text));
    }

    /**
     * Schedules a message that has a delivery time ({@link OutgoingMessage.Builder#deliverAt},
     * {@link OutgoingMessage.Builder#deliverAfter}): stored durably before this returns, it appears on the
     * topic at its time and gets its id then (after a restart, at once if its time passed meanwhile).
     *
     * @return a handle naming the scheduled message, for {@link #cancelScheduled}
     * @throws InvalidArgumentException     if the message is null, has no delivery time, or cannot be stored
     * @throws FeatureNotSupportedException if the backend has no scheduled delivery (Kafka): nothing is sent
     * @throws QueueClosedException         if the producer or its client is closed
     * @throws TopicNotFoundException       if the topic was deleted
     */
    default String schedule(OutgoingMessage message) {
        throw new FeatureNotSupportedException("scheduled delivery");
    }

    /**
     * Cancels a scheduled message that has not appeared yet: afterwards it never appears. Against the
     * message falling due, exactly one wins.
     *
     * @throws ScheduleNotFoundException    if it is no longer waiting (it appeared, or was cancelled)
     * @throws InvalidArgumentException     if the handle is not one {@link #schedule} returns
     * @throws FeatureNotSupportedException if the backend has no scheduled delivery
     */
    default void cancelScheduled(String handle) {
        throw new FeatureNotSupportedException("scheduled delivery");
    }

    /**
     * Queues a message for sending and returns at once, unless {@link ProducerOptions#maxPendingMessages()}
     * sends are already pending, in which case it blocks until there is room.
     *
     * @return completed with the id once stored, or exceptionally with the {@link RocksMqException}
     *         ({@link TopicNotFoundException}, {@link StorageException}, {@link QueueClosedException})
     *         that made the write fail; a failed write fails every message of its batch
     * @throws InvalidArgumentException if the message is null, the backend cannot encode it, or it is larger
     *                                  than the backend's maximum message size (then nothing is sent)
     * @throws QueueClosedException     if the producer or its client is closed (also if it is closed
     *                                  while this call waits for room)
     * @throws RocksMqException         if interrupted while waiting for room (the interrupt status is
     *                                  kept; nothing was queued)
     */
    CompletableFuture<MessageId> sendAsync(OutgoingMessage message);

    /**
     * Sends everything accepted so far without lingering and waits until each of those sends has
     * completed, successfully or not.
     *
     * @throws QueueClosedException if the producer is closed
     */
    void flush();

    /**
     * Sends what is pending, waits for it, then releases the producer. Later calls to send or flush
     * throw {@link QueueClosedException}. Idempotent. Never deletes the topic.
     */
    @Override
    void close();
}
