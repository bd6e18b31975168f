package io.rocksmq.api;

import java.time.Duration;

/**
 * Settings of a {@link Producer}: built once with {@link #builder(String)}, validated by
 * {@link Builder#build()}, immutable afterwards. Defaults are the named constants below.
 *
 * <h2>Batching</h2>
 * A producer gathers sends made while it is busy into one write to the backend (group commit). With
 * {@link #batchingMaxDelay()} above zero it also lingers that long after the first pending send
 * waiting for more, trading latency for larger batches. A batch closes at
 * {@link #batchingMaxMessages()} messages or {@link #batchingMaxBytes()} payload bytes, whichever
 * comes first; {@link Producer#flush()} cuts the linger short.
 *
 * <h2>Automatic deduplication ids</h2>
 * With a {@link #producerName()} the producer gives every message sent without its own deduplication id
 * ({@link OutgoingMessage.Builder#deduplicationId}) the id {@code name:epoch:sequence}: the epoch is drawn
 * at random when the producer is created (so two producers of one name, or a restarted one, never share
 * an id and never drop each other's messages), the sequence counts the producer's sends in acceptance
 * order. A backend that resends on its own (the remote one, after a lost connection, within
 * {@link #sendTimeout()}) therefore stores each message once while the topic's deduplication window
 * lasts, and answers the resend with the original's id. Only the producer's own resends are covered: a
 * message the application sends again is a new message (give it an id of your own for that).
 *
 * <p>Thread-safe (immutable).
 */
public final class ProducerOptions {
    public static final int DEFAULT_BATCHING_MAX_MESSAGES = 1000;
    public static final int DEFAULT_BATCHING_MAX_BYTES = 4 << 20;
    /** No linger: batches form only from sends that arrive while the previous write is in progress. */
    public static final Duration DEFAULT_BATCHING_MAX_DELAY = Duration.ZERO;
    /** The largest accepted linger. */
    public static final Duration MAX_BATCHING_DELAY = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_PENDING_MESSAGES = 10_000;
    /** How long a producer with a {@link #producerName()} keeps resending a message a lost connection left unanswered. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);
    /** Longest producer name, in characters (its ids must fit {@link OutgoingMessage#MAX_DEDUPLICATION_ID_BYTES}). */
    public static final int MAX_PRODUCER_NAME_LENGTH = 64;

    private final String topic;
    private final int batchingMaxMessages;
    private final int batchingMaxBytes;
    private final Duration batchingMaxDelay;
    private final int maxPendingMessages;
    private final String producerName;
    private final Duration sendTimeout;

    private ProducerOptions(Builder b) {
        this.topic = b.topic;
        this.batchingMaxMessages = b.batchingMaxMessages;
        this.batchingMaxBytes = b.batchingMaxBytes;
        this.batchingMaxDelay = b.batchingMaxDelay;
        this.maxPendingMessages = b.maxPendingMessages;
        this.producerName = b.producerName;
        this.sendTimeout = b.sendTimeout;
    }

    /**
     * Starts options for a producer of {@code topic}. The topic is validated by {@link Builder#build()}.
     */
    public static Builder builder(String topic) {
        return new Builder(topic);
    }

    /**
     * Default options for {@code topic}.
     *
     * @throws InvalidNameException if the topic is null or empty
     */
    public static ProducerOptions of(String topic) {
        return builder(topic).build();
    }

    public String topic() {
        return topic;
    }

    /** Most messages in one write. */
    public int batchingMaxMessages() {
        return batchingMaxMessages;
    }

    /** Most payload bytes in one write (a single larger message is still sent, alone). */
    public int batchingMaxBytes() {
        return batchingMaxBytes;
    }

    /** How long a pending send may wait for others to join its batch. */
    public Duration batchingMaxDelay() {
        return batchingMaxDelay;
    }

    /** Most sends accepted but not completed; {@link Producer#sendAsync} blocks while it is reached. */
    public int maxPendingMessages() {
        return maxPendingMessages;
    }

    /** The name in automatic deduplication ids, or null: none (the default). See the class comment. */
    public String producerName() {
        return producerName;
    }

    /**
     * With a {@link #producerName()}: how long after a send was accepted the producer may still resend it
     * after a lost connection; afterwards the send fails with the connection's error.
     */
    public Duration sendTimeout() {
        return sendTimeout;
    }

    @Override
    public String toString() {
        return "ProducerOptions{topic=" + topic + ", batchingMaxMessages=" + batchingMaxMessages
                + ", batchingMaxBytes=" + batchingMaxBytes + ", batchingMaxDelay=" + batchingMaxDelay
                + ", maxPendingMessages=" + maxPendingMessages + ", producerName=" + producerName
                + ", sendTimeout=" + sendTimeout + '}';
    }

    /** Fluent builder. Not thread-safe. */
    public static final class Builder {
        private final String topic;
        private int batchingMaxMessages = DEFAULT_BATCHING_MAX_MESSAGES;
        private int batchingMaxBytes = DEFAULT_BATCHING_MAX_BYTES;
        private Duration batchingMaxDelay = DEFAULT_BATCHING_MAX_DELAY;
        private int maxPendingMessages = DEFAULT_MAX_PENDING_MESSAGES;
        private String producerName;
        private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;

        private Builder(String topic) {
            this.topic = topic;
        }

        public Builder batchingMaxMessages(int max) {
            this.batchingMaxMessages = max;
            return this;
        }

        public Builder batchingMaxBytes(int max) {
            this.batchingMaxBytes = max;
            return this;
        }

        public Builder batchingMaxDelay(Duration delay) {
            this.batchingMaxDelay = delay;
            return this;
        }

        public Builder maxPendingMessages(int max) {
            this.maxPendingMessages = max;
            return this;
        }

        /** Turns automatic deduplication ids on with this name (null: off); see the class comment. */
        public Builder producerName(String name) {
            this.producerName = name;
            return this;
        }

        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = timeout;
            return this;
        }

        /**
         * Validates and freezes the options.
         *
         * @throws InvalidNameException     if the topic is null or empty (backends check the rest of
         *                                  the name when the producer is created)
         * @throws InvalidArgumentException if a count or size is not positive, or the delay is null,
         *                                  negative or above {@link #MAX_BATCHING_DELAY}, the producer name
         *                                  is empty, longer than {@link #MAX_PRODUCER_NAME_LENGTH} or not
         *                                  printable ASCII, or the send timeout is null or not positive
         */
        public ProducerOptions build() {
            Checks.name("topic", topic);
            Checks.positive("batchingMaxMessages", batchingMaxMessages);
            Checks.positive("batchingMaxBytes", batchingMaxBytes);
            Checks.positive("maxPendingMessages", maxPendingMessages);
            if (batchingMaxDelay == null || batchingMaxDelay.isNegative()
                    || batchingMaxDelay.compareTo(MAX_BATCHING_DELAY) > 0) {
                throw new InvalidArgumentException("batchingMaxDelay must be between 0 and "
                        + MAX_BATCHING_DELAY + ", was " + batchingMaxDelay);
            }
            if (producerName != null && (producerName.isEmpty() || producerName.length() > MAX_PRODUCER_NAME_LENGTH
                    || !producerName.chars().allMatch(c -> c > ' ' && c < 0x7f))) {
                throw new InvalidArgumentException("producerName must be 1 to " + MAX_PRODUCER_NAME_LENGTH
                        + " printable ASCII characters without spaces, was '" + producerName + "'");
            }
            if (sendTimeout == null || sendTimeout.isNegative() || sendTimeout.isZero()) {
                throw new InvalidArgumentException("sendTimeout must be positive, was " + sendTimeout);
            }
            return new ProducerOptions(this);
        }
    }
}
