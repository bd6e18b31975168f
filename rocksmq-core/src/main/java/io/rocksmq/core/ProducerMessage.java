package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.internals.Utf16;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A message to produce: an opaque payload (empty allowed, never null) and string properties. A message
 * that exists can be stored: the constructor checks everything storage requires ({@link #MAX_PROPERTIES},
 * {@link #MAX_PROPERTY_KEY_BYTES}), so a caller (the embedded client, for one) validates a message by
 * building it, before it changes anything.
 *
 * <p>Thread-safe once built: the properties are copied into an immutable map. The payload array is
 * not copied (messages are on the hot path); do not change it until {@code produce} returns.
 *
 * <p>A message may carry a <em>deduplication id</em> ({@link #withDeduplicationId}): within the topic's
 * deduplication window ({@link MessageSettings#deduplicationWindow()}, 2 minutes by default) a produce of
 * a message whose id is already stored stores nothing for that message and returns the original's id,
 * also after a crash and restart. The id is not stored with the message (consumers do not see it).
 *
 * @param payload         the bytes to store; empty is allowed
 * @param properties      string key/value pairs stored with the message; no null keys or values
 * <p>A message may <em>expire</em> ({@link #withTtl}, {@link #withExpiresAt}): from its expiry time on it
 * is never delivered to any group nor returned by a read (it is skipped and counted per group); the
 * topic's default time-to-live ({@link MessageSettings#defaultTtl()}) applies to messages without their own.
 *
 * @param payload         the bytes to store; empty is allowed
 * @param properties      string key/value pairs stored with the message; no null keys or values
 * @param deduplicationId null (the usual case), or 1 to {@link #MAX_DEDUPLICATION_ID_BYTES} UTF-8 bytes
 * @param expiresAtMillis when the message expires, epoch milliseconds; 0: no fixed time
 * @param ttlMillis       how long after its produce the message expires, milliseconds; 0: none. At most
 *                        one of the two is set.
 * @param deliverAtMillis when the message is to appear on its topic, epoch milliseconds; 0: no fixed time
 * @param deliverAfterMillis how long after its produce the message is to appear, milliseconds; 0: none.
 *                        At most one of the two is set; a message with either is <em>scheduled</em>
 *                        ({@link RocksMq#schedule}), and {@link RocksMq#produce} refuses it.
 */
public record ProducerMessage(byte[] payload, Map<String, String> properties, String deduplicationId,
                              long expiresAtMillis, long ttlMillis, long deliverAtMillis, long deliverAfterMillis) {
    /** Most properties one message may carry (the stored count is 16 bits). */
    public static final int MAX_PROPERTIES = BatchFormat.MAX_PROPERTIES;
    /** Longest property key, in UTF-8 bytes (the stored length is 16 bits). */
    public static final int MAX_PROPERTY_KEY_BYTES = BatchFormat.MAX_PROPERTY_KEY_BYTES;
    /** Longest deduplication id, in UTF-8 bytes. */
    public static final int MAX_DEDUPLICATION_ID_BYTES = io.rocksmq.api.OutgoingMessage.MAX_DEDUPLICATION_ID_BYTES;

    /**
     * @throws InvalidArgumentException if the payload is null, a property key or value is null, there are
     *                                  more than {@link #MAX_PROPERTIES} properties, a key is longer than
     *                                  {@link #MAX_PROPERTY_KEY_BYTES}, or a key or value holds an unpaired
     *                                  surrogate (UTF-8 cannot store it), or the deduplication id is empty,
     *                                  longer than {@link #MAX_DEDUPLICATION_ID_BYTES} or holds an unpaired
     *                                  surrogate, or the expiry is negative or both kinds are set
     */

    public ProducerMessage {
        if (payload == null) {
            throw new InvalidArgumentException("payload must not be null (use an empty array)");
        }
        if (properties == null) {
            properties = Map.of();
        } else {
            for (Map.Entry<String, String> e : properties.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new InvalidArgumentException("message properties must not hold null keys or values");
                }
            }
            BatchFormat.checkEncodable(properties);
            properties = Map.copyOf(properties);
        }
        if (deduplicationId != null) {
            if (!validDeduplicationId(deduplicationId)) {
                throw new InvalidArgumentException("deduplication id must be 1 to " + MAX_DEDUPLICATION_ID_BYTES
                        + " UTF-8 bytes without unpaired surrogates");
            }
        }
        if (expiresAtMillis < 0 || ttlMillis < 0 || (expiresAtMillis > 0 && ttlMillis > 0)) {
            throw new InvalidArgumentException("a message expires at a time or after a time-to-live, not both,"
                    + " and neither is negative (expiresAt " + expiresAtMillis + ", ttl " + ttlMillis + " ms)");
        }
        if (deliverAtMillis < 0 || deliverAfterMillis < 0 || (deliverAtMillis > 0 && deliverAfterMillis > 0)) {
            throw new InvalidArgumentException("a message is delivered at a time or after a delay, not both, and"
                    + " neither is negative (deliverAt " + deliverAtMillis + ", after " + deliverAfterMillis + " ms)");
        }
    }

    /** A message delivered when produced (not scheduled). */
    public ProducerMessage(byte[] payload, Map<String, String> properties, String deduplicationId,
                           long expiresAtMillis, long ttlMillis) {
        this(payload, properties, deduplicationId, expiresAtMillis, ttlMillis, 0, 0);
    }

    /** A message without a deduplication id or an expiry. */
    public ProducerMessage(byte[] payload, Map<String, String> properties) {
        this(payload, properties, null, 0, 0, 0, 0);
    }

    /**
     * Whether an id is 1 to {@link #MAX_DEDUPLICATION_ID_BYTES} UTF-8 bytes without unpaired surrogates:
     * one pass over an ASCII id (the usual kind, whose chars are its bytes), the full checks otherwise.
     */
    private static boolean validDeduplicationId(String id) {
        int n = id.length();
        if (n == 0 || n > MAX_DEDUPLICATION_ID_BYTES) { // a char is at least one byte
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (id.charAt(i) >= 0x80) {
                return StorageLayout.utf8Length(id) <= MAX_DEDUPLICATION_ID_BYTES && Utf16.unpairedSurrogate(id) < 0;
            }
        }
        return true;
    }

    /** This message with a deduplication id (null: none). */
    public ProducerMessage withDeduplicationId(String id) {
        return new ProducerMessage(payload, properties, id, expiresAtMillis, ttlMillis, deliverAtMillis,
                deliverAfterMillis);
    }

    /**
     * This message, expiring {@code ttl} after its produce (measured on the queue's clock).
     *
     * @throws InvalidArgumentException if the ttl is null, not positive, or over 100 years
     */
    public ProducerMessage withTtl(Duration ttl) {
        if (ttl == null || ttl.isNegative() || ttl.isZero() || ttl.compareTo(Duration.ofDays(36_500)) > 0) {
            throw new InvalidArgumentException("ttl must be positive and at most 100 years, was " + ttl);
        }
        return new ProducerMessage(payload, properties, deduplicationId, 0, ttl.toMillis(), deliverAtMillis,
                deliverAfterMillis);
    }

    /**
     * This message, expiring at {@code time} (a time already past: it is stored, and never delivered).
     *
     * @throws InvalidArgumentException if the time is null or before 1970
     */
    public ProducerMessage withExpiresAt(Instant time) {
        if (time == null || time.toEpochMilli() <= 0) {
            throw new InvalidArgumentException("expiry time must be after 1970, was " + time);
        }
        return new ProducerMessage(payload, properties, deduplicationId, time.toEpochMilli(), 0, deliverAtMillis,
                deliverAfterMillis);
    }

    /**
     * This message, scheduled to appear on its topic at {@code time} ({@link RocksMq#schedule}); a time
     * already past makes it appear at once. Its time-to-live, if any, counts from then.
     *
     * @throws InvalidArgumentException if the time is null or before 1970
     */
    public ProducerMessage withDeliverAt(Instant time) {
        if (time == null || time.toEpochMilli() <= 0) {
            throw new InvalidArgumentException("delivery time must be after 1970, was " + time);
        }
        return new ProducerMessage(payload, properties, deduplicationId, expiresAtMillis, ttlMillis,
                time.toEpochMilli(), 0);
    }

    /**
     * This message, scheduled to appear on its topic {@code delay} after it is scheduled (on the queue's
     * clock); see {@link #withDeliverAt}.
     *
     * @throws InvalidArgumentException if the delay is null, negative or over 100 years
     */
    public ProducerMessage withDeliverAfter(Duration delay) {
        if (delay == null || delay.isNegative() || delay.compareTo(Duration.ofDays(36_500)) > 0) {
            throw new InvalidArgumentException("delivery delay must be 0 to 100 years, was " + delay);
        }
        return new ProducerMessage(payload, properties, deduplicationId, expiresAtMillis, ttlMillis, 0,
                Math.max(1, delay.toMillis()));
    }

    /** Whether the message is to be scheduled rather than produced at once. */
    public boolean scheduled() {
        return deliverAtMillis > 0 || deliverAfterMillis > 0;
    }

    /** Its delivery time when scheduled at {@code now}. */
    long dueAt(long now) {
        return deliverAfterMillis > 0 ? now + deliverAfterMillis : deliverAtMillis;
    }

    /** This message as it is produced when it falls due: the same, without the delivery time. */
    ProducerMessage delivered() {
        return new ProducerMessage(payload, properties, deduplicationId, expiresAtMillis, ttlMillis, 0, 0);
    }

    /** Whether the message has an expiry of its own. */
    boolean expires() {
        return expiresAtMillis > 0 || ttlMillis > 0;
    }

    /** Its expiry time for a produce at {@code now}; 0 if it has none of its own. */
    long expiresAt(long now) {
        return ttlMillis > 0 ? Math.max(1, now + ttlMillis) : expiresAtMillis;
    }

    /** A message with no properties. */
    public static ProducerMessage of(byte[] payload) {
        return new ProducerMessage(payload, Map.of());
    }

    /** A message with properties. */
    public static ProducerMessage of(byte[] payload, Map<String, String> properties) {
        return new ProducerMessage(payload, properties);
    }
}
