package io.rocksmq.core;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.rocksmq.core.StorageLayout.corrupt;
import static io.rocksmq.core.StorageLayout.getLong;
import static io.rocksmq.core.StorageLayout.putLong;

/**
 * Keys and values of the schedule ({@code 0x19} records in the {@code meta} column family): the messages
 * waiting for their delivery time ({@link Scheduler}).
 *
 * <ul>
 *   <li>{@code [0x19][0x00]} → the open epoch (u64): incremented by every writable open; a schedule
 *       sequence is {@code epoch << 40 | n}, so sequences never repeat without a counter written per
 *       message.</li>
 *   <li>due index {@code [0x19][0x01][due u64][sequence u64]} → the message: topic id (u64), topic name
 *       (u16 length + UTF-8), deduplication id (u16 length + UTF-8, length 0: none), expiry time (u64),
 *       time-to-live (u64), property count (u16), per property key (u16 length + UTF-8) and value (u32
 *       length + UTF-8), then the payload to the end. Ordered by due time: the waiter reads only the
 *       front, and open reads nothing of it.</li>
 *   <li>topic index {@code [0x19][0x02][topic id u64][sequence u64]} → due (u64): what a topic's destroy
 *       deletes, what {@code scheduled(topic)} lists. Written and deleted with its due entry, in one batch.</li>
 * </ul>
 * Recovery jumps over the whole {@code 0x19} range (open time does not grow with the schedule).
 *
 * <p>Thread-safe: stateless.
 */
final class ScheduleLayout {
    static final byte META_SCHEDULE = 0x19;
    static final byte EPOCH = 0x00;
    static final byte DUE = 0x01;
    static final byte BY_TOPIC = 0x02;
    /** Bits of a sequence left for the messages scheduled within one open. */
    static final int SEQUENCE_BITS = 40;

    private ScheduleLayout() {
    }

    static byte[] epochKey() {
        return new byte[] {META_SCHEDULE, EPOCH};
    }

    static byte[] dueKey(long due, long sequence) {
        byte[] key = new byte[18];
        key[0] = META_SCHEDULE;
        key[1] = DUE;
        putLong(key, 2, due);
        putLong(key, 10, sequence);
        return key;
    }

    /** Exclusive bound of the due entries due at or before {@code due}. */
    static byte[] dueEnd(long due) {
        return due == Long.MAX_VALUE ? new byte[] {META_SCHEDULE, DUE + 1} : dueKey(due + 1, 0);
    }

    static byte[] dueStart() {
        return new byte[] {META_SCHEDULE, DUE};
    }

    static long dueKeyDue(byte[] key) {
        requireLength(key, 18, "schedule due key");
        return getLong(key, 2);
    }

    static long dueKeySequence(byte[] key) {
        requireLength(key, 18, "schedule due key");
        return getLong(key, 10);
    }

    static byte[] topicKey(long topicId, long sequence) {
        byte[] key = new byte[18];
        key[0] = META_SCHEDULE;
        key[1] = BY_TOPIC;
        putLong(key, 2, topicId);
        putLong(key, 10, sequence);
        return key;
    }

    /** A topic's index entries lie in [topicStart(t), topicStart(t + 1)). */
    static byte[] topicStart(long topicId) {
        return topicKey(topicId, 0);
    }

    static byte[] longValue(long v) {
        byte[] b = new byte[8];
        putLong(b, 0, v);
        return b;
    }

    static long decodeLong(byte[] v, String what) {
        requireLength(v, 8, what);
        return getLong(v, 0);
    }

    /** The stored form of a scheduled message of topic {@code topicId} named {@code topic}. */
    static byte[] messageValue(long topicId, String topic, ProducerMessage m) {
        byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        byte[] dedup = m.deduplicationId() == null ? new byte[0] : m.deduplicationId().getBytes(StandardCharsets.UTF_8);
        int size = 8 + 2 + name.length + 2 + dedup.length + 8 + 8 + 2 + m.payload().length;
        Map<byte[], byte[]> props = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : m.properties().entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
            props.put(k, v);
            size += 2 + k.length + 4 + v.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putLong(topicId).putShort((short) name.length).put(name).putShort((short) dedup.length).put(dedup);
        b.putLong(m.expiresAtMillis()).putLong(m.ttlMillis()).putShort((short) props.size());
        for (Map.Entry<byte[], byte[]> e : props.entrySet()) {
            b.putShort((short) e.getKey().length).put(e.getKey()).putInt(e.getValue().length).put(e.getValue());
        }
        b.put(m.payload());
        return b.array();
    }

    /** The topic id of a stored message. */
    static long valueTopicId(byte[] v) {
        if (v.length < 10) {
            throw corrupt("scheduled message of " + v.length + " bytes", null);
        }
        return getLong(v, 0);
    }

    /** A stored message, decoded. */
    record Stored(long topicId, String topic, ProducerMessage message) {
    }

    static Stored decode(byte[] v) {
        try {
            ByteBuffer b = ByteBuffer.wrap(v);
            long topicId = b.getLong();
            String topic = string(b, Short.toUnsignedInt(b.getShort()));
            int dedupLength = Short.toUnsignedInt(b.getShort());
            String dedup = dedupLength == 0 ? null : string(b, dedupLength);
            long expiresAt = b.getLong();
            long ttl = b.getLong();
            int count = Short.toUnsignedInt(b.getShort());
            Map<String, String> props = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String k = string(b, Short.toUnsignedInt(b.getShort()));
                int vl = b.getInt();
                if (vl < 0) {
                    throw corrupt("scheduled message property of length " + vl, null);
                }
                props.put(k, string(b, vl));
            }
            byte[] payload = new byte[b.remaining()];
            b.get(payload);
            return new Stored(topicId, topic, new ProducerMessage(payload, props, dedup, expiresAt, ttl));
        } catch (BufferUnderflowException | IllegalArgumentException | io.rocksmq.api.InvalidArgumentException e) {
            throw corrupt("scheduled message of " + v.length + " bytes", e);
        }
    }

    private static String string(ByteBuffer b, int length) {
        byte[] s = new byte[length];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static void requireLength(byte[] b, int length, String what) {
        if (b == null || b.length != length) {
            throw corrupt(what + " has " + (b == null ? "no value" : b.length + " bytes") + ", expected " + length, null);
        }
    }
}
