package io.rocksmq.kafka;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MessageListener;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.api.internals.ListenerDispatcher;
import io.rocksmq.api.internals.ListenerErrors;
import io.rocksmq.api.internals.ReceiveBuffer;
import io.rocksmq.api.internals.Threads;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Kafka {@link Consumer}: the subscription is the consumer group named like it, its position is the
 * group's committed offset on each partition of the topic, and the consumer reads every partition itself
 * ({@code KafkaConsumer.assign}, no group membership or rebalancing), like the single consumer of an
 * embedded subscription.
 *
 * <h2>Threads</h2>
 * A poll-loop thread ({@link KafkaPollWorker}) owns the {@link KafkaConsumer} and fills a bounded buffer
 * in {@link ConsumerState}; {@code receive}/{@code poll} take from it. Seeks and synchronous
 * acknowledgements are carried out by the poll loop, and the calling thread waits for them. A consumer
 * with a {@link MessageListener} delivers through the toolkit's {@link ListenerDispatcher} on the
 * listener executor, or without one on a delivery thread of its own (a single-thread executor), so user
 * code never runs on the poll loop and may call {@link #ack}, {@link #seek} or {@link #close}.
 *
 * <h2>Opening</h2>
 * {@link #open} resolves the start before returning: an existing subscription (the group has committed
 * offsets on the topic) resumes there; a new one starts at the beginning or the end offsets
 * ({@link SubscriptionInitialPosition}) and commits them at once, so the position is fixed and the
 * subscription listed from then on.
 *
 * <p>Thread-safe.
 */
final class KafkaMqConsumer implements Consumer, io.rocksmq.api.internals.BufferedBytes, ListenerDispatcher.Target {
    /** Kafka's default {@code max.poll.records}: the most records one poll returns. */
    static final int MAX_POLL_RECORDS = 500;

    private final KafkaMqClient client;
    private final KafkaAdminOps admin;
    private final KafkaAdminOps.TopicInfo topicInfo;
    private final String topic;
    private final String subscription;
    private final boolean autoAck;
    private final boolean syncCommit;
    private final boolean hasListener;
    private final ConsumerState state;
    private final KafkaPollWorker worker;
    private final Thread pollThread;
    /** This consumer's Kafka consumer, as told to the client's {@link KafkaClientListener}s. */
    private final KafkaClientInfo kafkaClient;
    /**
     * With a listener, this consumer's own delivery thread (null without one): it runs the listener, or,
     * when the application gave an executor, hands the listener's work to it.
     */
    private final ExecutorService ownDeliveryExecutor;
    /** The thread of {@link #ownDeliveryExecutor}, once started. */
    private volatile Thread deliveryThread;

    private KafkaMqConsumer(KafkaMqClient client, KafkaAdminOps admin, KafkaOptions options, ConsumerOptions co,
                            KafkaAdminOps.TopicInfo topicInfo, KafkaConsumer<byte[], byte[]> consumer,
                            int batch, Map<TopicPartition, Long> start) {
        this.client = client;
        this.admin = admin;
        this.topicInfo = topicInfo;
        this.topic = co.topic();
        this.subscription = co.subscription();
        this.autoAck = co.autoAck();
        this.syncCommit = options.commitMode() == KafkaOptions.CommitMode.SYNC;
        Map<Integer, Long> positions = new HashMap<>();
        start.forEach((tp, offset) -> positions.put(tp.partition(), offset));
        this.state = new ConsumerState(topic, subscription, co.receiveBufferSize(), co.receiveBufferBytes(), batch, positions,
                consumer::wakeup);
        this.worker = new KafkaPollWorker(consumer, state, admin, topicInfo, subscription, options, start,
                client.expiredCounts().of(topic, subscription));
        this.pollThread = new Thread(worker, "rocksmq-kafka-poll-" + topic + "/" + subscription);
        this.pollThread.setDaemon(true);
        this.kafkaClient = new KafkaClientInfo(KafkaClientInfo.Role.CONSUMER, topic, subscription, consumer);
        MessageListener listener = co.messageListener().orElse(null);
        this.hasListener = listener != null;
        Executor applicationExecutor = co.listenerExecutor().orElse(null);
        if (listener != null) {
            // Our own thread runs the listener, or, with the application's executor, is the dispatcher's
            // hand-off thread: never the poll thread, which the listener's acknowledgements wait for.
            this.ownDeliveryExecutor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "rocksmq-kafka-consumer-" + topic + "/" + subscription);
                t.setDaemon(true);
                deliveryThread = t;
                return t;
            });
            state.listenWith(applicationExecutor == null
                    ? new ListenerDispatcher(this, listener, ownDeliveryExecutor, autoAck, ListenerErrors.LOGGING)
                    : new ListenerDispatcher(this, listener, applicationExecutor, ownDeliveryExecutor, autoAck,
                            ListenerErrors.LOGGING));
        } else {
            this.ownDeliveryExecutor = null;
        }
    }

    /**
     * Creates the topic if needed, resolves and commits the start position, and starts the threads.
     *
     * @throws io.rocksmq.api.StorageException if the cluster does not answer in time
     */
    static KafkaMqConsumer open(KafkaMqClient client, KafkaAdminOps admin, KafkaOptions options, ConsumerOptions co) {
        KafkaAdminOps.TopicInfo info = admin.ensureTopic(co.topic());
        int batch = Math.max(1, Math.min(MAX_POLL_RECORDS, co.receiveBufferSize() / 2));
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaConfigs.consumer(options, co.subscription(), batch));
        KafkaMqConsumer created;
        try {
            Map<TopicPartition, Long> start = start(consumer, info, co, options.requestTimeout());
            consumer.assign(info.topicPartitions());
            start.forEach(consumer::seek);
            created = new KafkaMqConsumer(client, admin, options, co, info, consumer, batch, start);
        } catch (RuntimeException e) {
            try {
                consumer.close(CloseOptions.timeout(Duration.ZERO));
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw KafkaErrors.map(e, "subscribe '" + co.subscription() + "' to topic '" + co.topic() + "'", co.topic());
        }
        client.kafkaClients().opened(created.kafkaClient);
        return created;
    }

    /** Starts the poll loop; called once the client registered the consumer (a listener may close it at once). */
    void start() {
        pollThread.start();
    }

    /** Where each partition starts; commits the start of partitions the group has no offset for. */
    private static Map<TopicPartition, Long> start(KafkaConsumer<byte[], byte[]> consumer, KafkaAdminOps.TopicInfo info,
                                                   ConsumerOptions co, Duration timeout) {
        List<TopicPartition> partitions = info.topicPartitions();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions), timeout);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, timeout);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        boolean existing = committed.values().stream().anyMatch(om -> om != null);
        Map<TopicPartition, Long> start = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata om = committed.get(tp);
            long first = begin.get(tp);
            long last = end.get(tp);
            if (om != null) {
                // Outside [first, last] Kafka would reset to the earliest retained offset: start there.
                start.put(tp, om.offset() < first || om.offset() > last ? first : om.offset());
                continue;
            }
            // A partition new to an existing subscription was added to the topic later: read all of it.
            long offset = existing || co.initialPosition() == SubscriptionInitialPosition.EARLIEST ? first : last;
            start.put(tp, offset);
            toCommit.put(tp, new OffsetAndMetadata(offset));
        }
        if (!toCommit.isEmpty()) {
            consumer.commitSync(toCommit, timeout);
        }
        return start;
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public String subscription() {
        return subscription;
    }

    @Override
    public List<Message> poll(int maxMessages, Duration timeout) {
        return state.take(maxMessages, ReceiveBuffer.checkPoll(maxMessages, timeout, hasListener), autoAck);
    }

    @Override
    public void ack(MessageId id) {
        await(state.ack(checkId(id), false, syncCommit));
    }

    @Override
    public void ackCumulative(MessageId id) {
        await(state.ack(checkId(id), true, syncCommit));
    }

    @Override
    public void seek(MessageId id, boolean inclusive) {
        checkId(id);
        CompletableFuture<Void> done = new CompletableFuture<>();
        state.submit(new ConsumerState.SeekToId(id.partition(), id.offset(), inclusive, done));
        await(done);
    }

    @Override
    public void seekToTimestamp(long epochMillis) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        state.submit(new ConsumerState.SeekToTime(epochMillis, done));
        await(done);
    }

    @Override
    public Optional<MessageId> latestMessageId() {
        if (state.isClosed()) {
            throw state.closedException();
        }
        return admin.latest(topicInfo);
    }

    @Override
    public void close() {
        state.close();
        Threads.joinUninterruptibly(pollThread);
        if (ownDeliveryExecutor != null) {
            ownDeliveryExecutor.shutdown();
            Thread t = deliveryThread;
            if (t != null) {
                Threads.joinUninterruptibly(t); // returns at once when the listener itself closes
            }
        }
        client.kafkaClients().closed(kafkaClient);
        client.consumerClosed(this);
    }

    /**
     * Stops the consumer with {@code e} (its topic or subscription was deleted) and waits until its poll
     * loop has ended, so that it commits nothing more. The consumer stays registered until closed.
     */
    void terminate(RuntimeException e) {
        state.fail(e);
        Threads.joinUninterruptibly(pollThread);
    }

    @Override
    public long bufferedBytes() {
        return state.bufferedBytes();
    }

    /** Messages read ahead and not yet taken (tests). */
    int buffered() {
        return state.buffered();
    }

    /** Read but unacknowledged messages, including buffered ones (tests). */
    int unacknowledged() {
        return state.unacknowledged();
    }

    /** Polls the loop made (tests). */
    long polls() {
        return worker.polls();
    }

    /** Whether the loop paused fetching for lack of room (tests). */
    boolean paused() {
        return worker.paused();
    }

    // ------------------------------------------------------------------ internals

    private static MessageId checkId(MessageId id) {
        if (id == null) {
            throw new InvalidArgumentException("message id must not be null");
        }
        return id;
    }

    private void await(CompletableFuture<Void> future) {
        if (future == null) {
            return;
        }
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RocksMqException("interrupted while waiting for Kafka; the operation may still take effect", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new RocksMqException("consumer operation failed", cause);
        }
    }

    // ------------------------------------------------------------------ for the listener dispatcher

    @Override
    public Consumer consumer() {
        return this;
    }

    @Override
    public Message nextForListener() {
        return state.nextForListener();
    }

    @Override
    public boolean hasNextForListener() {
        return state.hasNextForListener();
    }

    @Override
    public void autoAck(MessageId id) {
        state.autoAck(id);
    }

    @Override
    public boolean fail(RuntimeException e) {
        return state.fail(e);
    }
}
