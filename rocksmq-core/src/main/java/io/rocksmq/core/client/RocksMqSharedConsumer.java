package io.rocksmq.core.client;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SharedSubscription;
import io.rocksmq.api.SubscriptionType;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.api.WrongGroupTypeException;
import io.rocksmq.api.internals.ListenerDispatcher;
import io.rocksmq.api.internals.ListenerErrors;
import io.rocksmq.api.internals.ReceiveBuffer;
import io.rocksmq.api.internals.Threads;
import io.rocksmq.core.ConsumerRegistration;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.SharedGroup;
import io.rocksmq.core.SharedGroupOptions;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A consumer of a {@link SubscriptionType#SHARED} subscription on the embedded queue: one of any number of
 * workers of a {@link SharedGroup}. {@link #poll} acquires deliveries from the group (no read-ahead: what
 * this consumer holds is locked to it); {@link #ack}, {@link #release}, {@link #reject} and {@link #renew}
 * name the delivery this consumer holds for the message id. Seeks and cumulative acks do not apply to a
 * work queue ({@link WrongGroupTypeException}). On close, the deliveries it still holds are released for
 * the others at once.
 *
 * <p>With a {@link io.rocksmq.api.MessageListener}, a delivery thread acquires a few messages at a time and
 * hands them to the {@link ListenerDispatcher} (the same push delivery as an exclusive consumer's); a
 * listener that throws releases its message, with the subscription's redelivery delay.
 *
 * <h2>Locks</h2>
 * {@link #lock} guards {@link #held}, {@link #buffer}, {@link #failure} and {@link #closed}; it is never held
 * while calling the queue. {@link #pollLock} serialises the waits of {@link #poll} (they share one
 * registration, on which one thread at a time may wait).
 *
 * <p>Thread-safe.
 */
final class RocksMqSharedConsumer implements Consumer, ListenerDispatcher.Target {
    /** Most deliveries the listener's delivery thread takes at a time. */
    static final int LISTENER_BATCH = 16;
    private static final Duration PARK = Duration.ofMinutes(10);

    private final RocksMqClient client;
    private final RocksMq mq;
    private final String topic;
    private final String subscription;
    private final SharedGroup group;
    private final boolean autoAck;
    private final ConsumerRegistration registration;
    /** Null without a listener. */
    private final ListenerDispatcher dispatcher;
    /** Null without a listener. */
    private final Thread deliveryThread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private final ReentrantLock pollLock = new ReentrantLock();
    /** The delivery attempt this consumer holds, by message id. */
    private final Map<Long, Integer> held = new HashMap<>();
    /** Acquired for the listener, not yet handed to it. */
    private final ArrayDeque<Message> buffer = new ArrayDeque<>();
    private RuntimeException failure;
    private boolean closed;

    private RocksMqSharedConsumer(RocksMqClient client, RocksMq mq, ConsumerOptions options, SharedGroup group,
                                  ConsumerRegistration registration) {
        this.client = client;
        this.mq = mq;
        this.topic = options.topic();
        this.subscription = options.subscription();
        this.group = group;
        this.autoAck = options.autoAck();
        this.registration = registration;
        this.dispatcher = options.messageListener()
                .map(l -> new ListenerDispatcher(this, l, options.listenerExecutor().orElse(null), autoAck,
                        ListenerErrors.LOGGING))
                .orElse(null);
        this.deliveryThread = dispatcher == null ? null
                : new Thread(this::deliver, "rocksmq-shared-consumer-" + topic + "/" + subscription);
        if (deliveryThread != null) {
            deliveryThread.setDaemon(true);
        }
    }

    /**
     * Creates the topic and the shared group if needed (with the options' settings) and registers for
     * wake-ups. The initial position does not apply: a shared group starts at the earliest message.
     *
     * @throws WrongGroupTypeException if the subscription exists as an EXCLUSIVE one
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

    void start() {
        if (deliveryThread != null) {
            deliveryThread.start();
        }
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
    public SubscriptionType subscriptionType() {
        return SubscriptionType.SHARED;
    }

    @Override
    public List<Message> poll(int maxMessages, Duration timeout) {
        ReceiveBuffer.checkPoll(maxMessages, timeout, dispatcher != null);
        pollLock.lock();
        try {
            checkUsable();
            List<Message> got = take(maxMessages, timeout);
            if (autoAck) {
                for (Message m : got) {
                    ack(m.id());
                }
            }
            return got;
        } finally {
            pollLock.unlock();
        }
    }

    @Override
    public void ack(MessageId id) {
        long messageId = offsetOf(id);
        int attempt = release(messageId);
        translate(() -> group.ack(messageId, attempt));
    }

    @Override
    public void ackCumulative(MessageId id) {
        throw new WrongGroupTypeException(topic, subscription, true);
    }

    @Override
    public void release(Message message, Duration delay) {
        long messageId = offsetOf(message == null ? null : message.id());
        int attempt = release(messageId);
        translate(() -> group.release(messageId, attempt, delay));
    }

    @Override
    public void reject(Message message) {
        long messageId = offsetOf(message == null ? null : message.id());
        int attempt = release(messageId);
        translate(() -> group.reject(messageId, attempt));
    }

    @Override
    public long renew(Message message) {
        long messageId = offsetOf(message == null ? null : message.id());
        int attempt;
        lock.lock();
        try {
            checkUsableLocked();
            attempt = attemptOf(messageId, held.get(messageId));
        } finally {
            lock.unlock();
        }
        long[] deadline = new long[1];
        translate(() -> deadline[0] = group.renew(messageId, attempt));
        return deadline[0];
    }

    @Override
    public void seek(MessageId id, boolean inclusive) {
        throw new WrongGroupTypeException(topic, subscription, true);
    }

    @Override
    public void seekToTimestamp(long epochMillis) {
        throw new WrongGroupTypeException(topic, subscription, true);
    }

    @Override
    public Optional<MessageId> latestMessageId() {
        checkUsable();
        long id = mq.latestMessageId(topic);
        return id < 0 ? Optional.empty() : Optional.of(MessageId.of(MessageMapper.PARTITION, id));
    }

    /** Releases every delivery still held (for the other consumers, at once), then stops. Idempotent. */
    @Override
    public void close() {
        List<Map.Entry<Long, Integer>> stillHeld;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            stillHeld = new ArrayList<>(held.entrySet());
            held.clear();
            buffer.clear();
            drained.signalAll();
        } finally {
            lock.unlock();
        }
        registration.close(); // ends a waiting poll or the delivery thread's wait
        if (deliveryThread != null && deliveryThread != Thread.currentThread()) {
            Threads.joinUninterruptibly(deliveryThread);
        }
        for (Map.Entry<Long, Integer> e : stillHeld) {
            try {
                group.release(e.getKey(), e.getValue(), Duration.ZERO);
            } catch (RocksMqException ignored) {
                // expired, taken or gone meanwhile: nothing to give back
            }
        }
        client.consumerClosed(this);
    }

    // ------------------------------------------------------------------ internals

    /** Acquires up to {@code max} deliveries, waiting up to {@code timeout}, and records them as held. */
    private List<Message> take(int max, Duration timeout) {
        List<SharedGroup.Delivery> ds;
        try {
            ds = group.acquire(max, timeout, registration);
        } catch (ConsumerGroupNotFoundException e) {
            throw gone(e);
        }
        List<Message> out = new ArrayList<>(ds.size());
        boolean closedMeanwhile;
        lock.lock();
        try {
            closedMeanwhile = closed;
            for (SharedGroup.Delivery d : ds) {
                Message m = MessageMapper.decode(topic, d.message());
                out.add(new Message(m.topic(), m.id(), m.payload(), m.properties(), m.key().orElse(null),
                        m.publishTime(), d.attempt()));
                if (!closedMeanwhile) {
                    held.put(d.id(), d.attempt());
                }
            }
        } finally {
            lock.unlock();
        }
        if (closedMeanwhile) { // closed while acquiring: give them back rather than keep them locked
            for (SharedGroup.Delivery d : ds) {
                group.release(d.id(), d.attempt(), Duration.ZERO);
            }
            throw closedException();
        }
        return out;
    }

    /** Takes the held delivery of {@code messageId} out of {@link #held}; returns its attempt. */
    private int release(long messageId) {
        lock.lock();
        try {
            checkUsableLocked();
            return attemptOf(messageId, held.remove(messageId));
        } finally {
            lock.unlock();
        }
    }

    private int attemptOf(long messageId, Integer attempt) {
        if (attempt == null) {
            throw new DeliveryNotFoundException(subscription, messageId, "this consumer does not hold it");
        }
        return attempt;
    }

    private void translate(Runnable call) {
        try {
            call.run();
        } catch (ConsumerGroupNotFoundException e) {
            throw gone(e);
        }
    }

    /** The group is gone: say whether with its topic. */
    private RocksMqException gone(ConsumerGroupNotFoundException e) {
        boolean topicGone;
        try {
            topicGone = !mq.topicExists(topic);
        } catch (RocksMqException ignored) {
            topicGone = false;
        }
        return topicGone ? new TopicNotFoundException(topic) : e;
    }

    private void checkUsable() {
        lock.lock();
        try {
            checkUsableLocked();
        } finally {
            lock.unlock();
        }
    }

    private void checkUsableLocked() {
        if (closed) {
            throw closedException();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private QueueClosedException closedException() {
        return new QueueClosedException("consumer of subscription '" + subscription + "' on topic '" + topic
                + "' is closed");
    }

    private long offsetOf(MessageId id) {
        if (id == null) {
            throw new InvalidArgumentException("message id must not be null");
        }
        if (id.partition() != MessageMapper.PARTITION) {
            throw new InvalidArgumentException("the embedded backend has only partition "
                    + MessageMapper.PARTITION + ", got message id " + id);
        }
        return id.offset();
    }

    // ------------------------------------------------------------------ the delivery thread (with a listener)

    private void deliver() {
        try {
            while (true) {
                lock.lock();
                try {
                    while (!buffer.isEmpty() && !closed) {
                        drained.awaitUninterruptibly(); // the listener still works on the last batch
                    }
                    if (closed || failure != null) {
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                List<Message> got;
                try {
                    got = take(LISTENER_BATCH, PARK);
                } catch (QueueClosedException e) {
                    if (isClosed()) {
                        return;
                    }
                    throw e;
                }
                if (got.isEmpty()) {
                    if (isClosed()) {
                        return;
                    }
                    continue;
                }
                lock.lock();
                try {
                    buffer.addAll(got);
                } finally {
                    lock.unlock();
                }
                dispatcher.dispatch();
            }
        } catch (RuntimeException e) {
            fail(e);
        } catch (Error e) {
            fail(new RocksMqException("delivery thread of '" + topic + "/" + subscription + "' died", e));
            throw e;
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ for the listener dispatcher

    @Override
    public Consumer consumer() {
        return this;
    }

    @Override
    public Message nextForListener() {
        lock.lock();
        try {
            if (closed || failure != null) {
                return null;
            }
            Message m = buffer.poll();
            if (buffer.isEmpty()) {
                drained.signalAll();
            }
            return m;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean hasNextForListener() {
        lock.lock();
        try {
            return !closed && failure == null && !buffer.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void autoAck(MessageId id) {
        if (isClosed()) {
            return;
        }
        ack(id);
    }

    @Override
    public void listenerFailed(Message m) {
        try {
            release(m, null);
        } catch (RocksMqException e) {
            // closed, expired or taken meanwhile: its lock expiry redelivers it anyway
        }
    }

    @Override
    public boolean fail(RuntimeException e) {
        lock.lock();
        try {
            if (closed || failure != null) {
                return false;
            }
            failure = e;
            buffer.clear();
            drained.signalAll();
        } finally {
            lock.unlock();
        }
        if (dispatcher != null) {
            dispatcher.reportStopped(e);
        }
        return true;
    }
}
