package io.rocksmq.kafka;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.StorageException;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.api.internals.Threads;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Kafka {@link Producer}: one {@link KafkaProducer} per producer (its own batching settings), with
 * {@code acks=all} and idempotence, so a send that completed is stored on every in-sync replica and
 * Kafka's retries neither duplicate nor reorder. Kafka's I/O thread gathers concurrent sends into
 * batches: {@link ProducerOptions#batchingMaxDelay()} is {@code linger.ms},
 * {@link ProducerOptions#batchingMaxBytes()} is {@code batch.size} (at most 1 MiB, Kafka's request
 * limit); {@link ProducerOptions#batchingMaxMessages()} has no Kafka counterpart and is not used.
 * {@link ProducerOptions#maxPendingMessages()} is enforced here: {@link #sendAsync} blocks while that
 * many sends are incomplete.
 *
 * <p>Two sends from one thread go to the broker in call order; on a one-partition topic (the default)
 * they therefore get increasing offsets. With several partitions, order holds per partition (Kafka
 * routes by key hash; messages without a key are spread).
 *
 * <p>A send that fails because Kafka does not know the topic (or timed out waiting for its metadata)
 * is reported as {@link TopicNotFoundException} if the topic is indeed gone, else as
 * {@link StorageException}; that check runs on the admin client's thread, never on Kafka's I/O thread.
 *
 * <h2>Locks</h2>
 * {@link #lock} guards {@link #pending} and {@link #closing}; it is never held while calling Kafka.
 *
 * <p>Thread-safe.
 */
final class KafkaMqProducer implements Producer {
    private final KafkaMqClient client;
    private final KafkaAdminOps admin;
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final int maxPending;
    /** {@link #producer}, as told to the client's {@link KafkaClientListener}s. */
    private final KafkaClientInfo kafkaClient;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a send completes (room for blocked senders) or the producer closes. */
    private final Condition room = lock.newCondition();
    /** Sends accepted and not yet completed. */
    private int pending;
    private boolean closing;
    /** Futures not yet completed, for {@link #flush()} and {@link #close()}. */
    private final Set<CompletableFuture<MessageId>> incomplete = ConcurrentHashMap.newKeySet();

    KafkaMqProducer(KafkaMqClient client, KafkaAdminOps admin, KafkaOptions options, ProducerOptions producerOptions) {
        this.client = client;
        this.admin = admin;
        this.topic = producerOptions.topic();
        this.maxPending = producerOptions.maxPendingMessages();
        this.producer = new KafkaProducer<>(KafkaConfigs.producer(options, producerOptions));
        this.kafkaClient = new KafkaClientInfo(KafkaClientInfo.Role.PRODUCER, topic, null, producer);
        client.kafkaClients().opened(kafkaClient);
    }

    @Override
    public String topic() {
        return topic;
    }

    /**
     * {@inheritDoc}
     *
     * @throws RocksMqException if interrupted while waiting for room (the interrupt status is kept)
     */
    @Override
    public CompletableFuture<MessageId> sendAsync(OutgoingMessage message) {
        if (message == null) {
            throw new InvalidArgumentException("message must not be null");
        }
        if (message.scheduled()) {
            throw new InvalidArgumentException("message has a delivery time: use schedule()");
        }
        ProducerRecord<byte[], byte[]> record = RecordCodec.encode(topic, message);
        lock.lock();
        try {
            while (!closing && pending >= maxPending) {
                Threads.await(room, "waiting for room to send");
            }
            if (closing) {
                throw closedException();
            }
            pending++;
        } finally {
            lock.unlock();
        }
        CompletableFuture<MessageId> future = new CompletableFuture<>();
        incomplete.add(future);
        try {
            // Failures Kafka reports as API errors (timeouts, too large) come through the callback, on this
            // thread or the I/O thread; only client-side failures are thrown.
            producer.send(record, (metadata, error) -> completed(future, metadata, error));
        } catch (RuntimeException e) {
            incomplete.remove(future);
            released();
            if (e instanceof IllegalStateException) {
                throw closedException(); // closed concurrently
            }
            throw KafkaErrors.map(e, "send to topic '" + topic + "'", topic);
        }
        return future;
    }

    @Override
    public void flush() {
        lock.lock();
        try {
            if (closing) {
                throw closedException();
            }
        } finally {
            lock.unlock();
        }
        try {
            producer.flush();
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            throw new RocksMqException("interrupted while flushing", e);
        }
        awaitIncomplete();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            room.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            producer.close(); // sends what is pending and waits for it (bounded by delivery.timeout.ms)
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
        } finally {
            awaitIncomplete();
            client.kafkaClients().closed(kafkaClient);
            client.producerClosed(this);
        }
    }

    private void completed(CompletableFuture<MessageId> future, RecordMetadata metadata, Exception error) {
        if (error == null) {
            finish(future, MessageId.of(metadata.partition(), metadata.offset()), null);
        } else if (KafkaErrors.maybeMissingTopic(error)) {
            // Ask whether the topic is gone, without blocking Kafka's I/O thread.
            admin.admin().describeTopics(List.of(topic)).allTopicNames().whenComplete((found, lookupError) -> {
                boolean gone = lookupError != null && unwrap(lookupError) instanceof UnknownTopicOrPartitionException;
                RuntimeException mapped = gone ? topicGone(error) : KafkaErrors.map(error, "send to topic '" + topic + "'", null);
                finish(future, null, mapped);
            });
        } else {
            finish(future, null, KafkaErrors.map(error, "send to topic '" + topic + "'", topic));
        }
    }

    private void finish(CompletableFuture<MessageId> future, MessageId id, RuntimeException error) {
        if (error == null) {
            future.complete(id);
        } else {
            future.completeExceptionally(error);
        }
        incomplete.remove(future);
        released();
    }

    private void released() {
        lock.lock();
        try {
            pending--;
            room.signal();
        } finally {
            lock.unlock();
        }
    }

    private TopicNotFoundException topicGone(Exception cause) {
        TopicNotFoundException e = new TopicNotFoundException(topic);
        e.initCause(cause);
        return e;
    }

    private void awaitIncomplete() {
        boolean interrupted = false;
        for (CompletableFuture<MessageId> f : List.copyOf(incomplete)) {
            while (true) {
                try {
                    f.get(1, TimeUnit.DAYS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    break; // its sender gets the failure; flush and close only wait
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private QueueClosedException closedException() {
        return new QueueClosedException("producer of topic '" + topic + "' is closed");
    }
}
