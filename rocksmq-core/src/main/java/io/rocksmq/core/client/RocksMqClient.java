package io.rocksmq.core.client;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.SubscriptionInfo;
import io.rocksmq.api.SubscriptionType;
import io.rocksmq.api.internals.AbstractMqClient;
import io.rocksmq.api.internals.Closer;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.RocksMqConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded backend of the client API: an {@link MqClient} on a {@link RocksMq} in this process.
 *
 * <pre>{@code
 * try (MqClient client = RocksMqClient.open(Path.of("data"))) { ... }
 * // or, without naming the backend in code:
 * try (MqClient client = MqClient.open("rocksmq:./data")) { ... }
 * }</pre>
 *
 * <p>Mapping: a subscription is a consumer group of the same name; a {@link io.rocksmq.api.MessageId}
 * is partition {@code 0} with the queue's message id as offset; a message key is stored as the
 * property {@code __rmq.key} (the {@link io.rocksmq.api.OutgoingMessage#RESERVED_PROPERTY_PREFIX
 * reserved prefix} keeps it apart from user properties). Other users of the same {@link RocksMq}
 * (the broker-level API) see exactly that.
 *
 * <p>Thread-safe.
 */
public final class RocksMqClient extends AbstractMqClient<RocksMqProducer, Consumer> {
    private final RocksMq mq;
    private final boolean ownsQueue;

    private RocksMqClient(RocksMq mq, boolean ownsQueue) {
        this.mq = mq;
        this.ownsQueue = ownsQueue;
    }

    /**
     * Opens (or creates) the queue in {@code directory} with default settings; closing the client closes it.
     *
     * @throws io.rocksmq.api.QueueAlreadyOpenException if the directory is already open
     * @throws io.rocksmq.api.StorageException          if the data cannot be read
     */
    public static RocksMqClient open(Path directory) {
        return new RocksMqClient(RocksMq.open(directory), true);
    }

    /**
     * Opens (or creates) a queue; closing the client closes it. Exceptions as {@link RocksMq#open(RocksMqConfig)}.
     */
    public static RocksMqClient open(RocksMqConfig config) {
        return new RocksMqClient(RocksMq.open(config), true);
    }

    /**
     * A client on a queue the caller keeps: closing the client closes its producers and consumers but
     * not the queue.
     *
     * @throws InvalidArgumentException if the queue is null
     */
    public static RocksMqClient wrap(RocksMq queue) {
        if (queue == null) {
            throw new InvalidArgumentException("queue must not be null");
        }
        return new RocksMqClient(queue, false);
    }

    /** The broker-level queue underneath. */
    public RocksMq queue() {
        return mq;
    }

    /** Also unwraps to the queue underneath ({@code client.unwrap(RocksMq.class)}). */
    @Override
    public <T> T unwrap(Class<T> type) {
        return type == RocksMq.class ? type.cast(mq) : super.unwrap(type);
    }

    @Override
    protected RocksMqProducer openProducer(ProducerOptions options) {
        mq.createTopic(options.topic());
        RocksMqProducer producer = new RocksMqProducer(this, mq, options);
        producer.start();
        return producer;
    }

    @Override
    protected Consumer openConsumer(ConsumerOptions options) {
        if (options.subscriptionType() == SubscriptionType.SHARED) {
            return RocksMqSharedConsumer.open(this, mq, options);
        }
        return RocksMqConsumer.open(this, mq, options);
    }

    @Override
    protected void startConsumer(Consumer consumer) {
        if (consumer instanceof RocksMqSharedConsumer shared) {
            shared.start();
        } else {
            ((RocksMqConsumer) consumer).start();
        }
    }

    @Override
    protected void closeBackend(Closer closer) {
        if (ownsQueue) {
            closer.close(mq);
        }
    }

    @Override
    public void createTopic(String topic) {
        checkOpen();
        mq.createTopic(topic);
    }

    @Override
    public void deleteTopic(String topic) {
        checkOpen();
        mq.destroyTopic(topic);
    }

    @Override
    public List<String> listTopics() {
        checkOpen();
        return mq.topics();
    }

    @Override
    public List<SubscriptionInfo> listSubscriptions(String topic) {
        checkOpen();
        List<SubscriptionInfo> out = new ArrayList<>();
        for (String group : mq.consumerGroups(topic)) {
            long position;
            try {
                position = mq.position(topic, group);
            } catch (ConsumerGroupNotFoundException deletedMeanwhile) {
                continue;
            }
            out.add(new SubscriptionInfo(topic, group, lag(topic, position)));
        }
        return out;
    }

    @Override
    public void deleteSubscription(String topic, String subscription) {
        checkOpen();
        mq.destroyConsumerGroup(topic, subscription);
    }

    /** Messages after {@code position}: ids are consecutive within a topic, and retention only trims the front. */
    private long lag(String topic, long position) {
        long latest = mq.latestMessageId(topic);
        if (latest < 0) {
            return 0;
        }
        long earliest = mq.earliestMessageId(topic);
        long from = earliest < 0 ? position : Math.max(position, earliest);
        return Math.max(0, latest + 1 - from);
    }
}
