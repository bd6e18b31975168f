package io.rocksmq.kafka;

import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps client-API messages to Kafka records and back: payload ↔ value, key ↔ record key (UTF-8),
 * properties ↔ headers (UTF-8 values), publish time ↔ record timestamp, {@link MessageId} ↔ (partition,
 * offset). Nothing is added to the record, so other Kafka clients read what this backend writes, and
 * this backend reads theirs: a null value reads as an empty payload, a null header value as an empty
 * property, bytes that are not UTF-8 as U+FFFD, the last of repeated header names wins, and headers
 * with the {@link OutgoingMessage#RESERVED_PROPERTY_PREFIX reserved prefix} are left out.
 *
 * <p>Thread-safe: stateless.
 */
final class RecordCodec {
    private RecordCodec() {
    }

    /** The header carrying a message's expiry time (epoch ms, decimal); consumers skip the record after it. */
    static final String EXPIRES_AT_HEADER = OutgoingMessage.RESERVED_PROPERTY_PREFIX + "expiresAt";

    static ProducerRecord<byte[], byte[]> encode(String topic, OutgoingMessage message) {
        Map<String, String> properties = message.properties();
        List<Header> headers = new ArrayList<>(properties.size() + 1);
        for (Map.Entry<String, String> e : properties.entrySet()) {
            headers.add(new RecordHeader(e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8)));
        }
        long expiresAt = message.expiresAt().map(java.time.Instant::toEpochMilli)
                .orElse(message.ttl().map(t -> System.currentTimeMillis() + t.toMillis()).orElse(0L));
        if (expiresAt > 0) {
            headers.add(new RecordHeader(EXPIRES_AT_HEADER, Long.toString(expiresAt).getBytes(StandardCharsets.UTF_8)));
        }
        byte[] key = message.key().map(k -> k.getBytes(StandardCharsets.UTF_8)).orElse(null);
        // The partition is left to Kafka's partitioner: by key hash when there is a key, else sticky.
        return new ProducerRecord<>(topic, null, null, key, message.payload(), headers);
    }

    /**
     * Whether the record carries an expiry time at or before {@code now} (Kafka has no expiry of its own:
     * the consumer checks on read). A header it cannot parse counts as no expiry.
     */
    static boolean expired(ConsumerRecord<byte[], byte[]> record, long now) {
        Header h = record.headers().lastHeader(EXPIRES_AT_HEADER);
        if (h == null || h.value() == null) {
            return false;
        }
        try {
            return Long.parseLong(new String(h.value(), StandardCharsets.UTF_8)) <= now;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static Message decode(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> properties = new HashMap<>();
        for (Header h : record.headers()) {
            if (h.key().startsWith(OutgoingMessage.RESERVED_PROPERTY_PREFIX) || h.key().isEmpty()) {
                continue;
            }
            properties.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
        }
        byte[] value = record.value() == null ? new byte[0] : record.value();
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        return new Message(record.topic(), MessageId.of(record.partition(), record.offset()), value, properties,
                key, record.timestamp());
    }
}
