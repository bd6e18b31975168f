package io.rocksmq.kafka;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.StorageException;
import io.rocksmq.api.SubscriptionInUseException;
import io.rocksmq.api.SubscriptionInfo;
import io.rocksmq.api.SubscriptionType;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.api.WrongGroupTypeException;
import io.rocksmq.api.internals.AbstractMqClient;
import io.rocksmq.api.internals.Closer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;

/**
 * The client API on Apache Kafka: the same code that runs on the embedded backend runs on a Kafka
 * cluster by changing the URI given to {@link MqClient#open(String)}.
 *
 * <pre>{@code
 * try (MqClient client = MqClient.open("kafka://kafka1:9092,kafka2:9092?replicationFactor=3")) { ... }
 * // or, with every setting typed:
 * try (MqClient client = KafkaMqClient.open(KafkaOptions.builder("kafka1:9092").partitions(6).build())) { ... }
 * }</pre>
 *
 * <h2>Mapping</h2>
 * <table>
 * <caption>How the client API maps to Kafka</caption>
 * <tr><th>client API</th><th>Kafka</th></tr>
 * <tr><td>topic</td><td>topic; created on first use with {@link KafkaOptions#partitions()} (1 by default, so a
 *     topic is totally ordered as on the embedded backend), {@link KafkaOptions#replicationFactor()}, and
 *     retention as the topic configs {@code retention.ms} / {@code retention.bytes}</td></tr>
 * <tr><td>subscription</td><td>consumer group of the same name, holding committed offsets; the consumer
 *     assigns itself every partition (no group membership, no rebalancing)</td></tr>
 * <tr><td>{@link io.rocksmq.api.MessageId}</td><td>(partition, offset), same 13-byte
 *     {@code toBytes}/{@code fromBytes}</td></tr>
 * <tr><td>payload / key / properties</td><td>record value / record key (UTF-8) / record headers (UTF-8
 *     values)</td></tr>
 * <tr><td>publish time</td><td>record timestamp ({@code LogAppendTime} on topics this client creates)</td></tr>
 * <tr><td>send</td><td>{@code KafkaProducer.send} with {@code acks=all} and idempotence; linger and
 *     batch size from {@link ProducerOptions}</td></tr>
 * <tr><td>initial position EARLIEST / LATEST</td><td>a new group's offsets set to the beginning / end
 *     offsets and committed when {@code subscribe} returns</td></tr>
 * <tr><td>ack / ackCumulative / auto-ack</td><td>offset commit of the first unacknowledged offset:
 *     {@code commitSync} (or {@code commitAsync}, see {@link KafkaOptions.CommitMode}) / same / {@code
 *     commitAsync} plus {@code commitSync} at close</td></tr>
 * <tr><td>seek(id) / seekToTimestamp</td><td>{@code KafkaConsumer.seek} / {@code offsetsForTimes}, the new
 *     offsets committed</td></tr>
 * <tr><td>createTopic / deleteTopic / listTopics</td><td>{@code Admin.createTopics} / {@code deleteTopics}
 *     (after deleting every group's offsets on it) / {@code listTopics}</td></tr>
 * <tr><td>listSubscriptions (lag) / deleteSubscription</td><td>groups with committed offsets on the topic,
 *     lag = end offset − committed offset summed over partitions / {@code deleteConsumerGroupOffsets}</td></tr>
 * <tr><td>SHARED subscription</td><td>share group {@code subscription@topic} ({@code KafkaShareConsumer}, explicit
 *     acknowledgement): see {@link KafkaShareMqConsumer} and {@link KafkaShareGroups}; not listed by
 *     {@code listSubscriptions}, not deleted by {@code deleteSubscription}</td></tr>
 * </table>
 *
 * <h2>Differences from the embedded backend</h2>
 * <ul>
 *   <li>Topic names follow Kafka's rule: 1 to 249 of {@code [a-zA-Z0-9._-]}.</li>
 *   <li>With more than one partition, order (and {@code ackCumulative}) holds per partition; a seek to an
 *       id moves that partition and restarts the others at their first unacknowledged message.</li>
 *   <li>A subscription has one consumer at a time per client ({@link SubscriptionInUseException}); two
 *       clients consuming one subscription both receive everything — nothing in Kafka prevents it.</li>
 *   <li>A topic or subscription deleted through another client ends this client's consumers within one
 *       (topic) or two (subscription) {@link KafkaOptions#subscriptionCheckInterval()}s, not at once; a producer sending to a deleted
 *       topic fails with {@link TopicNotFoundException} only after Kafka's metadata wait
 *       ({@link KafkaOptions#requestTimeout()}), and only if the brokers do not auto-create topics
 *       ({@code auto.create.topics.enable=false}, recommended).</li>
 *   <li>Auto-ack commits asynchronously (and synchronously at close); a crash may deliver the last
 *       auto-acknowledged messages again.</li>
 *   <li>{@link ProducerOptions#batchingMaxMessages()} has no Kafka counterpart; batches are bounded by bytes.</li>
 *   <li>Retention is Kafka's: it deletes by time or size whether or not subscriptions consumed the data.</li>
 * </ul>
 *
 * <p>Errors: an unreachable cluster (or one whose servers' names do not resolve) makes {@link #open} fail
 * within {@link KafkaOptions#connectionTimeout()} with a {@link StorageException} naming the servers. Later,
 * while the cluster is unreachable, administration, {@code subscribe}, seeks and synchronous acks fail
 * within {@link KafkaOptions#requestTimeout()} with a {@link StorageException}; a send keeps retrying until
 * Kafka's {@code delivery.timeout.ms} (2 minutes unless passed as a client property), so a broker restart
 * shorter than that loses no send, and the consumers resume by themselves.
 *
 * <p>Thread-safe: one client is meant to be shared by the whole application.
 */
public final class KafkaMqClient extends AbstractMqClient<KafkaMqProducer, Consumer> {
    private final KafkaOptions options;
    private final KafkaAdminOps admin;
    private final KafkaClients kafkaClients = new KafkaClients();
    private final KafkaClientInfo adminClient;
    private final ExpiredCounts expiredCounts = new ExpiredCounts();

    private KafkaMqClient(KafkaOptions options, KafkaAdminOps admin, Admin kafkaAdmin) {
        this.options = options;
        this.admin = admin;
        this.adminClient = new KafkaClientInfo(KafkaClientInfo.Role.ADMIN, null, null, kafkaAdmin);
        kafkaClients.opened(adminClient);
    }

    /**
     * Connects to the cluster and checks that it answers.
     *
     * @throws InvalidArgumentException if the options are null or Kafka rejects a client property
     * @throws StorageException         if the cluster does not answer within {@link KafkaOptions#connectionTimeout()},
     *                                  or none of its servers' names resolves
     */
    public static KafkaMqClient open(KafkaOptions options) {
        if (options == null) {
            throw new InvalidArgumentException("Kafka options must not be null");
        }
        Admin a;
        try {
            a = Admin.create(KafkaConfigs.admin(options));
        } catch (KafkaException e) {
            throw clientCreationFailed(e, options);
        }
        KafkaAdminOps ops = new KafkaAdminOps(a, options);
        try {
            ops.checkReachable();
        } catch (RuntimeException e) {
            a.close(Duration.ZERO);
            throw e;
        }
        return new KafkaMqClient(options, ops, a);
    }

    /** {@link #open(KafkaOptions)} with default options for the cluster at {@code bootstrapServers}. */
    public static KafkaMqClient open(String bootstrapServers) {
        return open(KafkaOptions.builder(bootstrapServers).build());
    }

    public KafkaOptions options() {
        return options;
    }

    /**
     * Tells {@code listener} of every Kafka client this client has open now and, from then on, of every one
     * it opens or closes (one per producer, one per consumer, one admin client): how {@link KafkaMqMetrics}
     * binds Kafka's own client metrics. Callbacks run on the opening or closing thread; see
     * {@link KafkaClientListener}.
     *
     * @throws InvalidArgumentException if {@code listener} is null
     */
    public void addClientListener(KafkaClientListener listener) {
        if (listener == null) {
            throw new InvalidArgumentException("listener must not be null");
        }
        kafkaClients.add(listener);
    }

    /** Stops telling {@code listener}; does nothing if it was not added. */
    public void removeClientListener(KafkaClientListener listener) {
        kafkaClients.remove(listener);
    }

    /**
     * Expired records of {@code subscription} on {@code topic} that this client's consumers dropped
     * without delivering them ({@link io.rocksmq.api.OutgoingMessage.Builder#ttl}), since this client
     * opened: the Kafka counterpart of the embedded backend's {@code admin().expiredMessages}. Kafka keeps
     * no such count, so it is this client's alone, in its memory: another client consuming the same
     * subscription counts what it drops itself; a new client starts from 0; and because a subscription's
     * committed offset may stay before expired records at the end of what was read (they are dropped, not
     * acknowledged), a consumer that opens again at that offset drops and counts them again. For a SHARED
     * subscription it counts what this client's share consumers finished as expired.
     *
     * @throws InvalidArgumentException if a name is not valid on Kafka
     */
    public long expiredMessages(String topic, String subscription) {
        KafkaNames.topic(topic);
        KafkaNames.subscription(subscription);
        return expiredCounts.count(topic, subscription);
    }

    ExpiredCounts expiredCounts() {
        return expiredCounts;
    }

    KafkaClients kafkaClients() {
        return kafkaClients;
    }

    @Override
    protected KafkaMqProducer openProducer(ProducerOptions producerOptions) {
        admin.ensureTopic(KafkaNames.topic(producerOptions.topic()));
        try {
            return new KafkaMqProducer(this, admin, options, producerOptions);
        } catch (KafkaException e) {
            throw clientCreationFailed(e, options);
        }
    }

    @Override
    protected void validateSubscription(ConsumerOptions consumerOptions) {
        KafkaNames.topic(consumerOptions.topic());
        KafkaNames.subscription(consumerOptions.subscription());
        consumerOptions.shared().ifPresent(s -> {
            KafkaShareGroups.validate(s);
            if (s.deadLetterTopic() != null) {
                KafkaNames.topic(s.deadLetterTopic());
            }
        });
    }

    @Override
    protected Consumer openConsumer(ConsumerOptions consumerOptions) {
        try {
            if (consumerOptions.subscriptionType() == SubscriptionType.SHARED) {
                return KafkaShareMqConsumer.open(this, admin, options, consumerOptions);
            }
            if (new KafkaShareGroups(admin, options).isShared(consumerOptions.topic(),
                    consumerOptions.subscription())) {
                throw new WrongGroupTypeException(consumerOptions.topic(), consumerOptions.subscription(), true);
            }
            return KafkaMqConsumer.open(this, admin, options, consumerOptions);
        } catch (KafkaException e) {
            throw clientCreationFailed(e, options);
        }
    }

    @Override
    protected void startConsumer(Consumer consumer) {
        if (consumer instanceof KafkaShareMqConsumer shared) {
            shared.start();
        } else {
            ((KafkaMqConsumer) consumer).start();
        }
    }

    @Override
    protected void closeBackend(Closer closer) {
        closer.close(admin);
        kafkaClients.closed(adminClient);
    }

    @Override
    public void createTopic(String topic) {
        checkOpen();
        admin.ensureTopic(KafkaNames.topic(topic));
    }

    @Override
    public void deleteTopic(String topic) {
        checkOpen();
        KafkaAdminOps.TopicInfo info = admin.require(KafkaNames.topic(topic));
        // Stop this client's consumers first, so that none commits an offset for the topic after its groups'
        // offsets are deleted.
        for (Consumer c : openConsumers()) {
            if (c.topic().equals(topic) && c instanceof KafkaMqConsumer exclusive) {
                exclusive.terminate(new TopicNotFoundException(topic));
            }
        }
        admin.deleteTopic(info);
    }

    @Override
    public List<String> listTopics() {
        checkOpen();
        return admin.listTopics();
    }

    @Override
    public List<SubscriptionInfo> listSubscriptions(String topic) {
        checkOpen();
        return admin.listSubscriptions(admin.require(KafkaNames.topic(topic)));
    }

    @Override
    public void deleteSubscription(String topic, String subscription) {
        checkOpen();
        KafkaNames.topic(topic);
        KafkaNames.subscription(subscription);
        KafkaAdminOps.TopicInfo info = admin.require(topic);
        consumerOf(topic, subscription).filter(c -> c instanceof KafkaMqConsumer)
                .ifPresent(c -> ((KafkaMqConsumer) c).terminate(new ConsumerGroupNotFoundException(topic, subscription)));
        admin.deleteOffsets(subscription, new HashSet<>(info.topicPartitions()), topic);
    }

    private static RuntimeException clientCreationFailed(KafkaException e, KafkaOptions options) {
        Throwable c = e;
        while (c != null && !(c instanceof ConfigException)) {
            c = c.getCause();
        }
        if (c != null && c.getMessage() != null && c.getMessage().contains("No resolvable bootstrap urls")) {
            // DNS knows none of the servers: the cluster is unreachable from here, which may pass.
            return new StorageException("cannot reach the Kafka cluster at " + options.bootstrapServers()
                    + ": none of its servers' names resolves", KafkaErrors.status(c), e);
        }
        if (c != null) {
            InvalidArgumentException bad = new InvalidArgumentException("Kafka rejected the client settings for "
                    + options.bootstrapServers() + ": " + c.getMessage());
            bad.initCause(e);
            return bad;
        }
        return new StorageException("cannot create a Kafka client for " + options.bootstrapServers(),
                KafkaErrors.status(e), e);
    }
}
