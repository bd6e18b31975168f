package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;

import java.util.Map;

/**
 * A message to produce: an opaque payload (empty allowed, never null) and string properties.
 *
 * <p>Thread-safe once built: the properties are copied into an immutable map. The payload array is
 * not copied (messages are on the hot path); do not change it until {@code produce} returns.
 *
 * @param payload    the bytes to store; empty is allowed
 * @param properties string key/value pairs stored with the message; no null keys or values
 */
public record ProducerMessage(byte[] payload, Map<String, String> properties) {

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
