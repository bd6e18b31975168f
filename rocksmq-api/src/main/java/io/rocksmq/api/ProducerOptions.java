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

    private final String topic;
    private final int batchingMaxMessages;
    private final int batchingMaxBytes;
    private final Duration batchingMaxDelay;
    private final int maxPendingMessages;

    private ProducerOptions(Builder b) {
        this.topic = b.topic;
        this.batchingMaxMessages = b.batchingMaxMessages;
        this.batchingMaxBytes = b.batchingMaxBytes;
        this.batchingMaxDelay = b.batchingMaxDelay;
        this.maxPendingMessages = b.maxPendingMessages;
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

    @Override
    public String toString() {
        return "ProducerOptions{topic=" + topic + ", batchingMaxMessages=" + batchingMaxMessages
                + ", batchingMaxBytes=" + batchingMaxBytes + ", batchingMaxDelay=" + batchingMaxDelay
                + ", maxPendingMessages=" + maxPendingMessages + '}';
    }

    /** Fluent builder. Not thread-safe. */
    public static final class Builder {
        private final String topic;
        private int batchingMaxMessages = DEFAULT_BATCHING_MAX_MESSAGES;
        private int batchingMaxBytes = DEFAULT_BATCHING_MAX_BYTES;
        private Duration batchingMaxDelay = DEFAULT_BATCHING_MAX_DELAY;
        private int maxPendingMessages = DEFAULT_MAX_PENDING_MESSAGES;

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

        /**
         * Validates and freezes the options.
         *
         * @throws InvalidNameException     if the topic is null or empty (backends check the rest of
         *                                  the name when the producer is created)
         * @throws InvalidArgumentException if a count or size is not positive, or the delay is null,
         *                                  negative or above {@link #MAX_BATCHING_DELAY}
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
            return new ProducerOptions(this);
        }
    }
}
