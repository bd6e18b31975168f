package io.rocksmq.core;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 *   <li>due index {@code [0x19][0x01][due u64][first sequence u64]} → the messages of one schedule call to
 *       one topic that are due at that time (one entry for them all: RocksDB's cost is per entry): topic id
 *       (u64), topic name (u16 length + UTF-8), count (u32), then per message its sequence minus the first
 *       (u32), its length (u32) and its bytes: deduplication id (u16 length + UTF-8, length 0: none), expiry
 *       time (u64), time-to-live (u64), property count (u16), per property key (u16 length + UTF-8) and
 *       value (u32 length + UTF-8), then the payload. Ordered by due time: the waiter reads only the front,
 *       and open reads nothing of it. A cancel rewrites the entry without the message (or deletes it).</li>
 *   <li>topic index {@code [0x19][0x02][topic id u64][first sequence u64]} → due (u64) and count (u32):
 *       what a topic's destroy deletes, what {@code scheduled(topic)} lists and counts. Written and deleted
 *       with its due entry, in one batch.</li>
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

    /** One message of a due entry: its sequence is the entry's first sequence plus {@code offset}. */
    record Item(int offset, ProducerMessage message) {
    }

    /** A due entry, decoded: the messages of one schedule call to one topic due at one time. */
    record Stored(long topicId, String topic, List<Item> items) {
    }

    /** The stored form of a due entry of topic {@code topicId} named {@code topic}. */
    static byte[] entryValue(long topicId, String topic, List<Item> items) {
        byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        List<byte[]> encoded = new ArrayList<>(items.size());
        int size = 8 + 2 + name.length + 4;
        for (Item item : items) {
            byte[] m = messageBytes(item.message());
            encoded.add(m);
            size += 8 + m.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putLong(topicId).putShort((short) name.length).put(name).putInt(items.size());
        for (int i = 0; i < items.size(); i++) {
            b.putInt(items.get(i).offset()).putInt(encoded.get(i).length).put(encoded.get(i));
        }
        return b.array();
    }

    private static byte[] messageBytes(ProducerMessage m) {
        byte[] dedup = m.deduplicationId() == null ? new byte[0] : m.deduplicationId().getBytes(StandardCharsets.UTF_8);
        int size = 2 + dedup.length + 8 + 8 + 2 + m.payload().length;
        Map<byte[], byte[]> props = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : m.properties().entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
            props.put(k, v);
            size += 2 + k.length + 4 + v.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putShort((short) dedup.length).put(dedup);
        b.putLong(m.expiresAtMillis()).putLong(m.ttlMillis()).putShort((short) props.size());
        for (Map.Entry<byte[], byte[]> e : props.entrySet()) {
            b.putShort((short) e.getKey().length).put(e.getKey()).putInt(e.getValue().length).put(e.getValue());
        }
        b.put(m.payload());
        return b.array();
    }

    /** The topic id of a stored due entry. */
    static long valueTopicId(byte[] v) {
        if (v.length < 10) {
            throw corrupt("schedule entry of " + v.length + " bytes", null);
        }
        return getLong(v, 0);
    }

    static Stored decode(byte[] v) {
        try {
            ByteBuffer b = ByteBuffer.wrap(v);
            long topicId = b.getLong();
            String topic = string(b, Short.toUnsignedInt(b.getShort()));
            int count = b.getInt();
            if (count < 0) {
                throw corrupt("schedule entry of " + count + " messages", null);
            }
            List<Item> items = new ArrayList<>(Math.min(count, 1 << 16));
            for (int i = 0; i < count; i++) {
                int offset = b.getInt();
                int length = b.getInt();
                if (length < 0) {
                    throw corrupt("scheduled message of length " + length, null);
                }
                items.add(new Item(offset, message(ByteBuffer.wrap(v, b.position(), length).slice())));
                b.position(b.position() + length);
            }
            return new Stored(topicId, topic, items);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException
                 | io.rocksmq.api.InvalidArgumentException e) {
            throw corrupt("schedule entry of " + v.length + " bytes", e);
        }
    }

    private static ProducerMessage message(ByteBuffer b) {
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
        return new ProducerMessage(payload, props, dedup, expiresAt, ttl);
    }

    /** The per-topic index value of an entry: its due time and how many messages it holds. */
    static byte[] indexValue(long due, int count) {
        byte[] v = new byte[12];
        putLong(v, 0, due);
        StorageLayout.putInt(v, 8, count);
        return v;
    }

    static long indexDue(byte[] v) {
        requireLength(v, 12, "schedule index entry");
        return getLong(v, 0);
    }

    static int indexCount(byte[] v) {
        requireLength(v, 12, "schedule index entry");
        return StorageLayout.getInt(v, 8);
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
