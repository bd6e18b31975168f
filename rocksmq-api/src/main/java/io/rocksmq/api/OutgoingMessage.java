package io.rocksmq.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A message to send with a {@link Producer}: an opaque payload (empty allowed, never null), string
 * properties, an optional key and an optional deduplication id.
 *
 * <p>A <em>deduplication id</em> makes a send idempotent on backends that support it (the embedded queue
 * does): within the topic's deduplication window (2 minutes by default) a message whose id was already
 * stored is not stored again, and the send answers the original message's id, also after a crash and
 * restart. So an application that resends after a failure or a timeout, with the same id, stores the
 * message once. The Kafka backend ignores it (Kafka's idempotent producer covers only its own retries).
 *
 * <p>A message may <em>expire</em> ({@link Builder#ttl}, {@link Builder#expiresAt}): from then on it is
 * never delivered to any subscription (the embedded backend skips and counts it per group).
 *
 * <p>A message may be <em>scheduled</em> ({@link Builder#deliverAt}, {@link Builder#deliverAfter}): it is
 * sent with {@link Producer#schedule}, stored at once, and appears on the topic at its time, getting its id
 * then; {@link Producer#send} refuses it. Backends without scheduled delivery (Kafka) refuse
 * {@code schedule} with {@link FeatureNotSupportedException}.
 *
 * <p>Property names starting with {@value #RESERVED_PROPERTY_PREFIX} are reserved for backends (the
 * embedded backend stores the key as one) and are rejected here, so every backend accepts the same
 * messages.
 *
 * <pre>{@code
 * OutgoingMessage m = OutgoingMessage.builder("hello".getBytes(UTF_8))
 *         .key("order-17")
 *         .property("source", "web")
 *         .build();
 * }</pre>
 *
 * <p>Thread-safe once built (properties are copied into an immutable map). The payload array is not
 * copied, to keep large payloads off the copy path: do not change it until the send has completed.
 */
public final class OutgoingMessage {
    /** Prefix of property names that backends reserve for their own use. */
    public static final String RESERVED_PROPERTY_PREFIX = "__rmq.";
    /**
     * The reserved property under which a backend that stores only properties (the embedded queue) keeps
     * the message key; tools that read the queue directly (the {@code rmq} CLI) use it too.
     */
    public static final String KEY_PROPERTY = RESERVED_PROPERTY_PREFIX + "key";

    /** Longest deduplication id, in UTF-8 bytes. */
    public static final int MAX_DEDUPLICATION_ID_BYTES = 256;

    private final byte[] payload;
    private final Map<String, String> properties;
    private final String key;
    private final String deduplicationId;
    /** Epoch ms, 0: no fixed time. */
    private final long expiresAtMillis;
    /** Ms after the send, 0: none. */
    private final long ttlMillis;
    /** Epoch ms, 0: not scheduled at a fixed time. */
    private final long deliverAtMillis;
    /** Ms after the schedule, -1: not scheduled after a delay. */
    private final long deliverAfterMillis;

    private OutgoingMessage(Builder b) {
        this.payload = b.payload;
        this.properties = Map.copyOf(b.properties);
        this.key = b.key;
        this.deduplicationId = b.deduplicationId;
        this.expiresAtMillis = b.expiresAtMillis;
        this.ttlMillis = b.ttlMillis;
        this.deliverAtMillis = b.deliverAtMillis;
        this.deliverAfterMillis = b.deliverAfterMillis;
    }

    /**
     * A message with only a payload.
     *
     * @throws InvalidArgumentException if the payload is null
     */
    public static OutgoingMessage of(byte[] payload) {
        return builder(payload).build();
    }

    /**
     * A message whose payload is {@code text} in UTF-8.
     *
     * @throws InvalidArgumentException if the text is null or has an unpaired surrogate (it would not
     *                                  come back as sent)
     */
    public static OutgoingMessage text(String text) {
        return builder(utf8(text)).build();
    }

    /**
     * Starts a message whose payload is {@code text} in UTF-8; see {@link #text(String)}.
     */
    public static Builder textBuilder(String text) {
        return builder(utf8(text));
    }

    private static byte[] utf8(String text) {
        if (text == null) {
            throw new InvalidArgumentException("text must not be null");
        }
        return Checks.wellFormed("text", text).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Starts a message with this payload.
     *
     * @throws InvalidArgumentException if the payload is null (use an empty array for no payload)
     */
    public static Builder builder(byte[] payload) {
        return new Builder(payload);
    }

    /** The payload as given (not copied; treat it as read-only). */
    public byte[] payload() {
        return payload;
    }

    /** The properties, immutable; never null. */
    public Map<String, String> properties() {
        return properties;
    }

    /** The key, if one was set. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** When the message expires, if {@link Builder#expiresAt} was set. */
    public Optional<Instant> expiresAt() {
        return expiresAtMillis == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expiresAtMillis));
    }

    /** How long after its send the message expires, if {@link Builder#ttl} was set. */
    public Optional<Duration> ttl() {
        return ttlMillis == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(ttlMillis));
    }

    /** When the message is to appear on its topic, if {@link Builder#deliverAt} was set. */
    public Optional<Instant> deliverAt() {
        return deliverAtMillis == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(deliverAtMillis));
    }

    /** How long after its schedule the message is to appear, if {@link Builder#deliverAfter} was set. */
    public Optional<Duration> deliverAfter() {
        return deliverAfterMillis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(deliverAfterMillis));
    }

    /** Whether the message has a delivery time (send it with {@link Producer#schedule}). */
    public boolean scheduled() {
        return deliverAtMillis != 0 || deliverAfterMillis >= 0;
    }

    /** The deduplication id, if one was set. */
    public Optional<String> deduplicationId() {
        return Optional.ofNullable(deduplicationId);
    }

    @Override
    public String toString() {
        return "OutgoingMessage{payload=" + payload.length + " bytes, key=" + key
                + (deduplicationId == null ? "" : ", deduplicationId=" + deduplicationId)
                + ", properties=" + properties + '}';
    }

    /** Fluent builder. Not thread-safe. */
    public static final class Builder {
        private final byte[] payload;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private String key;
        private String deduplicationId;
        private long expiresAtMillis;
        private long ttlMillis;
        private long deliverAtMillis;
        private long deliverAfterMillis = -1;

        private Builder(byte[] payload) {
            if (payload == null) {
                throw new InvalidArgumentException("payload must not be null (use an empty array)");
            }
            this.payload = payload;
        }

        /**
         * Sets the message key (routing/compaction key on backends that have one). Null clears it.
         *
         * @throws InvalidArgumentException if the key holds an unpaired surrogate (UTF-8 cannot store it)
         */
        public Builder key(String key) {
            this.key = key == null ? null : Checks.wellFormed("message key", key);
            return this;
        }

        /**
         * The message expires this long after it is sent (replaces an {@link #expiresAt}); null clears it.
         *
         * @throws InvalidArgumentException if the ttl is not positive or over 100 years
         */
        public Builder ttl(Duration ttl) {
            if (ttl != null && (ttl.isNegative() || ttl.isZero() || ttl.compareTo(Duration.ofDays(36_500)) > 0)) {
                throw new InvalidArgumentException("ttl must be positive and at most 100 years, was " + ttl);
            }
            this.ttlMillis = ttl == null ? 0 : ttl.toMillis();
            this.expiresAtMillis = 0;
            return this;
        }

        /**
         * The message expires at this time (replaces a {@link #ttl}); null clears it.
         *
         * @throws InvalidArgumentException if the time is not after 1970
         */
        public Builder expiresAt(Instant time) {
            if (time != null && time.toEpochMilli() <= 0) {
                throw new InvalidArgumentException("expiry time must be after 1970, was " + time);
            }
            this.expiresAtMillis = time == null ? 0 : time.toEpochMilli();
            this.ttlMillis = 0;
            return this;
        }

        /**
         * Schedules the message to appear on its topic at this time (replaces a {@link #deliverAfter}); a
         * time already past makes it appear at once. Null clears it. Its ttl, if any, counts from then.
         *
         * @throws InvalidArgumentException if the time is not after 1970
         */
        public Builder deliverAt(Instant time) {
            if (time != null && time.toEpochMilli() <= 0) {
                throw new InvalidArgumentException("delivery time must be after 1970, was " + time);
            }
            this.deliverAtMillis = time == null ? 0 : time.toEpochMilli();
            this.deliverAfterMillis = -1;
            return this;
        }

        /**
         * Schedules the message to appear this long after it is scheduled (replaces a {@link #deliverAt});
         * null clears it.
         *
         * @throws InvalidArgumentException if the delay is negative or over 100 years
         */
        public Builder deliverAfter(Duration delay) {
            if (delay != null && (delay.isNegative() || delay.compareTo(Duration.ofDays(36_500)) > 0)) {
                throw new InvalidArgumentException("delivery delay must be 0 to 100 years, was " + delay);
            }
            this.deliverAfterMillis = delay == null ? -1 : delay.toMillis();
            this.deliverAtMillis = 0;
            return this;
        }

        /**
         * Sets the deduplication id (see the class description). Null clears it.
         *
         * @throws InvalidArgumentException if the id is empty, longer than
         *                                  {@value OutgoingMessage#MAX_DEDUPLICATION_ID_BYTES} UTF-8 bytes,
         *                                  or holds an unpaired surrogate
         */
        public Builder deduplicationId(String id) {
            if (id != null) {
                Checks.wellFormed("deduplication id", id);
                if (id.isEmpty() || id.getBytes(StandardCharsets.UTF_8).length > MAX_DEDUPLICATION_ID_BYTES) {
                    throw new InvalidArgumentException("deduplication id must be 1 to " + MAX_DEDUPLICATION_ID_BYTES
                            + " UTF-8 bytes");
                }
            }
            this.deduplicationId = id;
            return this;
        }

        /**
         * Adds one property, replacing any earlier value for the name.
         *
         * @throws InvalidArgumentException if the name or value is null, the name is empty or starts with
         *                                  {@value #RESERVED_PROPERTY_PREFIX}, or either holds an unpaired
         *                                  surrogate (UTF-8 cannot store it)
         */
        public Builder property(String name, String value) {
            checkProperty(name, value);
            properties.put(name, value);
            return this;
        }

        /**
         * Adds every entry of {@code map}; see {@link #property}.
         *
         * @throws InvalidArgumentException if the map is null or any entry is rejected (then none is added)
         */
        public Builder properties(Map<String, String> map) {
            if (map == null) {
                throw new InvalidArgumentException("properties must not be null");
            }
            for (Map.Entry<String, String> e : map.entrySet()) {
                checkProperty(e.getKey(), e.getValue());
            }
            properties.putAll(map);
            return this;
        }

        public OutgoingMessage build() {
            return new OutgoingMessage(this);
        }

        private static void checkProperty(String name, String value) {
            if (name == null || value == null) {
                throw new InvalidArgumentException("property names and values must not be null");
            }
            if (name.isEmpty()) {
                throw new InvalidArgumentException("property names must not be empty");
            }
            if (name.startsWith(RESERVED_PROPERTY_PREFIX)) {
                throw new InvalidArgumentException("property names starting with '" + RESERVED_PROPERTY_PREFIX
                        + "' are reserved, got '" + name + "'");
            }
            Checks.wellFormed("property name", name);
            Checks.wellFormed("value of property '" + name + "'", value);
        }
    }
}
