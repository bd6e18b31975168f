package io.rocksmq.core.client;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.api.WrongGroupTypeException;
import io.rocksmq.api.internals.AckRing;
import io.rocksmq.api.internals.ListenerDispatcher;
import io.rocksmq.api.internals.ListenerErrors;
import io.rocksmq.api.internals.BufferedBytes;
import io.rocksmq.api.internals.BytePoll;
import io.rocksmq.api.internals.ReceiveBuffer;
import io.rocksmq.api.internals.Threads;
import io.rocksmq.core.AwaitResult;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.ConsumerRegistration;
import io.rocksmq.core.ExpiredIds;
import io.rocksmq.core.RocksMq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
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
 * holds at most {@code receiveBufferSize} messages and {@code receiveBufferBytes} payload bytes in memory
 * (or one larger message, alone).
 *
 * <h2>Byte bound</h2>
 * Storage reads are counted in messages, so the thread sizes each read by the messages it last read: it
 * asks for the free bytes divided by the largest payload of its previous read (one message for its first
 * read), within the free places and {@link #MAX_READ}. Of what a read returns it buffers only what fits
 * ({@link ReceiveBuffer#fitting}); the rest stays unread (the cursor stops before it) and is read again
 * when there is room, so what is <em>held</em> never exceeds the bounds whatever the sizes. What one read
 * briefly holds before that cut is bounded by its count only: when sizes grow suddenly, up to that many
 * messages of the new size.
 *
 * <h2>Acknowledgement</h2>
 * Every message read is tracked in an {@link AckRing} until acknowledged (its rules: only delivered
 * messages can be acknowledged); an acknowledgement commits (with {@link RocksMq#commitPosition}) the first
 * unacknowledged id, or the next id to read if everything read is acknowledged. The group's position
 * therefore only covers acknowledged messages, and a consumer that subscribes again resumes with the
 * first one that was not: at-least-once.
 *
 * <h2>Expired messages</h2>
 * The group counts an expired message when its position moves past it, once, whoever moves it. This
 * consumer's reads skip expired messages without the group, so it keeps their ids ({@link #expiredPending},
 * from {@link RocksMq#read(String, long, int, ExpiredIds)}) until a commit moves the position past them:
 * {@link RocksMq#commitPosition} then counts, in the same step as the move, those the position was not
 * already past (retention or a seek by someone else counted or skipped them). A read that was discarded
 * (a seek or close happened meanwhile) keeps nothing; a seek of this consumer forgets them all (the group
 * did not move past them by this consumer's reads). Messages read but not acknowledged are not counted
 * yet: if the consumer closes first, the next one to read them counts them.
 *
 * <h2>Locks</h2>
 * {@link #lock} guards the {@link ReceiveBuffer} (messages, generation, stopped state), the
 * {@link AckRing} (whose {@code next()} is the read cursor) and {@link #committed}, and is held across
 * commits so that two acknowledgements can never write the position out of order. Storage reads and
 * the listener run without it. A seek starts a new buffer generation: a read that started before it is
 * discarded instead of buffered.
 *
 * <p>Thread-safe.
 */
final class RocksMqConsumer implements Consumer, BytePoll, BufferedBytes, ListenerDispatcher.Target {
    /** Most messages one storage read asks for, whatever the free buffer space. */
    static final int MAX_READ = 500;
    /** How long one await parks; a timeout only parks again (it carries no news), so this is not a poll. */
    private static final Duration PARK = Duration.ofMinutes(10);

    private final RocksMqClient client;
    private final RocksMq mq;
    private final String topic;
    private final String subscription;
    private final boolean autoAck;
    /** Null without a listener. */
    private final ListenerDispatcher dispatcher;
    private final ConsumerRegistration registration;
    private final Thread deliveryThread;

    private final ReentrantLock lock = new ReentrantLock();
    private final ReceiveBuffer buffer;
    /** What was read, delivered and acknowledged; {@code next()} is the next id to read. */
    private final AckRing acks;
    /** The position this consumer last persisted (or found). */
    private long committed;
    /** Expired ids read past and not yet committed past (see the class javadoc); under {@link #lock}. */
    private final ExpiredIds expiredPending = new ExpiredIds();
    /** What one read skipped, reused read after read; the delivery thread's own (copied into {@link #expiredPending}). */
    private final ExpiredIds readSkipped = new ExpiredIds();

    /** The largest payload of the delivery thread's last read that returned messages; 0 before one did. Its own. */
    private long lastReadMaxSize;

    /** Storage reads made by the delivery thread, for tests. */
    private final AtomicLong reads = new AtomicLong();

    private RocksMqConsumer(RocksMqClient client, RocksMq mq, ConsumerOptions options,
                            ConsumerRegistration registration, long position) {
        this.client = client;
        this.mq = mq;
        this.topic = options.topic();
        this.subscription = options.subscription();
        this.autoAck = options.autoAck();
        this.dispatcher = options.messageListener()
                .map(l -> new ListenerDispatcher(this, l, options.listenerExecutor().orElse(null), autoAck,
                        ListenerErrors.LOGGING))
                .orElse(null);
        this.registration = registration;
        this.buffer = new ReceiveBuffer(lock, options.receiveBufferSize(), options.receiveBufferBytes(),
                this::closedException);
        this.acks = new AckRing(position);
        this.committed = position;
        this.deliveryThread = new Thread(this::deliver, "rocksmq-consumer-" + topic + "/" + subscription);
        this.deliveryThread.setDaemon(true);
    }

    /**
     * Creates the topic and the group if needed (a new group at the initial position) and registers for
     * wake-ups. Delivery, from the group's persisted position, begins with {@link #start()}: the caller
     * first records the consumer, since a listener may close it as soon as delivery begins.
     *
     * @throws io.rocksmq.api.InvalidNameException if a name is invalid; nothing is created then
     */
    static RocksMqConsumer open(RocksMqClient client, RocksMq mq, ConsumerOptions options) {
        String topic = options.topic();
        String group = options.subscription();
        boolean exists = mq.consumerGroupExists(topic, group); // checks both names before anything is created
        if (exists) {
            requireStreamGroup(mq, topic, group);
        }
        mq.createTopic(topic);
        boolean created = false;
        if (!exists) {
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

    /** Refuses an EXCLUSIVE consumer of a subscription that exists as a SHARED one. */
    private static void requireStreamGroup(RocksMq mq, String topic, String group) {
        try {
            mq.sharedGroup(topic, group);
        } catch (WrongGroupTypeException | ConsumerGroupNotFoundException stream) {
            return; // a stream group (or deleted meanwhile: created anew as a stream group below)
        }
        throw new WrongGroupTypeException(topic, group, true);
    }

    @Override
    public long bufferedBytes() {
        lock.lock();
        try {
            return buffer.bytes();
        } finally {
            lock.unlock();
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
    public List<Message> poll(int maxMessages, Duration timeout) {
        return poll(maxMessages, Long.MAX_VALUE, timeout);
    }

    @Override
    public List<Message> poll(int maxMessages, long maxBytes, Duration timeout) {
        long nanos = ReceiveBuffer.checkPoll(maxMessages, timeout, dispatcher != null);
        if (maxBytes <= 0) {
            throw new InvalidArgumentException("maxBytes must be positive, was " + maxBytes);
        }
        lock.lock();
        try {
            List<Message> out = buffer.take(maxMessages, maxBytes, nanos);
            for (Message m : out) {
                acks.delivered(m.id().offset());
            }
            if (autoAck && !out.isEmpty()) {
                acks.ackUpTo(out.get(out.size() - 1).id().offset());
                commitLocked();
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void ack(MessageId id) {
        long offset = offsetOf(id);
        lock.lock();
        try {
            buffer.checkUsable();
            if (acks.ack(offset)) {
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
            buffer.checkUsable();
            if (acks.ackUpTo(offset)) {
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
            buffer.checkUsable();
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
            buffer.checkUsable();
            repositionLocked(mq.messageIdAtOrAfter(topic, epochMillis));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<MessageId> latestMessageId() {
        lock.lock();
        try {
            if (buffer.isClosed()) {
                throw closedException();
            }
        } finally {
            lock.unlock();
        }
        long id = mq.latestMessageId(topic);
        return id < 0 ? Optional.empty() : Optional.of(MessageId.of(MessageMapper.PARTITION, id));
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (buffer.isClosed()) {
                return;
            }
            buffer.close();
        } finally {
            lock.unlock();
        }
        registration.close(); // ends the delivery thread's await
        Threads.joinUninterruptibly(deliveryThread);
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
            return acks.unacknowledged();
        } finally {
            lock.unlock();
        }
    }

    long storageReads() {
        return reads.get();
    }

    // ------------------------------------------------------------------ acknowledging

    /** Under {@link #lock}: persists the first unacknowledged id if it moved forward. */
    private void commitLocked() {
        long target = acks.position();
        if (target > committed) {
            mq.commitPosition(topic, subscription, target, expiredPending);
            expiredPending.dropBelow(target);
            committed = target;
        }
    }

    /** Under {@link #lock}: persists {@code target} as the position and restarts reading there. */
    private void repositionLocked(long target) {
        mq.seek(topic, subscription, target); // also wakes the delivery thread
        expiredPending.clear();
        buffer.clear();
        acks.reset(target);
        committed = target;
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
                long roomBytes;
                lock.lock();
                try {
                    if (!buffer.awaitRoom()) {
                        return;
                    }
                    gen = buffer.generation();
                    from = acks.next();
                    space = buffer.room();
                    roomBytes = buffer.roomBytes();
                } finally {
                    lock.unlock();
                }
                reads.incrementAndGet();
                ExpiredIds skipped = readSkipped;
                skipped.clear();
                List<ConsumerMessage> batch = mq.read(topic, from, readSize(space, roomBytes), skipped);
                if (!batch.isEmpty()) {
                    if (publish(gen, batch, skipped) && dispatcher != null) {
                        dispatcher.dispatch();
                    }
                    continue;
                }
                if (!skipped.isEmpty()) {
                    keepSkipped(gen, skipped);
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

    /**
     * How many messages the next read asks for: the free places ({@link #MAX_READ} at most), and no more
     * than the free bytes hold at the largest size of the last read (one before any read returned).
     */
    private int readSize(int space, long roomBytes) {
        int n = Math.min(space, MAX_READ);
        long bySize = lastReadMaxSize == 0 ? 1 : Math.max(1, roomBytes / Math.max(1, lastReadMaxSize));
        return (int) Math.min(n, bySize);
    }

    /**
     * Buffers what of a read fits the buffer's bounds, and keeps the expired ids it skipped, unless a seek or
     * close happened since it started. If not even its first message fits, waits until it would and
     * buffers nothing: the next read starts at that message again. False if nothing was buffered.
     */
    private boolean publish(long gen, List<ConsumerMessage> batch, ExpiredIds skipped) {
        List<Message> messages = new ArrayList<>(batch.size());
        long largest = 0;
        for (ConsumerMessage m : batch) {
            Message decoded = MessageMapper.decode(topic, m);
            largest = Math.max(largest, ReceiveBuffer.sizeOf(decoded));
            messages.add(decoded);
        }
        lastReadMaxSize = Math.max(1, largest);
        lock.lock();
        try {
            int fit = buffer.fitting(messages);
            if (fit == 0) {
                buffer.awaitRoomFor(ReceiveBuffer.sizeOf(messages.get(0)));
                return false; // read again from the same place (a seek, or close, may have come meanwhile)
            }
            List<Message> kept = fit == messages.size() ? messages : messages.subList(0, fit);
            if (!buffer.offer(gen, kept)) {
                return false;
            }
            for (int i = 0; i < fit; i++) {
                acks.read(batch.get(i).id());
            }
            // Ids of skipped expired messages past the kept ones are skipped again by the next read;
            // ExpiredIds holds each once, and the group counts them only when its position passes them.
            expiredPending.addAll(skipped);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Keeps the expired ids a read skipped that delivered nothing (they were the newest messages) unless a
     * seek or close happened since it started. The read cursor stays before them, so the next read
     * skips them again; {@link ExpiredIds} does not hold them twice.
     */
    private void keepSkipped(long gen, ExpiredIds skipped) {
        lock.lock();
        try {
            if (!buffer.isClosed() && buffer.generation() == gen) {
                expiredPending.addAll(skipped);
            }
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

    // ------------------------------------------------------------------ for the listener dispatcher

    /** Stops the consumer with {@code e}, which later calls throw. First failure wins; no-op once closed. */
    @Override
    public boolean fail(RuntimeException e) {
        lock.lock();
        try {
            if (!buffer.fail(e)) {
                return false;
            }
        } finally {
            lock.unlock();
        }
        if (dispatcher != null) {
            dispatcher.reportStopped(e);
        }
        return true;
    }

    @Override
    public Consumer consumer() {
        return this;
    }

    @Override
    public Message nextForListener() {
        lock.lock();
        try {
            Message m = buffer.poll();
            if (m != null) {
                acks.delivered(m.id().offset());
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
            return buffer.hasMessages();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void autoAck(MessageId id) {
        lock.lock();
        try {
            if (buffer.isClosed()) {
                return;
            }
            buffer.checkUsable();
            if (acks.ack(id.offset())) {
                commitLocked();
            }
        } finally {
            lock.unlock();
        }
    }
}
