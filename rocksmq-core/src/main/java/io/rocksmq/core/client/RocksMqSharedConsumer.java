package io.rocksmq.core.client;

import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SharedSubscription;
import io.rocksmq.api.SubscriptionType;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.api.internals.AbstractSharedConsumer;
import io.rocksmq.core.ConsumerRegistration;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.SharedGroup;
import io.rocksmq.core.SharedGroupOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A consumer of a {@link SubscriptionType#SHARED} subscription on the embedded queue: one of any number of
 * workers of a {@link SharedGroup}. The toolkit's {@link AbstractSharedConsumer} keeps what it holds and
 * runs the listener; this class acquires from the group (no read-ahead: what this consumer holds is locked
 * to it, waiting on its {@link ConsumerRegistration}) and answers with the group's fenced operations. Each
 * held message's receipt is the group's {@link SharedGroup.Delivery} (offset, attempt and the group
 * instance that handed it out), so an answer to a delivery of a destroyed group is refused by a re-created
 * one of the same name.
 *
 * <p>Thread-safe.
 */
final class RocksMqSharedConsumer extends AbstractSharedConsumer<SharedGroup.Delivery> {
    private final RocksMqClient client;
    private final RocksMq mq;
    private final SharedGroup group;
    private final ConsumerRegistration registration;

    private RocksMqSharedConsumer(RocksMqClient client, RocksMq mq, ConsumerOptions options, SharedGroup group,
                                  ConsumerRegistration registration) {
        super(options, "rocksmq-shared-consumer");
        this.client = client;
        this.mq = mq;
        this.group = group;
        this.registration = registration;
    }

    /**
     * Creates the topic and the shared group if needed (with the options' settings) and registers for
     * wake-ups. The initial position does not apply: a shared group starts at the earliest message.
     *
     * @throws io.rocksmq.api.WrongGroupTypeException if the subscription exists as an EXCLUSIVE one
     */
    static RocksMqSharedConsumer open(RocksMqClient client, RocksMq mq, ConsumerOptions options) {
        String topic = options.topic();
        String name = options.subscription();
        boolean exists = mq.consumerGroupExists(topic, name); // checks both names before anything is created
        mq.createTopic(topic);
        if (!exists) {
            try {
                mq.createSharedGroup(topic, name, toGroupOptions(options.shared().orElse(SharedSubscription.DEFAULTS)));
            } catch (ConsumerGroupExistsException raced) {
                // created meanwhile by another consumer: join it
            }
        }
        SharedGroup group = mq.sharedGroup(topic, name);
        ConsumerRegistration registration = mq.registerConsumer(topic, name);
        return new RocksMqSharedConsumer(client, mq, options, group, registration);
    }

    static SharedGroupOptions toGroupOptions(SharedSubscription s) {
        return new SharedGroupOptions(s.lockDuration(), s.maxDeliveries(), s.deadLetterTopic(), s.redeliveryDelays(),
                s.maxInFlight());
    }

    @Override
    public Optional<MessageId> latestMessageId() {
        checkUsable();
        long id = mq.latestMessageId(topic());
        return id < 0 ? Optional.empty() : Optional.of(MessageId.of(MessageMapper.PARTITION, id));
    }

    @Override
    protected List<Held<SharedGroup.Delivery>> acquire(int max, Duration timeout) {
        List<SharedGroup.Delivery> ds = translate(() -> group.acquire(max, timeout, registration));
        List<Held<SharedGroup.Delivery>> out = new ArrayList<>(ds.size());
        for (SharedGroup.Delivery d : ds) {
            out.add(new Held<>(MessageMapper.decode(topic(), d.message(), d.attempt()), d)); // one Message per delivery
        }
        return out;
    }

    @Override
    protected void settle(Held<SharedGroup.Delivery> delivery, Outcome outcome, Duration delay) {
        SharedGroup.Delivery d = delivery.receipt();
        translate(() -> {
            switch (outcome) {
                case ACK -> group.ack(d);
                case RELEASE -> {
                    if (delay == null) {
                        group.release(d);
                    } else {
                        group.release(d, delay);
                    }
                }
                case REJECT -> group.reject(d);
            }
            return null;
        });
    }

    @Override
    protected long renewLock(Held<SharedGroup.Delivery> delivery) {
        return translate(() -> group.renew(delivery.receipt()));
    }

    @Override
    protected void wakeUp() {
        registration.close(); // ends a waiting poll or the delivery thread's wait
    }

    @Override
    protected void closeBackend() {
        client.consumerClosed(this);
    }

    @Override
    protected void checkId(MessageId id) {
        super.checkId(id);
        if (id.partition() != MessageMapper.PARTITION) {
            throw new InvalidArgumentException("the embedded backend has only partition "
                    + MessageMapper.PARTITION + ", got message id " + id);
        }
    }

    private interface Call<T> {
        T run();
    }

    private <T> T translate(Call<T> call) {
        try {
            return call.run();
        } catch (ConsumerGroupNotFoundException e) {
            throw gone(e);
        }
    }

    /** The group is gone: say whether with its topic. */
    private RocksMqException gone(ConsumerGroupNotFoundException e) {
        boolean topicGone;
        try {
            topicGone = !mq.topicExists(topic());
        } catch (RocksMqException ignored) {
            topicGone = false;
        }
        return topicGone ? new TopicNotFoundException(topic()) : e;
    }
}
