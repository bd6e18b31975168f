package io.rocksmq.remote;

import com.google.protobuf.ByteString;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.remote.proto.PackedMessages;
import io.rocksmq.remote.proto.PackedPayloads;
import com.google.protobuf.UnsafeByteOperations;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        m.deliverAt().ifPresent(t -> b.setDeliverAtMillis(t.toEpochMilli()));
        m.deliverAfter().ifPresent(d -> b.setDeliverAfterMillis(d.toMillis()));
        return b.build();
    }

    /**
     * Whether a message has nothing but a payload (no properties, key, deduplication id, expiry or
     * delivery time), so it can travel in a packed produce request ({@link #packPayloads}).
     */
    public static boolean payloadOnly(OutgoingMessage m) {
        return m.properties().isEmpty() && m.key().isEmpty() && m.deduplicationId().isEmpty()
                && m.expiresAt().isEmpty() && m.ttl().isEmpty() && !m.scheduled();
    }

    /**
     * The packed form of a batch of payloads, in order: their sizes and one copy of them all, end to end
     * (the copy is wrapped, not copied again: nothing writes it afterwards).
     */
    public static PackedPayloads packPayloads(List<byte[]> payloads) {
        int bytes = 0;
        for (byte[] p : payloads) {
            bytes = Math.addExact(bytes, p.length);
        }
        byte[] all = new byte[bytes];
        PackedPayloads.Builder b = PackedPayloads.newBuilder();
        int at = 0;
        for (byte[] p : payloads) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
            b.addPayloadSizes(p.length);
        }
        return b.setPayloads(UnsafeByteOperations.unsafeWrap(all)).build();
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
        if (m.hasDeliverAtMillis()) {
            b.deliverAt(java.time.Instant.ofEpochMilli(m.getDeliverAtMillis()));
        }
        if (m.hasDeliverAfterMillis()) {
            b.deliverAfter(java.time.Duration.ofMillis(m.getDeliverAfterMillis()));
        }
        return b.build();
    }

    public static Message decode(String topic, io.rocksmq.remote.proto.Message m) {
        return new Message(topic, MessageId.of(PARTITION, m.getOffset()), m.getPayload().toByteArray(),
                m.getPropertiesMap(), m.hasKey() ? m.getKey() : null, m.getPublishTime());
    }

    /**
     * The packed form of these messages, or null if one of them has properties or a key (the packed form
     * has no room for them: send {@link #encode(Message)} of each instead).
     */
    public static PackedMessages pack(List<Message> messages) {
        int bytes = 0;
        for (Message m : messages) {
            if (!m.properties().isEmpty() || m.key().isPresent()) {
                return null;
            }
            bytes = Math.addExact(bytes, m.payload().length);
        }
        byte[] payloads = new byte[bytes];
        PackedMessages.Builder b = PackedMessages.newBuilder();
        int at = 0;
        for (Message m : messages) {
            byte[] p = m.payload();
            System.arraycopy(p, 0, payloads, at, p.length);
            at += p.length;
            b.addOffsets(m.id().offset()).addPublishTimes(m.publishTime()).addPayloadSizes(p.length);
        }
        // the array is never written again: wrapping it saves a copy of every payload
        return b.setPayloads(UnsafeByteOperations.unsafeWrap(payloads)).build();
    }

    /**
     * The messages of a packed delivery.
     *
     * @throws RocksMqException if the columns do not agree (a malformed delivery)
     */
    public static List<Message> unpack(String topic, PackedMessages packed) {
        int n = packed.getOffsetsCount();
        if (packed.getPublishTimesCount() != n || packed.getPayloadSizesCount() != n) {
            throw new RocksMqException("malformed packed delivery: " + n + " offsets, " + packed.getPublishTimesCount()
                    + " publish times, " + packed.getPayloadSizesCount() + " payload sizes");
        }
        ByteString payloads = packed.getPayloads();
        List<Message> out = new ArrayList<>(n);
        int at = 0;
        for (int i = 0; i < n; i++) {
            int size = packed.getPayloadSizes(i);
            if (size < 0 || size > payloads.size() - at) {
                throw new RocksMqException("malformed packed delivery: payload " + i + " of " + Integer.toUnsignedString(size)
                        + " bytes overruns the " + payloads.size() + " bytes of payloads");
            }
            byte[] payload = new byte[size];
            payloads.copyTo(payload, at, 0, size);
            at += size;
            out.add(new Message(topic, MessageId.of(PARTITION, packed.getOffsets(i)), payload, Map.of(), null,
                    packed.getPublishTimes(i)));
        }
        if (at != payloads.size()) {
            throw new RocksMqException("malformed packed delivery: " + (payloads.size() - at) + " payload bytes left over");
        }
        return out;
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
