package io.rocksmq.kafka;

import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SharedSubscription;
import io.rocksmq.api.StaleDeliveryException;
import io.rocksmq.api.StorageException;
import io.rocksmq.api.internals.AbstractSharedConsumer;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.InvalidRecordStateException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A consumer of a SHARED subscription on Kafka: a member of the subscription's share group
 * ({@link KafkaShareGroups#groupId}; {@link KafkaShareConsumer}, explicit acknowledgement). The toolkit's {@link AbstractSharedConsumer} keeps
 * what it holds and runs the listener; this class acquires with {@code poll} and answers with
 * {@code acknowledge} (ACCEPT, RELEASE, REJECT, RENEW) followed by {@code commitSync}, so every answer
 * returns Kafka's verdict. {@link Message#deliveryCount()} is the record's delivery count. Each held
 * message's receipt is its {@link ConsumerRecord}: Kafka acknowledges the record itself (its acknowledgement
 * by topic, partition and offset is only for records that failed to deserialize).
 *
 * <h2>What Kafka makes different</h2>
 * <ul>
 *   <li>Kafka requires every record of one {@code poll} to be answered before the next: a consumer holds at
 *       most one poll's records ({@code max.poll.records} = {@link ConsumerOptions#receiveBufferSize()},
 *       {@code share.acquire.mode=record_limit}) and acquires more once it answered them. Records of that
 *       poll not yet taken by the application wait, locked to this consumer.</li>
 *   <li>An answer after the lock expired is refused by Kafka even if nobody took the record since
 *       ({@link StaleDeliveryException}; the current delivery is unknown, reported as -1).</li>
 *   <li>Dead letters: the consumer produces the record to the dead-letter topic (with
 *       {@code rmq.dead-letter.*} properties), waits for Kafka's acknowledgement, then rejects the record.
 *       The pair is <b>not atomic</b>: a crash between them delivers the record again and a later dead
 *       letter doubles it. A record whose last allowed delivery's lock expires is archived by Kafka, not
 *       dead-lettered. A release with a delay is refused: Kafka redelivers at once.</li>
 * </ul>
 *
 * <h2>Locks</h2>
 * {@link #kafkaLock} guards the Kafka consumer (Kafka's consumers are single-threaded), {@link #ready}
 * and {@link #unanswered}; {@link #answered} is its condition (a waiting acquire wakes when the last
 * unanswered record is answered). It is not held while waiting, so answers from other threads get through.
 * The toolkit hands each held delivery to {@link #settle} at most once, so {@link #unanswered} counts down
 * once per record handed out.
 *
 * <p>Thread-safe.
 */
final class KafkaShareMqConsumer extends AbstractSharedConsumer<ConsumerRecord<byte[], byte[]>> {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaShareMqConsumer.class);
    static final String DEAD_LETTER_TOPIC_PROPERTY = "rmq.dead-letter.topic";
    static final String DEAD_LETTER_ID_PROPERTY = "rmq.dead-letter.id";
    static final String DEAD_LETTER_DELIVERIES_PROPERTY = "rmq.dead-letter.deliveries";
    /** Longest single Kafka poll, so that a waiting acquire notices a close. */
    private static final long POLL_SLICE_MS = 500;

    private final KafkaMqClient client;
    private final KafkaOptions options;
    private final KafkaAdminOps admin;
    private final KafkaShareConsumer<byte[], byte[]> kafka;
    private final KafkaClientInfo kafkaClient;
    private final String deadLetterTopic;
    private final int maxDeliveries;
    private final long lockMillis;
    private final long timeoutMs;
    /** The client's count of expired records this subscription finished undelivered ({@link KafkaMqClient#expiredMessages}). */
    private final LongAdder expired;

    private final ReentrantLock kafkaLock = new ReentrantLock();
    private final Condition answered = kafkaLock.newCondition();
    /** Records of the last poll the application has not taken yet. */
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> ready = new ArrayDeque<>();
    /** How many records of the last poll were handed out and not answered yet (RENEW does not answer). */
    private int unanswered;
    /** Opened at the first dead letter; guarded by {@link #kafkaLock}. */
    private KafkaProducer<byte[], byte[]> deadLetters;
    private volatile boolean stopping;

    private KafkaShareMqConsumer(KafkaMqClient client, KafkaAdminOps admin, KafkaOptions options,
                                 ConsumerOptions consumerOptions, int maxDeliveries) {
        super(consumerOptions, "rocksmq-kafka-shared-consumer");
        SharedSubscription s = consumerOptions.shared().orElse(SharedSubscription.DEFAULTS);
        this.client = client;
        this.options = options;
        this.admin = admin;
        this.deadLetterTopic = s.deadLetterTopic();
        this.maxDeliveries = maxDeliveries;
        this.lockMillis = s.lockDuration().toMillis();
        this.timeoutMs = options.requestTimeout().toMillis();
        this.expired = client.expiredCounts().of(consumerOptions.topic(), consumerOptions.subscription());
        this.kafka = new KafkaShareConsumer<>(KafkaConfigs.shareConsumer(options,
                KafkaShareGroups.groupId(consumerOptions.topic(), consumerOptions.subscription()),
                consumerOptions.receiveBufferSize()));
        this.kafkaClient = new KafkaClientInfo(KafkaClientInfo.Role.CONSUMER, consumerOptions.topic(),
                consumerOptions.subscription(), kafka);
        client.kafkaClients().opened(kafkaClient);
        kafka.subscribe(List.of(consumerOptions.topic()));
    }

    /**
     * Creates the topic and the share group's settings if needed, then joins the group.
     *
     * @throws io.rocksmq.api.WrongGroupTypeException if the subscription is an EXCLUSIVE one (a consumer group)
     * @throws InvalidArgumentException               if Kafka cannot hold the settings
     */
    static KafkaShareMqConsumer open(KafkaMqClient client, KafkaAdminOps admin, KafkaOptions options,
                                     ConsumerOptions consumerOptions) {
        SharedSubscription s = consumerOptions.shared().orElse(SharedSubscription.DEFAULTS);
        KafkaShareGroups.validate(s);
        if (s.deadLetterTopic() != null) {
            KafkaNames.topic(s.deadLetterTopic());
        }
        admin.ensureTopic(consumerOptions.topic());
        int limit = new KafkaShareGroups(admin, options).ensure(consumerOptions.topic(),
                consumerOptions.subscription(), s);
        return new KafkaShareMqConsumer(client, admin, options, consumerOptions, limit);
    }

    @Override
    public Optional<MessageId> latestMessageId() {
        checkUsable();
        return admin.latest(admin.require(topic()));
    }

    // ------------------------------------------------------------------ hooks

    @Override
    protected List<Held<ConsumerRecord<byte[], byte[]>>> acquire(int max, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        kafkaLock.lock();
        try {
            while (true) {
                if (stopping) {
                    throw closedException();
                }
                if (!ready.isEmpty()) {
                    return handOut(max);
                }
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (unanswered > 0) { // Kafka: answer the last poll first
                    if (leftMs <= 0) {
                        return List.of();
                    }
                    answered.await(Math.min(leftMs, POLL_SLICE_MS), TimeUnit.MILLISECONDS);
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : kafkaPoll(Math.max(0, Math.min(leftMs, POLL_SLICE_MS)))) {
                    if (RecordCodec.expired(r, System.currentTimeMillis())) {
                        kafka.acknowledge(r, AcknowledgeType.ACCEPT); // finished without delivery, sent with the next call
                        expired.increment();
                    } else {
                        ready.add(r);
                    }
                }
                if (ready.isEmpty() && System.nanoTime() - deadline >= 0) {
                    return List.of();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } finally {
            kafkaLock.unlock();
        }
    }

    @Override
    protected void settle(Held<ConsumerRecord<byte[], byte[]>> held, Outcome outcome, Duration delay) {
        Message delivery = held.message();
        if (outcome == Outcome.RELEASE && delay != null && !delay.isZero()) {
            // Taken out of the held deliveries already: give it back at once rather than keep it locked.
            answer(held, AcknowledgeType.RELEASE);
            throw new InvalidArgumentException("Kafka share groups redeliver at once: the delay " + delay
                    + " cannot be kept; the message was released without it");
        }
        boolean deadLetter = outcome == Outcome.REJECT
                || (outcome == Outcome.RELEASE && delivery.deliveryCount() >= maxDeliveries);
        if (deadLetter && deadLetterTopic != null) {
            produceDeadLetter(delivery);
        }
        answer(held, switch (outcome) {
            case ACK -> AcknowledgeType.ACCEPT;
            case RELEASE -> deadLetter ? AcknowledgeType.REJECT : AcknowledgeType.RELEASE;
            case REJECT -> AcknowledgeType.REJECT;
        });
    }

    @Override
    protected long renewLock(Held<ConsumerRecord<byte[], byte[]>> held) {
        kafkaLock.lock();
        try {
            acknowledge(held, AcknowledgeType.RENEW);
            commit(held.message());
            return System.currentTimeMillis() + kafka.acquisitionLockTimeoutMs().map(Integer::longValue).orElse(lockMillis);
        } finally {
            kafkaLock.unlock();
        }
    }

    @Override
    protected void wakeUp() {
        stopping = true;
        kafka.wakeup();
        kafkaLock.lock();
        try {
            answered.signalAll();
        } finally {
            kafkaLock.unlock();
        }
    }

    @Override
    protected void closeBackend() {
        kafkaLock.lock();
        try {
            try {
                for (ConsumerRecord<byte[], byte[]> r : ready) { // acquired, never handed out
                    kafka.acknowledge(r, AcknowledgeType.RELEASE);
                }
                ready.clear();
                kafka.commitSync(Duration.ofMillis(timeoutMs));
            } catch (KafkaException | IllegalStateException e) {
                LOG.debug("releasing the untaken records of '{}/{}' at close failed (their locks expire): {}",
                        topic(), subscription(), e.toString());
            }
            try {
                kafka.close(Duration.ofMillis(timeoutMs));
            } catch (KafkaException e) {
                LOG.warn("closing the Kafka share consumer of '{}/{}' failed", topic(), subscription(), e);
            }
            if (deadLetters != null) {
                deadLetters.close(Duration.ofMillis(timeoutMs));
            }
        } finally {
            kafkaLock.unlock();
        }
        client.kafkaClients().closed(kafkaClient);
        client.consumerClosed(this);
    }

    // ------------------------------------------------------------------ internals

    /** Kafka's poll; a wake-up (close) reads as nothing. Caller holds {@link #kafkaLock}. */
    private List<ConsumerRecord<byte[], byte[]>> kafkaPoll(long ms) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try {
            kafka.poll(Duration.ofMillis(ms)).forEach(out::add);
        } catch (WakeupException e) {
            // close(): the caller sees stopping
        } catch (KafkaException | IllegalStateException e) {
            throw KafkaErrors.map(e, "acquire from shared subscription '" + subscription() + "'", topic());
        }
        return out;
    }

    private List<Held<ConsumerRecord<byte[], byte[]>>> handOut(int max) {
        List<Held<ConsumerRecord<byte[], byte[]>>> out = new ArrayList<>(Math.min(max, ready.size()));
        while (out.size() < max && !ready.isEmpty()) {
            ConsumerRecord<byte[], byte[]> r = ready.poll();
            Message m = RecordCodec.decode(r);
            int count = r.deliveryCount().map(Short::intValue).orElse(1);
            Message delivery = new Message(m.topic(), m.id(), m.payload(), m.properties(), m.key().orElse(null),
                    m.publishTime(), Math.max(1, count));
            unanswered++;
            out.add(new Held<>(delivery, r));
        }
        return out;
    }

    private void answer(Held<ConsumerRecord<byte[], byte[]>> held, AcknowledgeType type) {
        kafkaLock.lock();
        try {
            try {
                acknowledge(held, type);
            } finally {
                unanswered--; // answer() is never a RENEW: the record is answered, or Kafka refused it
                if (unanswered == 0) {
                    answered.signalAll();
                }
            }
            commit(held.message());
        } finally {
            kafkaLock.unlock();
        }
    }

    private void acknowledge(Held<ConsumerRecord<byte[], byte[]>> held, AcknowledgeType type) {
        try {
            kafka.acknowledge(held.receipt(), type);
        } catch (IllegalStateException e) {
            throw stale(held.message(), "Kafka no longer lets this consumer answer it (" + e.getMessage() + ")");
        }
    }

    /** Sends the answers and throws Kafka's verdict on {@code delivery}'s partition. */
    private void commit(Message delivery) {
        Map<TopicIdPartition, Optional<KafkaException>> result;
        try {
            result = kafka.commitSync(Duration.ofMillis(timeoutMs));
        } catch (WakeupException e) {
            throw closedException();
        } catch (KafkaException e) {
            throw KafkaErrors.map(e, "answer a delivery of shared subscription '" + subscription() + "'", topic());
        }
        for (Map.Entry<TopicIdPartition, Optional<KafkaException>> e : result.entrySet()) {
            if (e.getKey().partition() != delivery.id().partition() || e.getValue().isEmpty()) {
                continue;
            }
            KafkaException failure = e.getValue().get();
            if (failure instanceof InvalidRecordStateException) {
                throw stale(delivery, "its acquisition lock expired (" + failure.getMessage() + ")");
            }
            throw KafkaErrors.map(failure, "answer a delivery of shared subscription '" + subscription() + "'", topic());
        }
    }

    private RocksMqException stale(Message delivery, String why) {
        return new StaleDeliveryException(subscription(), delivery.id().offset(), delivery.deliveryCount(), -1, why);
    }

    /** Produces the dead letter and waits for Kafka's acknowledgement (then the caller rejects the record). */
    private void produceDeadLetter(Message delivery) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(deadLetterTopic, null, null,
                delivery.key().map(k -> k.getBytes(StandardCharsets.UTF_8)).orElse(null), delivery.payload());
        delivery.properties().forEach((k, v) -> letter.headers().add(new RecordHeader(k, utf8(v))));
        letter.headers().add(new RecordHeader(DEAD_LETTER_TOPIC_PROPERTY, utf8(topic())));
        letter.headers().add(new RecordHeader(DEAD_LETTER_ID_PROPERTY, utf8(delivery.id().toString())));
        letter.headers().add(new RecordHeader(DEAD_LETTER_DELIVERIES_PROPERTY, utf8(Integer.toString(delivery.deliveryCount()))));
        KafkaProducer<byte[], byte[]> producer;
        kafkaLock.lock();
        try {
            if (deadLetters == null) {
                deadLetters = new KafkaProducer<>(KafkaConfigs.producer(options,
                        ProducerOptions.builder(deadLetterTopic).build()));
            }
            producer = deadLetters;
        } finally {
            kafkaLock.unlock();
        }
        try {
            producer.send(letter).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RocksMqException("interrupted while dead-lettering to '" + deadLetterTopic + "'", e);
        } catch (ExecutionException e) {
            throw KafkaErrors.map(e.getCause(), "dead-letter to '" + deadLetterTopic + "'", deadLetterTopic);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new StorageException("Kafka did not acknowledge the dead letter to '" + deadLetterTopic
                    + "' within " + timeoutMs + " ms", "TimeoutException", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
