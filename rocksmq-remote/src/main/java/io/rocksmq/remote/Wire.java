package io.rocksmq.remote;

import com.google.protobuf.ByteString;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;

/**
 * Client-API messages to and from their protobuf form. A topic has one partition, 0.
 *
 * <p>Thread-safe: stateless.
 */
public final class Wire {
    /** The one partition of a served topic. */
    public static final int PARTITION = 0;

    private Wire() {
    }

    public static io.rocksmq.remote.proto.OutgoingMessage encode(OutgoingMessage m) {
        io.rocksmq.remote.proto.OutgoingMessage.Builder b = io.rocksmq.remote.proto.OutgoingMessage.newBuilder()
                .setPayload(ByteString.copyFrom(m.payload()))
                .putAllProperties(m.properties());
        m.key().ifPresent(b::setKey);
        m.deduplicationId().ifPresent(b::setDeduplicationId);
        m.expiresAt().ifPresent(t -> b.setExpiresAtMillis(t.toEpochMilli()));
        m.ttl().ifPresent(t -> b.setTtlMillis(t.toMillis()));
        return b.build();
    }

    /**
     * The client-API form of a message received from the wire.
     *
     * @throws io.rocksmq.api.InvalidArgumentException if it breaks the API's rules (reserved properties, ...)
     */
    public static OutgoingMessage decode(io.rocksmq.remote.proto.OutgoingMessage m) {
        OutgoingMessage.Builder b = OutgoingMessage.builder(m.getPayload().toByteArray()).properties(m.getPropertiesMap());
        if (m.hasKey()) {
            b.key(m.getKey());
        }
        if (m.hasDeduplicationId()) {
            b.deduplicationId(m.getDeduplicationId());
        }
        if (m.hasExpiresAtMillis()) {
            b.expiresAt(java.time.Instant.ofEpochMilli(m.getExpiresAtMillis()));
        }
        if (m.hasTtlMillis()) {
            b.ttl(java.time.Duration.ofMillis(m.getTtlMillis()));
        }
        return b.build();
    }

    public static Message decode(String topic, io.rocksmq.remote.proto.Message m) {
        return new Message(topic, MessageId.of(PARTITION, m.getOffset()), m.getPayload().toByteArray(),
                m.getPropertiesMap(), m.hasKey() ? m.getKey() : null, m.getPublishTime());
    }

    public static io.rocksmq.remote.proto.Message encode(Message m) {
        io.rocksmq.remote.proto.Message.Builder b = io.rocksmq.remote.proto.Message.newBuilder()
                .setOffset(m.id().offset())
                .setPayload(ByteString.copyFrom(m.payload()))
                .putAllProperties(m.properties())
                .setPublishTime(m.publishTime());
        m.key().ifPresent(b::setKey);
        return b.build();
    }
}
