package io.rocksmq.core.client;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MessageListener;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.core.AwaitResult;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.ConsumerRegistration;
import io.rocksmq.core.RocksMq;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded {@link Consumer}: a consumer group of the {@link RocksMq} is the subscription, and its
 * persisted position is the first unacknowledged message.
 *
 * <h2>Delivery</h2>
 * One delivery thread per consumer reads forward from an in-memory cursor with {@link RocksMq#read}
 * (which advances nothing) into a bounded buffer, and when storage has nothing new it parks in
 * {@link ConsumerRegistration#await}, which a produce to the topic ends at once. There is no polling
 * interval: a timed-out await means nothing happened, so the thread parks again without reading. When
 * the buffer is full the thread waits for the application to take messages, so a slow application
 * holds at most {@code receiveBufferSize} messages in memory.
 *
 * <h2>Acknowledgement</h2>
 * Every message read is tracked in an {@link AckTracker} until acknowledged; an acknowledgement
 * commits (with {@link RocksMq#seek}) the first unacknowledged id, or the cursor if everything read is
 * acknowledged. The group's position therefore only covers acknowledged messages, and a consumer that
 * subscribes again resumes with the first one that was not: at-least-once.
 *
 * <h2>Locks</h2>
 * {@link #lock} guards the buffer, the tracker, {@link #cursor}, {@link #committed},
 * {@link #generation} and {@link #failure}, and is held across commits so that two acknowledgements can
 * never write the position out of order. Storage reads and the listener run without it. A seek bumps
 * {@link #generation}: a read that started before it is discarded instead of buffered.
 *
 * <p>Thread-safe.
 */
final class RocksMqConsumer implements Consumer {
    private static final Logger LOG = LoggerFactory.getLogger(RocksMqConsumer.class);
    /** Most messages one storage read asks for, whatever the free buffer space. */
    static final int MAX_READ = 500;
    /** How long one await parks; a timeout only parks again (it carries no news), so this is not a poll. */
    private static final Duration PARK = Duration.ofMinutes(10);

    private final RocksMqClient client;
    private final RocksMq mq;
    private final String topic;
    private final String subscription;
    private final int capacity;
    private final boolean autoAck;
    private final MessageListener listener;
    /** Null without a listener. */
    private final ListenerDispatcher dispatcher;
    private final ConsumerRegistration registration;
    private final Thread deliveryThread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<Message> buffer;
    private final AckTracker inFlight = new AckTracker();
    /** Next id to read. */
    private long cursor;
    /** The position this consumer last persisted (or found). */
    private long committed;
    private long generation;
    /** Why the consumer stopped (subscription or topic deleted, queue closed, read failed); thrown by later calls. */
    private RuntimeException failure;
    /** Written under {@link #lock}; read without it only as a hint. */
    private volatile boolean closed;

    /** Storage reads made by the delivery thread, for tests. */
    private final AtomicLong reads = new AtomicLong();

    private RocksMqConsumer(RocksMqClient client, RocksMq mq, ConsumerOptions options,
                            ConsumerRegistration registration, long position) {
        this.client = client;
        this.mq = mq;
        this.topic = options.topic();
        this.subscription = options.subscription();
        this.capacity = options.receiveBufferSize();
        this.autoAck = options.autoAck();
        this.listener = options.messageListener().orElse(null);
        this.dispatcher = listener == null ? null
                : new ListenerDispatcher(this, listener, options.listenerExecutor().orElse(null), autoAck);
        this.registration = registration;
        this.buffer = new ArrayDeque<>(Math.min(capacity, 1024));
        this.cursor = position;
        this.committed = position;
        this.deliveryThread = new Thread(this::deliver, "rocksmq-consumer-" + topic + "/" + subscription);
        this.deliveryThread.setDaemon(true);
    }

    /**
     * Creates the topic and the group if needed (a new group at the initial position) and registers for
     * wake-ups. Delivery, from the group's persisted position, begins with {@link #start()}: the caller
     * first records the consumer, since a listener may close it as soon as delivery begins.
     */
    static RocksMqConsumer open(RocksMqClient client, RocksMq mq, ConsumerOptions options) {
        String topic = options.topic();
        String group = options.subscription();
        mq.createTopic(topic);
        boolean created = false;
        if (!mq.consumerGroupExists(topic, group)) {
            try {
                mq.createConsumerGroup(topic, group);
                created = true;
            } catch (ConsumerGroupExistsException raced) {
                // Created meanwhile through the broker-level API: it is an existing subscription.
            }
        }
        if (created && options.initialPosition() == SubscriptionInitialPosition.LATEST) {
            mq.seekToLatest(topic, group);
        }
        // Register before reading the position: any produce after this point wakes the delivery thread.
        ConsumerRegistration registration = mq.registerConsumer(topic, group);
        try {
            return new RocksMqConsumer(client, mq, options, registration, mq.position(topic, group));
        } catch (RuntimeException e) {
            registration.close();
            throw e;
        }
    }

    void start() {
        deliveryThread.start();
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
        if (maxMessages <= 0) {
            throw new InvalidArgumentException("maxMessages must be positive, was " + maxMessages);
        }
        return take(maxMessages, timeout);
    }

    @Override
    public void ack(MessageId id) {
        long offset = offsetOf(id);
        lock.lock();
        try {
            checkUsable();
            if (inFlight.ack(offset)) {
                commitLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void ackCumulative(MessageId id) {
        long offset = offsetOf(id);
        lock.lock();
        try {
            checkUsable();
            if (inFlight.ackUpTo(offset)) {
                commitLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void seek(MessageId id, boolean inclusive) {
        long offset = offsetOf(id);
        long target = inclusive || offset == Long.MAX_VALUE ? offset : offset + 1;
        lock.lock();
        try {
            checkUsable();
            // Past the end means "after the newest": the next message produced must be delivered.
            long end = mq.latestMessageId(topic) + 1;
            repositionLocked(Math.min(target, Math.max(end, 0)));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void seekToTimestamp(long epochMillis) {
        lock.lock();
        try {
            checkUsable();
            repositionLocked(mq.messageIdAtOrAfter(topic, epochMillis));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<MessageId> latestMessageId() {
        if (closed) {
            throw closedException();
        }
        long id = mq.latestMessageId(topic);
        return id < 0 ? Optional.empty() : Optional.of(MessageId.of(MessageMapper.PARTITION, id));
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            buffer.clear();
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        registration.close(); // ends the delivery thread's await
        if (Thread.currentThread() != deliveryThread) {
            RocksMqProducer.joinUninterruptibly(deliveryThread);
        }
        client.consumerClosed(this);
    }

    /** Messages read ahead and not yet taken (tests). */
    int buffered() {
        lock.lock();
        try {
            return buffer.size();
        } finally {
            lock.unlock();
        }
    }

    /** Read but unacknowledged messages, including buffered ones (tests). */
    int unacknowledged() {
        lock.lock();
        try {
            return inFlight.size();
        } finally {
            lock.unlock();
        }
    }

    long storageReads() {
        return reads.get();
    }

    // ------------------------------------------------------------------ taking and acknowledging

    private List<Message> take(int max, Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new InvalidArgumentException("timeout must be zero or positive, was " + timeout);
        }
        if (listener != null) {
            throw new IllegalStateException("this consumer delivers to its MessageListener; receive/poll are not available");
        }
        long nanos = saturatedNanos(timeout);
        lock.lock();
        try {
            while (true) {
                checkUsable();
                if (!buffer.isEmpty()) {
                    break;
                }
                if (nanos <= 0) {
                    return List.of();
                }
                try {
                    nanos = notEmpty.awaitNanos(nanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return List.of();
                }
            }
            int n = Math.min(max, buffer.size());
            List<Message> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(buffer.pollFirst());
            }
            notFull.signal();
            if (autoAck) {
                for (Message m : out) {
                    inFlight.ack(m.id().offset());
                }
                commitLocked();
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Under {@link #lock}: persists the first unacknowledged id if it moved forward. */
    private void commitLocked() {
        long target = inFlight.isEmpty() ? cursor : inFlight.first();
        if (target > committed) {
            mq.seek(topic, subscription, target);
            committed = target;
        }
    }

    /** Under {@link #lock}: persists {@code target} as the position and restarts reading there. */
    private void repositionLocked(long target) {
        mq.seek(topic, subscription, target); // also wakes the delivery thread
        generation++;
        buffer.clear();
        inFlight.clear();
        cursor = target;
        committed = target;
        notFull.signal();
    }

    /** Under {@link #lock}. */
    private void checkUsable() {
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

    // ------------------------------------------------------------------ the delivery thread

    private void deliver() {
        try {
            while (true) {
                long gen;
                long from;
                int space;
                lock.lock();
                try {
                    while (!closed && failure == null && buffer.size() >= capacity) {
                        notFull.awaitUninterruptibly();
                    }
                    if (closed || failure != null) {
                        return;
                    }
                    gen = generation;
                    from = cursor;
                    space = capacity - buffer.size();
                } finally {
                    lock.unlock();
                }
                reads.incrementAndGet();
                List<ConsumerMessage> batch = mq.read(topic, from, Math.min(space, MAX_READ));
                if (!batch.isEmpty()) {
                    if (publish(gen, batch) && dispatcher != null) {
                        dispatcher.dispatch();
                    }
                    continue;
                }
                AwaitResult r;
                do {
                    r = registration.await(PARK);
                } while (r == AwaitResult.TIMED_OUT);
                if (r.isTerminal()) {
                    ended(r);
                    return;
                }
            }
        } catch (RuntimeException e) {
            fail(e);
        } catch (Error e) {
            fail(new RocksMqException("delivery thread of '" + topic + "/" + subscription + "' died", e));
            throw e;
        }
    }

    /** Buffers a read unless a seek or close happened since it started. */
    private boolean publish(long gen, List<ConsumerMessage> batch) {
        List<Message> messages = new ArrayList<>(batch.size());
        for (ConsumerMessage m : batch) {
            messages.add(MessageMapper.decode(topic, m));
        }
        lock.lock();
        try {
            if (gen != generation || closed || failure != null) {
                return false;
            }
            for (int i = 0; i < messages.size(); i++) {
                buffer.addLast(messages.get(i));
                inFlight.add(batch.get(i).id());
            }
            cursor = batch.get(batch.size() - 1).id() + 1;
            notEmpty.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void ended(AwaitResult r) {
        switch (r) {
            case QUEUE_CLOSED -> fail(new QueueClosedException("the queue of topic '" + topic + "' was closed"));
            case GROUP_DESTROYED -> {
                boolean topicGone;
                try {
                    topicGone = !mq.topicExists(topic);
                } catch (RocksMqException e) {
                    topicGone = false;
                }
                fail(topicGone ? new TopicNotFoundException(topic)
                        : new ConsumerGroupNotFoundException(topic, subscription));
            }
            default -> {
                // UNREGISTERED: close() did it; nothing to report.
            }
        }
    }

    /** Stops the consumer with {@code e}, which later calls throw. First failure wins; no-op once closed. */
    void fail(RuntimeException e) {
        lock.lock();
        try {
            if (closed || failure != null) {
                return;
            }
            failure = e;
            buffer.clear();
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        if (listener != null) {
            LOG.error("consumer of '{}/{}' stopped", topic, subscription, e);
        }
    }

    // ------------------------------------------------------------------ for the listener dispatcher

    /** The next buffered message, or null if none or the consumer stopped. */
    Message takeForListener() {
        lock.lock();
        try {
            if (closed || failure != null) {
                return null;
            }
            Message m = buffer.pollFirst();
            if (m != null) {
                notFull.signal();
            }
            return m;
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    boolean hasBuffered() {
        lock.lock();
        try {
            return !closed && failure == null && !buffer.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
