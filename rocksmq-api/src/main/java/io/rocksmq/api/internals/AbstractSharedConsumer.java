package io.rocksmq.api.internals;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SubscriptionType;
import io.rocksmq.api.WrongGroupTypeException;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What every backend's consumer of a {@link SubscriptionType#SHARED} subscription shares: the deliveries this
 * consumer holds (by message id, each with its delivery attempt in {@link Message#deliveryCount()} and the
 * backend's receipt {@code R} that answers it), the answers that name them, push delivery through a
 * {@link ListenerDispatcher}, and a close that gives back what is still held. A backend supplies how to
 * acquire deliveries and how to answer one ({@link #acquire}, {@link #settle}, {@link #renewLock}), how to end
 * a waiting acquire ({@link #wakeUp}), and what to release at the end ({@link #closeBackend}). The receipt is
 * kept here, beside the message, so a backend needs no map of its own in step with {@link #held}.
 *
 * <h2>States and locks</h2>
 * OPEN → FAILED (the delivery thread or a listener failed: later calls throw the failure) → CLOSED, or OPEN →
 * CLOSED; {@link #closed} and {@link #failure} change under {@link #lock} only. {@link #lock} also guards
 * {@link #held} and {@link #buffer}; it is never held while calling the backend, so a slow backend call never
 * blocks another thread's answer. An answer first takes its delivery out of {@link #held} (so two answers
 * of one delivery cannot both reach the backend), then calls the backend; a refused answer does not put it
 * back (the backend said it is not this consumer's any more). {@link #pollLock} serialises the waits of
 * {@link #poll} (a backend may wait on one registration per consumer).
 *
 * <p>Thread-safe.
 *
 * @param <R> the backend's receipt of one delivery (what its {@link #settle} and {@link #renewLock} need)
 */
public abstract class AbstractSharedConsumer<R> implements Consumer, ListenerDispatcher.Target {
    /** Most deliveries the listener's delivery thread takes at a time. */
    public static final int LISTENER_BATCH = 16;
    private static final Duration PARK = Duration.ofMinutes(10);

    /** The answers {@link #settle} carries out. */
    protected enum Outcome {
        /** Done, never delivered again. */
        ACK,
        /** Delivered again, after the given delay (null: the subscription's own). */
        RELEASE,
        /** Dead-lettered now. */
        REJECT
    }

    /**
     * A delivery this consumer holds: the message handed to the application and the backend's receipt for
     * answering it.
     *
     * @param message the message, with its delivery attempt in {@link Message#deliveryCount()}
     * @param receipt what the backend needs to answer this delivery (never null)
     * @param <R>     the receipt's type
     */
    protected record Held<R>(Message message, R receipt) {
        public Held {
            if (message == null || receipt == null) {
                throw new IllegalArgumentException("a held delivery needs its message and its receipt");
            }
        }
    }

    private final String topic;
    private final String subscription;
    private final boolean autoAck;
    /** Null without a listener. */
    private final ListenerDispatcher dispatcher;
    /** Null without a listener. */
    private final Thread deliveryThread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private final ReentrantLock pollLock = new ReentrantLock();
    /** The deliveries this consumer holds, by message id, each with its backend receipt. */
    private final Map<MessageId, Held<R>> held = new HashMap<>();
    /** Acquired for the listener, not yet handed to it. */
    private final ArrayDeque<Message> buffer = new ArrayDeque<>();
    private RuntimeException failure;
    private boolean closed;

    protected AbstractSharedConsumer(ConsumerOptions options, String threadNamePrefix) {
        this.topic = options.topic();
        this.subscription = options.subscription();
        this.autoAck = options.autoAck();
        this.dispatcher = options.messageListener()
                .map(l -> new ListenerDispatcher(this, l, options.listenerExecutor().orElse(null), autoAck,
                        ListenerErrors.LOGGING))
                .orElse(null);
        this.deliveryThread = dispatcher == null ? null
                : new Thread(this::deliver, threadNamePrefix + "-" + topic + "/" + subscription);
        if (deliveryThread != null) {
            deliveryThread.setDaemon(true);
        }
    }

    // ------------------------------------------------------------------ hooks

    /**
     * Up to {@code max} new deliveries, waiting up to {@code timeout} for the first. Returns empty (or throws
     * {@link QueueClosedException}) soon after {@link #wakeUp}. Each message's {@link Message#deliveryCount()}
     * is its delivery attempt.
     */
    protected abstract List<Held<R>> acquire(int max, Duration timeout);

    /** Answers a delivery this consumer held (already taken out of its held deliveries). */
    protected abstract void settle(Held<R> delivery, Outcome outcome, Duration delay);

    /** Extends the lock of a delivery this consumer holds; returns the new deadline (epoch ms). */
    protected abstract long renewLock(Held<R> delivery);

    /** Ends a waiting {@link #acquire}; called once, by {@link #close}. */
    protected abstract void wakeUp();

    /**
     * Releases the backend's resources, after the held deliveries were given back; failures are the
     * backend's to log. Tells the client the consumer closed.
     */
    protected abstract void closeBackend();

    /** Checks that {@code id} can name a message of this consumer; throws {@link InvalidArgumentException}. */
    protected void checkId(MessageId id) {
        if (id == null) {
            throw new InvalidArgumentException("message id must not be null");
        }
    }

    /** Starts the listener's delivery thread, if there is a listener. Call once, after construction. */
    public final void start() {
        if (deliveryThread != null) {
            deliveryThread.start();
        }
    }

    // ------------------------------------------------------------------ Consumer

    @Override
    public final String topic() {
        return topic;
    }

    @Override
    public final String subscription() {
        return subscription;
    }

    @Override
    public final SubscriptionType subscriptionType() {
        return SubscriptionType.SHARED;
    }

    @Override
    public final List<Message> poll(int maxMessages, Duration timeout) {
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
    public final void ack(MessageId id) {
        settle(takeHeld(id), Outcome.ACK, null);
    }

    @Override
    public final void ackCumulative(MessageId id) {
        throw new WrongGroupTypeException(topic, subscription, true);
    }

    @Override
    public final void release(Message message, Duration delay) {
        if (delay != null && delay.isNegative()) {
            throw new InvalidArgumentException("release delay must not be negative, was " + delay);
        }
        settle(takeHeld(message == null ? null : message.id()), Outcome.RELEASE, delay);
    }

    @Override
    public final void reject(Message message) {
        settle(takeHeld(message == null ? null : message.id()), Outcome.REJECT, null);
    }

    @Override
    public final long renew(Message message) {
        MessageId id = message == null ? null : message.id();
        checkId(id);
        Held<R> delivery;
        lock.lock();
        try {
            checkUsableLocked();
            delivery = heldOrThrow(id, held.get(id));
        } finally {
            lock.unlock();
        }
        return renewLock(delivery);
    }

    @Override
    public final void seek(MessageId id, boolean inclusive) {
        throw new WrongGroupTypeException(topic, subscription, true);
    }

    @Override
    public final void seekToTimestamp(long epochMillis) {
        throw new WrongGroupTypeException(topic, subscription, true);
    }

    /** Gives back every delivery still held (for the other consumers, at once), then stops. Idempotent. */
    @Override
    public final void close() {
        List<Held<R>> stillHeld;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            stillHeld = new ArrayList<>(held.values());
            held.clear();
            buffer.clear();
            drained.signalAll();
        } finally {
            lock.unlock();
        }
        wakeUp();
        if (deliveryThread != null && deliveryThread != Thread.currentThread()) {
            Threads.joinUninterruptibly(deliveryThread);
        }
        giveBack(stillHeld);
        closeBackend();
    }

    /** Whether {@link #close} was called. */
    protected final boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Throws the failure or {@link QueueClosedException} if the consumer stopped. */
    protected final void checkUsable() {
        lock.lock();
        try {
            checkUsableLocked();
        } finally {
            lock.unlock();
        }
    }

    protected final QueueClosedException closedException() {
        return new QueueClosedException("consumer of subscription '" + subscription + "' on topic '" + topic
                + "' is closed");
    }

    // ------------------------------------------------------------------ internals

    /** Acquires up to {@code max} deliveries, waiting up to {@code timeout}, and records them as held. */
    private List<Message> take(int max, Duration timeout) {
        List<Held<R>> got = acquire(max, timeout);
        boolean closedMeanwhile;
        List<Message> messages = new ArrayList<>(got.size());
        lock.lock();
        try {
            closedMeanwhile = closed;
            if (!closedMeanwhile) {
                for (Held<R> h : got) {
                    held.put(h.message().id(), h);
                    messages.add(h.message());
                }
            }
        } finally {
            lock.unlock();
        }
        if (closedMeanwhile) { // closed while acquiring: give them back rather than keep them locked
            giveBack(got);
            throw closedException();
        }
        return messages;
    }

    private void giveBack(List<Held<R>> deliveries) {
        for (Held<R> h : deliveries) {
            try {
                settle(h, Outcome.RELEASE, Duration.ZERO);
            } catch (RocksMqException ignored) {
                // expired, taken or gone meanwhile: nothing to give back
            }
        }
    }

    /** Takes the held delivery of {@code id} out of {@link #held}. */
    private Held<R> takeHeld(MessageId id) {
        checkId(id);
        lock.lock();
        try {
            checkUsableLocked();
            return heldOrThrow(id, held.remove(id));
        } finally {
            lock.unlock();
        }
    }

    private Held<R> heldOrThrow(MessageId id, Held<R> delivery) {
        if (delivery == null) {
            throw new DeliveryNotFoundException(subscription, id.offset(), "this consumer does not hold it");
        }
        return delivery;
    }

    private void checkUsableLocked() {
        if (closed) {
            throw closedException();
        }
        if (failure != null) {
            throw failure;
        }
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

    // ------------------------------------------------------------------ for the listener dispatcher

    @Override
    public final Consumer consumer() {
        return this;
    }

    @Override
    public final Message nextForListener() {
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
    public final boolean hasNextForListener() {
        lock.lock();
        try {
            return !closed && failure == null && !buffer.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final void autoAck(MessageId id) {
        if (isClosed()) {
            return;
        }
        ack(id);
    }

    @Override
    public final void listenerFailed(Message m) {
        try {
            release(m, null);
        } catch (RocksMqException e) {
            // closed, expired or taken meanwhile: its lock expiry redelivers it anyway
        }
    }

    @Override
    public final boolean fail(RuntimeException e) {
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
