package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.internals.Utf16;

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
 * @param deduplicationId null (the usual case), or 1 to {@link #MAX_DEDUPLICATION_ID_BYTES} UTF-8 bytes
 */
public record ProducerMessage(byte[] payload, Map<String, String> properties, String deduplicationId) {
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
     *                                  surrogate
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
            if (deduplicationId.isEmpty() || StorageLayout.utf8Length(deduplicationId) > MAX_DEDUPLICATION_ID_BYTES
                    || Utf16.unpairedSurrogate(deduplicationId) >= 0) {
                throw new InvalidArgumentException("deduplication id must be 1 to " + MAX_DEDUPLICATION_ID_BYTES
                        + " UTF-8 bytes without unpaired surrogates");
            }
        }
    }

    /** A message without a deduplication id. */
    public ProducerMessage(byte[] payload, Map<String, String> properties) {
        this(payload, properties, null);
    }

    /** This message with a deduplication id (null: none). */
    public ProducerMessage withDeduplicationId(String id) {
        return new ProducerMessage(payload, properties, id);
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
