package io.rocksmq.api.internals;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.SubscriptionInUseException;
import io.rocksmq.api.SubscriptionType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every {@link MqClient} backend shares: the closed flag, the open producers, and at most one open
 * consumer per subscription. {@link #createProducer}, {@link #subscribe} and {@link #close} are templates;
 * a backend supplies the hooks ({@link #openProducer}, {@link #openConsumer}, {@link #startConsumer},
 * {@link #closeBackend}) and its producers and consumers call {@link #producerClosed} /
 * {@link #consumerClosed} when they close.
 *
 * <h2>States</h2>
 * OPEN → CLOSED, once ({@link #closed}, a CAS in {@link #close}). A subscription's entry in
 * {@link #subscriptions} goes absent → {@link #CLAIMED} → the consumer → absent: the claim is taken with
 * one {@code putIfAbsent} before the backend opens anything, so two concurrent subscribes can never both
 * open a consumer; a failed open releases it. A create or subscribe that races with {@code close} checks
 * the flag again after registering what it opened, and closes it itself if {@code close} may have missed it.
 *
 * <p>Thread-safe: no lock; the maps are concurrent.
 *
 * @param <P> the backend's producer type
 * @param <C> the backend's consumer type
 */
public abstract class AbstractMqClient<P extends Producer, C extends Consumer> implements MqClient {
    /** The placeholder of a subscription whose consumer is being opened. */
    private static final Object CLAIMED = new Object();

    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<P> producers = ConcurrentHashMap.newKeySet();
    /** Per subscription key: {@link #CLAIMED} or the open consumer. */
    private final ConcurrentHashMap<String, Object> subscriptions = new ConcurrentHashMap<>();
    /** Numbers the entries of SHARED consumers in {@link #subscriptions}. */
    private final AtomicLong sharedConsumers = new AtomicLong();

    // ------------------------------------------------------------------ hooks

    /** Creates the topic if needed and a started producer. Options are not null; the client was open. */
    protected abstract P openProducer(ProducerOptions options);

    /**
     * Checks everything about {@code options} this backend requires, changing nothing: runs before the
     * subscription is claimed and before anything is created (names the backend cannot hold, ...).
     */
    protected void validateSubscription(ConsumerOptions options) {
    }

    /**
     * Opens a consumer, not yet delivering: creates the topic and subscription if needed. The subscription is
     * claimed for it; if this throws, the claim is released.
     */
    protected abstract C openConsumer(ConsumerOptions options);

    /** Starts delivery; called once the consumer is registered, because a listener may close it at once. */
    protected abstract void startConsumer(C consumer);

    /** Releases what the backend itself holds, after every producer and consumer was closed. */
    protected abstract void closeBackend(Closer closer);

    // ------------------------------------------------------------------ templates

    @Override
    public final Producer createProducer(ProducerOptions options) {
        if (options == null) {
            throw new InvalidArgumentException("producer options must not be null");
        }
        checkOpen();
        P producer = openProducer(options);
        producers.add(producer);
        if (closed.get()) { // raced with close(): it may have missed this producer
            producer.close();
            throw closedException();
        }
        return producer;
    }

    @Override
    public final Consumer subscribe(ConsumerOptions options) {
        if (options == null) {
            throw new InvalidArgumentException("consumer options must not be null");
        }
        checkOpen();
        validateSubscription(options);
        String key = key(options.topic(), options.subscription());
        if (options.subscriptionType() == SubscriptionType.SHARED) {
            // Any number of consumers share it: each gets its own entry.
            key = key + '\0' + sharedConsumers.incrementAndGet();
        }
        if (subscriptions.putIfAbsent(key, CLAIMED) != null) {
            throw new SubscriptionInUseException(options.topic(), options.subscription());
        }
        C consumer;
        try {
            consumer = openConsumer(options);
        } catch (RuntimeException | Error e) {
            subscriptions.remove(key, CLAIMED);
            throw e;
        }
        subscriptions.put(key, consumer);
        startConsumer(consumer);
        if (closed.get()) {
            consumer.close();
            throw closedException();
        }
        return consumer;
    }

    /**
     * Closes every producer, then every consumer, then the backend ({@link #closeBackend}); goes on after a
     * failure and throws the first at the end, the others suppressed on it. Idempotent.
     */
    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Closer closer = new Closer();
        for (P p : List.copyOf(producers)) {
            closer.close(p);
        }
        for (C c : openConsumers()) {
            closer.close(c);
        }
        closeBackend(closer);
        closer.throwIfFailed();
    }

    // ------------------------------------------------------------------ for the backend

    /** Called by a producer when it closes. */
    public final void producerClosed(P producer) {
        producers.remove(producer);
    }

    /** Called by a consumer when it closes: its subscription may be consumed again. */
    public final void consumerClosed(C consumer) {
        if (!subscriptions.remove(key(consumer.topic(), consumer.subscription()), consumer)) {
            subscriptions.values().remove(consumer); // a SHARED consumer, under its numbered key
        }
    }

    /** Throws {@link QueueClosedException} once the client is closed. */
    protected final void checkOpen() {
        if (closed.get()) {
            throw closedException();
        }
    }

    /** The consumers open now (a snapshot). */
    @SuppressWarnings("unchecked")
    protected final List<C> openConsumers() {
        List<C> out = new ArrayList<>();
        for (Object o : subscriptions.values()) {
            if (o != CLAIMED) {
                out.add((C) o);
            }
        }
        return out;
    }

    /** The open consumer of a subscription, if any. */
    @SuppressWarnings("unchecked")
    protected final Optional<C> consumerOf(String topic, String subscription) {
        Object o = subscriptions.get(key(topic, subscription));
        return o == null || o == CLAIMED ? Optional.empty() : Optional.of((C) o);
    }

    private static QueueClosedException closedException() {
        return new QueueClosedException("client is closed");
    }

    private static String key(String topic, String subscription) {
        // Subscription names cannot hold control characters, so NUL separates them unambiguously.
        return topic + '\0' + subscription;
    }
}
