package io.rocksmq.kafka;

import io.rocksmq.api.InvalidArgumentException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Settings of a {@link KafkaMqClient}: built once with {@link #builder(String)} (or parsed from a
 * {@code kafka://} URI by {@link KafkaMqClientProvider}), validated by {@link Builder#build()}, immutable
 * afterwards. Defaults are the named constants below.
 *
 * <pre>{@code
 * KafkaOptions options = KafkaOptions.builder("kafka1:9092,kafka2:9092")
 *         .partitions(6)
 *         .replicationFactor((short) 3)
 *         .retention(Duration.ofDays(7))
 *         .clientProperty("security.protocol", "SSL")
 *         .build();
 * try (MqClient client = KafkaMqClient.open(options)) { ... }
 * }</pre>
 *
 * <h2>Topic defaults</h2>
 * {@link #partitions()}, {@link #replicationFactor()}, {@link #retentionMs()}, {@link #retentionBytes()},
 * {@link #topicConfigs()} and {@link #logAppendTime()} apply to the topics this client creates (on first
 * use or with {@code createTopic}); topics that already exist keep their own settings.
 *
 * <h2>Client properties</h2>
 * {@link Builder#clientProperty} passes any Kafka client setting (security, compression, buffer sizes,
 * {@code acks}, ...) to the producers, consumers and admin client this client makes; Kafka ignores, with a
 * warning, those that do not apply to one of them. The few settings the backend's semantics rest on are
 * rejected ({@link #RESERVED_CLIENT_PROPERTIES}).
 *
 * <p>Thread-safe (immutable).
 */
public final class KafkaOptions {
    /** One partition, so a topic's order is total as on the embedded backend. */
    public static final int DEFAULT_PARTITIONS = 1;
    /** How long one request to the cluster may take before the call fails with a {@code StorageException}. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** How long opening a client waits for the cluster to answer, and Kafka's connection set-up timeout. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(10);
    /** How often an idle consumer checks that its topic and subscription still exist. */
    public static final Duration DEFAULT_SUBSCRIPTION_CHECK_INTERVAL = Duration.ofSeconds(10);
    public static final CommitMode DEFAULT_COMMIT_MODE = CommitMode.SYNC;

    /**
     * Kafka client settings the backend fixes itself: serializers, group membership and offset handling
     * are what the mapping to the client API rests on.
     */
    public static final Set<String> RESERVED_CLIENT_PROPERTIES = Set.of(
            "bootstrap.servers", "key.serializer", "value.serializer", "key.deserializer", "value.deserializer",
            "group.id", "group.instance.id", "enable.auto.commit", "auto.offset.reset", "max.poll.records",
            "allow.auto.create.topics", "client.id", "transactional.id");

    /** How acknowledgements reach Kafka. Thread-safe (immutable). */
    public enum CommitMode {
        /**
         * {@code ack}/{@code ackCumulative} return once Kafka has stored the new committed offset
         * ({@code commitSync}), as the embedded backend persists the position before returning.
         */
        SYNC,
        /**
         * {@code ack}/{@code ackCumulative} return at once; the consumer commits with {@code commitAsync}
         * and once more, synchronously, when it closes. Faster; a crash may forget the latest
         * acknowledgements, so those messages are delivered again (still at-least-once).
         */
        ASYNC
    }

    private final String bootstrapServers;
    private final Map<String, String> clientProperties;
    private final int partitions;
    private final Short replicationFactor;
    private final Long retentionMs;
    private final Long retentionBytes;
    private final Map<String, String> topicConfigs;
    private final boolean logAppendTime;
    private final Duration requestTimeout;
    private final Duration connectionTimeout;
    private final Duration subscriptionCheckInterval;
    private final CommitMode commitMode;

    private KafkaOptions(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.clientProperties = Map.copyOf(b.clientProperties);
        this.partitions = b.partitions;
        this.replicationFactor = b.replicationFactor;
        this.retentionMs = b.retentionMs;
        this.retentionBytes = b.retentionBytes;
        this.topicConfigs = Map.copyOf(b.topicConfigs);
        this.logAppendTime = b.logAppendTime;
        this.requestTimeout = b.requestTimeout;
        this.connectionTimeout = b.connectionTimeout;
        this.subscriptionCheckInterval = b.subscriptionCheckInterval;
        this.commitMode = b.commitMode;
    }

    /**
     * Starts options for the cluster at {@code bootstrapServers} ({@code host:port[,host:port...]}); validated
     * by {@link Builder#build()}.
     */
    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    /** {@code host:port[,host:port...]}: Kafka's {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Kafka client settings passed through to every producer, consumer and admin client; immutable. */
    public Map<String, String> clientProperties() {
        return clientProperties;
    }

    /** Partitions of a topic this client creates. */
    public int partitions() {
        return partitions;
    }

    /** Replication factor of a topic this client creates; empty: the broker's {@code default.replication.factor}. */
    public Optional<Short> replicationFactor() {
        return Optional.ofNullable(replicationFactor);
    }

    /** The topic config {@code retention.ms} of a topic this client creates; empty: the broker's default. */
    public OptionalLong retentionMs() {
        return retentionMs == null ? OptionalLong.empty() : OptionalLong.of(retentionMs);
    }

    /** The topic config {@code retention.bytes} (per partition) of a topic this client creates; empty: the broker's default. */
    public OptionalLong retentionBytes() {
        return retentionBytes == null ? OptionalLong.empty() : OptionalLong.of(retentionBytes);
    }

    /** Further topic configs of a topic this client creates (for example {@code min.insync.replicas}); immutable. */
    public Map<String, String> topicConfigs() {
        return topicConfigs;
    }

    /**
     * True (default): topics this client creates use {@code message.timestamp.type=LogAppendTime}, so a
     * message's publish time is when the broker stored it, as on the embedded backend. False: Kafka's
     * {@code CreateTime}, the producer's clock.
     */
    public boolean logAppendTime() {
        return logAppendTime;
    }

    /** Kafka's {@code request.timeout.ms} and {@code default.api.timeout.ms}: the bound of one blocking call. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * How long {@link KafkaMqClient#open} waits for the cluster to answer before it fails, and Kafka's
     * {@code socket.connection.setup.timeout.ms}.
     */
    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    /**
     * How often a consumer checks, while its poll loop is otherwise idle, that its topic and subscription
     * still exist, so that one deleted by another client ends it with the same exception as on the
     * embedded backend.
     */
    public Duration subscriptionCheckInterval() {
        return subscriptionCheckInterval;
    }

    /** How acknowledgements are committed; see {@link CommitMode}. */
    public CommitMode commitMode() {
        return commitMode;
    }

    @Override
    public String toString() {
        return "KafkaOptions{bootstrapServers=" + bootstrapServers + ", clientProperties=" + clientProperties.keySet()
                + ", partitions=" + partitions + ", replicationFactor=" + replicationFactor
                + ", retentionMs=" + retentionMs + ", retentionBytes=" + retentionBytes
                + ", topicConfigs=" + topicConfigs + ", logAppendTime=" + logAppendTime
                + ", requestTimeout=" + requestTimeout + ", connectionTimeout=" + connectionTimeout
                + ", subscriptionCheckInterval=" + subscriptionCheckInterval + ", commitMode=" + commitMode + '}';
    }

    /** Fluent builder. Not thread-safe. */
    public static final class Builder {
        private final String bootstrapServers;
        private final Map<String, String> clientProperties = new LinkedHashMap<>();
        private int partitions = DEFAULT_PARTITIONS;
        private Short replicationFactor;
        private Long retentionMs;
        private Long retentionBytes;
        private final Map<String, String> topicConfigs = new LinkedHashMap<>();
        private boolean logAppendTime = true;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
        private Duration subscriptionCheckInterval = DEFAULT_SUBSCRIPTION_CHECK_INTERVAL;
        private CommitMode commitMode = DEFAULT_COMMIT_MODE;

        private Builder(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
        }

        /** Sets one Kafka client setting (see the class javadoc); null removes it. */
        public Builder clientProperty(String name, String value) {
            if (value == null) {
                clientProperties.remove(name);
            } else {
                clientProperties.put(name, value);
            }
            return this;
        }

        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        /** Null: the broker's default. */
        public Builder replicationFactor(Short replicationFactor) {
            this.replicationFactor = replicationFactor;
            return this;
        }

        /** Sets {@code retention.ms}; null: the broker's default; -1: no time limit. */
        public Builder retentionMs(Long ms) {
            this.retentionMs = ms;
            return this;
        }

        /** {@link #retentionMs} from a duration; null: the broker's default. */
        public Builder retention(Duration retention) {
            this.retentionMs = retention == null ? null : retention.toMillis();
            return this;
        }

        /** Sets {@code retention.bytes} (per partition); null: the broker's default; -1: no size limit. */
        public Builder retentionBytes(Long bytes) {
            this.retentionBytes = bytes;
            return this;
        }

        /** Sets one topic config of the topics this client creates; null removes it. */
        public Builder topicConfig(String name, String value) {
            if (value == null) {
                topicConfigs.remove(name);
            } else {
                topicConfigs.put(name, value);
            }
            return this;
        }

        public Builder logAppendTime(boolean logAppendTime) {
            this.logAppendTime = logAppendTime;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        public Builder connectionTimeout(Duration timeout) {
            this.connectionTimeout = timeout;
            return this;
        }

        public Builder subscriptionCheckInterval(Duration interval) {
            this.subscriptionCheckInterval = interval;
            return this;
        }

        public Builder commitMode(CommitMode mode) {
            this.commitMode = mode;
            return this;
        }

        /**
         * Validates and freezes the options.
         *
         * @throws InvalidArgumentException if the bootstrap servers are missing or not {@code host:port}
         *                                  pairs, a count or duration is not positive, a retention is below
         *                                  -1, a reserved client property or {@code acks=0} is set, or a
         *                                  topic config is set
         *                                  that {@link #retentionMs}/{@link #retentionBytes}/{@link #logAppendTime}
         *                                  already control
         */
        public KafkaOptions build() {
            checkBootstrap(bootstrapServers);
            for (String name : clientProperties.keySet()) {
                if (name == null || name.isBlank()) {
                    throw new InvalidArgumentException("client property names must not be blank");
                }
                if (RESERVED_CLIENT_PROPERTIES.contains(name)) {
                    throw new InvalidArgumentException("client property '" + name + "' is set by the Kafka backend"
                            + " itself and cannot be passed through (reserved: " + RESERVED_CLIENT_PROPERTIES + ")");
                }
            }
            if ("0".equals(clientProperties.get("acks"))) {
                // With acks=0 Kafka returns no offset, and every send must return its MessageId.
                throw new InvalidArgumentException("acks=0 is not supported: a send must return the message's id");
            }
            for (String name : topicConfigs.keySet()) {
                if (name == null || name.isBlank()) {
                    throw new InvalidArgumentException("topic config names must not be blank");
                }
                if (name.equals("retention.ms") || name.equals("retention.bytes")
                        || name.equals("message.timestamp.type")) {
                    throw new InvalidArgumentException("topic config '" + name + "' is set with retentionMs,"
                            + " retentionBytes or logAppendTime");
                }
            }
            if (partitions <= 0) {
                throw new InvalidArgumentException("partitions must be positive, was " + partitions);
            }
            if (replicationFactor != null && replicationFactor <= 0) {
                throw new InvalidArgumentException("replicationFactor must be positive, was " + replicationFactor);
            }
            if (retentionMs != null && retentionMs < -1) {
                throw new InvalidArgumentException("retentionMs must be -1 (unlimited) or more, was " + retentionMs);
            }
            if (retentionBytes != null && retentionBytes < -1) {
                throw new InvalidArgumentException("retentionBytes must be -1 (unlimited) or more, was " + retentionBytes);
            }
            checkPositive("requestTimeout", requestTimeout);
            checkPositive("connectionTimeout", connectionTimeout);
            checkPositive("subscriptionCheckInterval", subscriptionCheckInterval);
            if (commitMode == null) {
                throw new InvalidArgumentException("commitMode must not be null");
            }
            return new KafkaOptions(this);
        }

        private static void checkPositive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
                throw new InvalidArgumentException(what + " must be between 1 ms and " + Integer.MAX_VALUE
                        + " ms, was " + d);
            }
        }

        private static void checkBootstrap(String servers) {
            if (servers == null || servers.isBlank()) {
                throw new InvalidArgumentException("bootstrap servers must not be null or blank");
            }
            for (String server : servers.split(",", -1)) {
                int colon = server.lastIndexOf(':');
                String host = colon < 0 ? "" : server.substring(0, colon).trim();
                String port = colon < 0 ? "" : server.substring(colon + 1).trim();
                int p;
                try {
                    p = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    p = -1;
                }
                if (host.isEmpty() || p <= 0 || p > 65535) {
                    throw new InvalidArgumentException("bootstrap servers must be host:port[,host:port...], got '"
                            + servers + "'");
                }
            }
        }
    }
}
