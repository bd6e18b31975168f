package io.rocksmq.core.client;

import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.ProducerMessage;

import java.util.HashMap;
import java.util.Map;

/**
 * Maps client-API messages to broker-level ones and back. The key travels as the reserved property
 * {@link #KEY_PROPERTY}; users cannot set reserved properties ({@link OutgoingMessage} rejects them),
 * so it never collides with theirs.
 *
 * <p>Thread-safe: stateless.
 */
final class MessageMapper {
    /** The property that carries a message's key in storage. */
    static final String KEY_PROPERTY = OutgoingMessage.KEY_PROPERTY;
    /** The embedded backend has one partition per topic. */
    static final int PARTITION = 0;

    private MessageMapper() {
    }

    /** Converts; {@link ProducerMessage} checks that storage can hold it (InvalidArgumentException otherwise). */
    static ProducerMessage encode(OutgoingMessage message) {
        Map<String, String> properties = message.properties();
        String key = message.key().orElse(null);
        if (key != null) {
            Map<String, String> withKey = new HashMap<>(properties);
            withKey.put(KEY_PROPERTY, key);
            properties = withKey;
        }
        // validates: storage can hold it
        ProducerMessage m = new ProducerMessage(message.payload(), properties, message.deduplicationId().orElse(null),
                message.expiresAt().map(java.time.Instant::toEpochMilli).orElse(0L),
                message.ttl().map(java.time.Duration::toMillis).orElse(0L));
        if (message.deliverAt().isPresent()) {
            return m.withDeliverAt(message.deliverAt().get());
        }
        return message.deliverAfter().isPresent() ? m.withDeliverAfter(message.deliverAfter().get()) : m;
    }

    static Message decode(String topic, ConsumerMessage m) {
        return decode(topic, m, 1);
    }

    /** As {@link #decode(String, ConsumerMessage)}, as delivery {@code deliveryCount} of a SHARED subscription. */
    static Message decode(String topic, ConsumerMessage m, int deliveryCount) {
        Map<String, String> properties = m.properties();
        String key = properties.get(KEY_PROPERTY);
        if (key != null) {
            Map<String, String> withoutKey = new HashMap<>(properties);
            withoutKey.remove(KEY_PROPERTY);
            properties = withoutKey;
        }
        return new Message(topic, MessageId.of(PARTITION, m.id()), m.payload(), properties, key, m.publishTime(),
                deliveryCount);
    }
}
