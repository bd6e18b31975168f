package io.rocksmq.api;

import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Settings of a {@link Consumer}: built once with {@link #builder(String, String)}, validated by
 * {@link Builder#build()}, immutable afterwards. Defaults are the named constants below.
 *
 * <pre>{@code
 * ConsumerOptions opts = ConsumerOptions.builder("orders", "billing")
 *         .initialPosition(SubscriptionInitialPosition.EARLIEST)
 *         .receiveBufferSize(500)
 *         .build();
 * }</pre>
 *
 * <p>Thread-safe (immutable).
 */
public final class ConsumerOptions {
    /** As Kafka and Pulsar: a new subscription sees only messages sent after it was created. */
    public static final SubscriptionInitialPosition DEFAULT_INITIAL_POSITION = SubscriptionInitialPosition.LATEST;
    public static final int DEFAULT_RECEIVE_BUFFER_SIZE = 1000;
    /** 32 MiB of payload read ahead at most. */
    public static final long DEFAULT_RECEIVE_BUFFER_BYTES = 32L << 20;

    private final String topic;
    private final String subscription;
    private final SubscriptionInitialPosition initialPosition;
    private final int receiveBufferSize;
    private final long receiveBufferBytes;
    private final boolean autoAck;
    private final MessageListener messageListener;
    private final Executor listenerExecutor;
    private final SubscriptionType subscriptionType;
    /** Null for an EXCLUSIVE subscription. */
    private final SharedSubscription shared;

    private ConsumerOptions(Builder b) {
        this.subscriptionType = b.subscriptionType;
        this.shared = b.subscriptionType == SubscriptionType.SHARED
                ? (b.shared == null ? SharedSubscription.DEFAULTS : b.shared) : null;
        this.topic = b.topic;
        this.subscription = b.subscription;
        this.initialPosition = b.initialPosition;
        this.receiveBufferSize = b.receiveBufferSize;
        this.receiveBufferBytes = b.receiveBufferBytes;
        this.autoAck = b.autoAck;
        this.messageListener = b.messageListener;
        this.listenerExecutor = b.listenerExecutor;
    }

    /** Starts options for subscription {@code subscription} of {@code topic}; validated by {@link Builder#build()}. */
    public static Builder builder(String topic, String subscription) {
        return new Builder(topic, subscription);
    }

    public String topic() {
        return topic;
    }

    public String subscription() {
        return subscription;
    }

    /** Where the subscription starts if it does not exist yet. */
    public SubscriptionInitialPosition initialPosition() {
        return initialPosition;
    }

    /**
     * Most messages read ahead and held by the consumer before the application takes them. When the
     * buffer is full the consumer stops reading: a slow application never makes it hold more.
     */
    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    /**
     * Most payload bytes read ahead and held by the consumer before the application takes them, besides
     * {@link #receiveBufferSize()}: the consumer reads while it is below both bounds. A single message
     * larger than this still gets through, alone. Counts payloads only (not properties or keys). Served
     * ({@code rmq://}), the server pushes at most this many bytes before the consumer grants more, and may
     * exceed it by one message; with a server that predates byte credit only the message count bounds what
     * it pushes. Kafka: the consumer stops fetching once its buffer holds this many bytes (one fetch may
     * exceed it).
     */
    public long receiveBufferBytes() {
        return receiveBufferBytes;
    }

    /**
     * True: a message is acknowledged as it is handed to the application ({@code receive}/{@code poll}
     * return, or the listener returns normally), Milvus's "consuming advances the position". False
     * (default): the application acknowledges with {@link Consumer#ack} / {@link Consumer#ackCumulative}.
     */
    public boolean autoAck() {
        return autoAck;
    }

    /** The push-delivery listener, if any; a consumer with one does not accept {@code receive}/{@code poll}. */
    public Optional<MessageListener> messageListener() {
        return Optional.ofNullable(messageListener);
    }

    /** Where the listener runs; empty: on the consumer's own delivery thread. */
    public Optional<Executor> listenerExecutor() {
        return Optional.ofNullable(listenerExecutor);
    }

    /** {@link SubscriptionType#EXCLUSIVE} (the default) or {@link SubscriptionType#SHARED}. */
    public SubscriptionType subscriptionType() {
        return subscriptionType;
    }

    /** The shared subscription's settings; empty for an EXCLUSIVE one. */
    public Optional<SharedSubscription> shared() {
        return Optional.ofNullable(shared);
    }

    @Override
    public String toString() {
        return "ConsumerOptions{topic=" + topic + ", subscription=" + subscription + ", initialPosition="
                + initialPosition + ", receiveBufferSize=" + receiveBufferSize + ", receiveBufferBytes=" + receiveBufferBytes + ", autoAck=" + autoAck
                + ", listener=" + (messageListener != null) + ", type=" + subscriptionType
                + (shared == null ? "" : ", shared=" + shared) + '}';
    }

    /** Fluent builder. Not thread-safe. */
    public static final class Builder {
        private final String topic;
        private final String subscription;
        private SubscriptionInitialPosition initialPosition = DEFAULT_INITIAL_POSITION;
        private int receiveBufferSize = DEFAULT_RECEIVE_BUFFER_SIZE;
        private long receiveBufferBytes = DEFAULT_RECEIVE_BUFFER_BYTES;
        private boolean autoAck;
        private MessageListener messageListener;
        private Executor listenerExecutor;
        private SubscriptionType subscriptionType = SubscriptionType.EXCLUSIVE;
        private SharedSubscription shared;

        private Builder(String topic, String subscription) {
            this.topic = topic;
            this.subscription = subscription;
        }

        public Builder initialPosition(SubscriptionInitialPosition position) {
            this.initialPosition = position;
            return this;
        }

        public Builder receiveBufferSize(int size) {
            this.receiveBufferSize = size;
            return this;
        }

        /** See {@link ConsumerOptions#receiveBufferBytes()}; must be positive. */
        public Builder receiveBufferBytes(long bytes) {
            this.receiveBufferBytes = bytes;
            return this;
        }

        public Builder autoAck(boolean autoAck) {
            this.autoAck = autoAck;
            return this;
        }

        /** Switches the consumer to push delivery; see {@link MessageListener}. Null: no listener. */
        public Builder messageListener(MessageListener listener) {
            this.messageListener = listener;
            return this;
        }

        /**
         * Runs the listener on {@code executor} instead of the consumer's delivery thread (still one
         * message at a time, in order). Only valid together with a listener.
         */
        public Builder listenerExecutor(Executor executor) {
            this.listenerExecutor = executor;
            return this;
        }

        /** EXCLUSIVE (the default) or SHARED (with {@link SharedSubscription#DEFAULTS} unless {@link #shared} is set). */
        public Builder subscriptionType(SubscriptionType type) {
            this.subscriptionType = type;
            return this;
        }

        /** A SHARED subscription with these settings (used when it is created). */
        public Builder shared(SharedSubscription settings) {
            if (settings == null) {
                throw new InvalidArgumentException("shared subscription settings must not be null");
            }
            this.subscriptionType = SubscriptionType.SHARED;
            this.shared = settings;
            return this;
        }

        /**
         * Validates and freezes the options.
         *
         * @throws InvalidNameException     if the topic or subscription is null or empty (backends check
         *                                  the rest of the names when subscribing)
         * @throws InvalidArgumentException if the buffer size or bytes are not positive, the initial position is
         *                                  null, or an executor is set without a listener
         */
        public ConsumerOptions build() {
            Checks.name("topic", topic);
            Checks.name("subscription", subscription);
            Checks.positive("receiveBufferSize", receiveBufferSize);
            Checks.positive("receiveBufferBytes", receiveBufferBytes);
            if (subscriptionType == null) {
                throw new InvalidArgumentException("subscriptionType must not be null");
            }
            if (shared != null && subscriptionType != SubscriptionType.SHARED) {
                throw new InvalidArgumentException("shared settings given for an " + subscriptionType + " subscription");
            }
            if (initialPosition == null) {
                throw new InvalidArgumentException("initialPosition must not be null");
            }
            if (listenerExecutor != null && messageListener == null) {
                throw new InvalidArgumentException("listenerExecutor is set but no messageListener");
            }
            return new ConsumerOptions(this);
        }
    }
}
