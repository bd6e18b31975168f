package io.rocksmq.api;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A message delivered by a {@link Consumer}: where it came from ({@link #topic()}, {@link #id()}),
 * what was sent ({@link #payload()}, {@link #properties()}, {@link #key()}), and when the backend
 * stored it ({@link #publishTime()}).
 *
 * <p>Backends build instances with {@link #Message(String, MessageId, byte[], Map, String, long)};
 * applications only read them.
 *
 * <p>Thread-safe (immutable). The payload array is handed out as is, without a copy: treat it as
 * read-only. Equality is identity (two deliveries of one id are two
 * deliveries); compare {@link #id()}s to compare messages.
 */
public final class Message {
    private final String topic;
    private final MessageId id;
    private final byte[] payload;
    private final Map<String, String> properties;
    private final String key;
    private final long publishTime;
    private final int deliveryCount;

    /**
     * For backends.
     *
     * @param topic       the topic it was read from
     * @param id          its id
     * @param payload     the bytes as sent (kept, not copied)
     * @param properties  the properties as sent, without any reserved ones (copied)
     * @param key         the key, or null if it was sent without one
     * @param publishTime epoch milliseconds at which the backend stored it
     * @throws InvalidArgumentException if topic, id, payload or properties is null
     */
    public Message(String topic, MessageId id, byte[] payload, Map<String, String> properties, String key,
                   long publishTime) {
        this(topic, id, payload, properties, key, publishTime, 1);
    }

    /**
     * @param deliveryCount which delivery of the message this is, from 1 (a SHARED subscription counts
     *                      redeliveries; EXCLUSIVE ones report 1)
     */
    public Message(String topic, MessageId id, byte[] payload, Map<String, String> properties, String key,
                   long publishTime, int deliveryCount) {
        if (deliveryCount < 1) {
            throw new InvalidArgumentException("deliveryCount must be positive, was " + deliveryCount);
        }
        this.deliveryCount = deliveryCount;
        if (topic == null || id == null || payload == null || properties == null) {
            throw new InvalidArgumentException("topic, id, payload and properties must not be null");
        }
        this.topic = topic;
        this.id = id;
        this.payload = payload;
        this.properties = Map.copyOf(properties);
        this.key = key;
        this.publishTime = publishTime;
    }

    public String topic() {
        return topic;
    }

    public MessageId id() {
        return id;
    }

    /** The payload; empty if an empty payload was sent, never null. Not a copy: do not modify it. */
    public byte[] payload() {
        return payload;
    }

    /** The payload decoded as UTF-8 (invalid bytes replaced), for text messages. */
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The properties as sent, immutable; never null. */
    public Map<String, String> properties() {
        return properties;
    }

    /** The key, if the message was sent with one. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** Epoch milliseconds at which the backend stored the message. */
    public long publishTime() {
        return publishTime;
    }

    /**
     * Which delivery of this message this is, from 1. On a {@link SubscriptionType#SHARED} subscription it
     * counts every delivery to any consumer, persisted across restarts; on an EXCLUSIVE one it is 1.
     */
    public int deliveryCount() {
        return deliveryCount;
    }

    @Override
    public String toString() {
        return "Message{topic=" + topic + ", id=" + id + ", payload=" + payload.length + " bytes"
                + (key == null ? "" : ", key=" + key) + ", properties=" + properties
                + ", publishTime=" + publishTime + (deliveryCount == 1 ? "" : ", deliveryCount=" + deliveryCount) + '}';
    }
}
