package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;

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
 * @param payload    the bytes to store; empty is allowed
 * @param properties string key/value pairs stored with the message; no null keys or values
 */
public record ProducerMessage(byte[] payload, Map<String, String> properties) {
    /** Most properties one message may carry (the stored count is 16 bits). */
    public static final int MAX_PROPERTIES = BatchFormat.MAX_PROPERTIES;
    /** Longest property key, in UTF-8 bytes (the stored length is 16 bits). */
    public static final int MAX_PROPERTY_KEY_BYTES = BatchFormat.MAX_PROPERTY_KEY_BYTES;

    /**
     * @throws InvalidArgumentException if the payload is null, a property key or value is null, there are
     *                                  more than {@link #MAX_PROPERTIES} properties, a key is longer than
     *                                  {@link #MAX_PROPERTY_KEY_BYTES}, or a key or value holds an unpaired
     *                                  surrogate (UTF-8 cannot store it)
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
