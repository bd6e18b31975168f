package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.internals.Utf16;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.rocksmq.core.StorageLayout.corrupt;
import static io.rocksmq.core.StorageLayout.getInt;
import static io.rocksmq.core.StorageLayout.getLong;
import static io.rocksmq.core.StorageLayout.getShort;
import static io.rocksmq.core.StorageLayout.putInt;
import static io.rocksmq.core.StorageLayout.putLong;
import static io.rocksmq.core.StorageLayout.putShort;
import static io.rocksmq.core.StorageLayout.utf8Length;

/**
 * The value of a {@value StorageLayout#MESSAGES_CF} entry: a batch of messages, stored once per produce
 * (or per chunk of a large produce). Part of the on-disk format, under {@link StorageLayout#FORMAT_VERSION};
 * the keys and the metadata are in {@link StorageLayout}.
 *
 * <pre>
 * [batch format u8 = 1 or 2][count N u32][publishTime i64 epoch ms]
 * N x message:
 *   (format 2 only) [expiresAt i64 epoch ms, 0 = never]
 *   [payload length P u32][payload P bytes]
 *   [property count K u16]
 *   K x [key length u16][key UTF-8][value length u32][value UTF-8]
 * </pre>
 * Format 2 is written only for a batch holding at least one message with an expiry (a time-to-live), so
 * batches without one are byte for byte what they were. It was added within {@link StorageLayout}'s
 * version 1: an older build rejects a format-2 batch as unknown (corrupt) rather than misread it.
 * Message {@code i} of the batch (0-based) has id {@code firstMessageId + i}, the id in the entry's key.
 * The publish time is left zero at encoding (outside any lock) and patched in once the topic's produce
 * lock assigned it.
 *
 * <p>Thread-safe: stateless.
 */
final class BatchFormat {
    static final byte BATCH_FORMAT = 1;
    /** A batch whose messages each carry an expiry time before their payload. */
    static final byte BATCH_FORMAT_EXPIRING = 2;
    /** Bytes of a message's expiry time in a format-2 batch. */
    static final int EXPIRY_BYTES = 8;
    /** Offset of the publish time inside a batch value, patched once the time is known. */
    static final int BATCH_TIME_OFFSET = 5;
    static final int BATCH_HEADER_BYTES = 13;

    static final int MAX_PROPERTIES = 0xFFFF;
    static final int MAX_PROPERTY_KEY_BYTES = 0xFFFF;

    private BatchFormat() {
    }

    /**
     * Encodes messages {@code [from, to)} as one batch value, publish time left zero; the caller
     * patches it with {@link #patchPublishTime} once the time is assigned under the topic's lock.
     */
    static byte[] encodeBatch(List<ProducerMessage> messages, int from, int to) {
        return encodeBatch(messages, from, to, 0);
    }

    /**
     * As {@link #encodeBatch(List, int, int)}; a message with a time-to-live expires at {@code now} plus
     * it. Format 2 if any message of the range expires.
     */
    static byte[] encodeBatch(List<ProducerMessage> messages, int from, int to, long now) {
        boolean expiring = false;
        int size = BATCH_HEADER_BYTES;
        for (int i = from; i < to; i++) {
            ProducerMessage m = messages.get(i);
            size += encodedSize(m);
            expiring |= m.expires();
        }
        if (expiring) {
            for (int i = from; i < to; i++) {
                size += messages.get(i).expires() ? 0 : EXPIRY_BYTES; // encodedSize counted those that expire
            }
        }
        byte[] out = new byte[size];
        out[0] = expiring ? BATCH_FORMAT_EXPIRING : BATCH_FORMAT;
        putInt(out, 1, to - from);
        int pos = BATCH_HEADER_BYTES;
        for (int i = from; i < to; i++) {
            ProducerMessage m = messages.get(i);
            if (expiring) {
                putLong(out, pos, m.expiresAt(now));
                pos += EXPIRY_BYTES;
            }
            pos = encodeMessage(m, out, pos);
        }
        return out;
    }

    /** Bytes one message takes inside a batch value (with its expiry time if it has one). */
    static int encodedSize(ProducerMessage message) {
        int size = 4 + message.payload().length + 2 + (message.expires() ? EXPIRY_BYTES : 0);
        if (message.properties().isEmpty()) {
            return size; // the common case: no iterator allocated per message
        }
        for (Map.Entry<String, String> e : message.properties().entrySet()) {
            size += 2 + utf8Length(e.getKey()) + 4 + utf8Length(e.getValue());
        }
        return size;
    }

    /**
     * A message's size as {@code maxMessageBytes} counts it: payload plus the UTF-8 bytes of its property
     * keys and values (the framing around them is not counted).
     */
    static long messageBytes(ProducerMessage message) {
        long bytes = message.payload().length;
        if (message.properties().isEmpty()) {
            return bytes;
        }
        for (Map.Entry<String, String> e : message.properties().entrySet()) {
            bytes += utf8Length(e.getKey()) + (long) utf8Length(e.getValue());
        }
        return bytes;
    }

    private static int encodeMessage(ProducerMessage message, byte[] out, int pos) {
        byte[] payload = message.payload();
        putInt(out, pos, payload.length);
        pos += 4;
        System.arraycopy(payload, 0, out, pos, payload.length);
        pos += payload.length;
        Map<String, String> props = message.properties();
        putShort(out, pos, props.size());
        pos += 2;
        if (props.isEmpty()) {
            return pos;
        }
        for (Map.Entry<String, String> e : props.entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
            putShort(out, pos, k.length);
            pos += 2;
            System.arraycopy(k, 0, out, pos, k.length);
            pos += k.length;
            putInt(out, pos, v.length);
            pos += 4;
            System.arraycopy(v, 0, out, pos, v.length);
            pos += v.length;
        }
        return pos;
    }

    static void patchPublishTime(byte[] batch, long publishTime) {
        putLong(batch, BATCH_TIME_OFFSET, publishTime);
    }

    static int batchCount(byte[] batch) {
        checkBatchHeader(batch);
        return getInt(batch, 1);
    }

    static long batchPublishTime(byte[] batch) {
        checkBatchHeader(batch);
        return getLong(batch, BATCH_TIME_OFFSET);
    }

    /** An expiry time later than any: a message that never expires. */
    static final long NEVER = Long.MAX_VALUE;

    /**
     * When the last message of a batch expires, as reads judge it ({@link MessageList#unexpired}): a
     * message's own expiry, else its publish time plus the topic's default time-to-live; {@link #NEVER}
     * if some message never expires.
     */
    static long latestExpiry(byte[] batch, long defaultTtlMillis) {
        checkBatchHeader(batch);
        long byDefault = expiryByDefault(getLong(batch, BATCH_TIME_OFFSET), defaultTtlMillis);
        if (batch[0] != BATCH_FORMAT_EXPIRING) {
            return byDefault;
        }
        int count = getInt(batch, 1);
        int pos = BATCH_HEADER_BYTES;
        long latest = 0;
        try {
            for (int i = 0; i < count; i++) {
                long own = getLong(batch, pos);
                latest = Math.max(latest, own > 0 ? own : byDefault);
                int payloadLength = getInt(batch, pos + EXPIRY_BYTES);
                int propertiesAt = pos + EXPIRY_BYTES + 4 + payloadLength;
                if (payloadLength < 0 || propertiesAt > batch.length - 2) {
                    throw new IndexOutOfBoundsException(propertiesAt);
                }
                pos = skipProperties(batch, propertiesAt);
            }
        } catch (IndexOutOfBoundsException e) {
            throw corrupt("message batch of " + count + " messages is truncated", e);
        }
        return latest;
    }

    /**
     * When a message published at {@code publishTime} without an expiry of its own expires by the topic's
     * default time-to-live: {@link #NEVER} if there is none, or if the sum passes the largest time (the
     * reads' sum then wraps negative and they never expire it either; retention must not delete it).
     */
    static long expiryByDefault(long publishTime, long defaultTtlMillis) {
        if (defaultTtlMillis <= 0) {
            return NEVER;
        }
        long at = publishTime + defaultTtlMillis;
        return at < publishTime ? NEVER : at;
    }

    /** The publish time in the header of a batch {@link #decodeBatch} has checked. */
    static long batchTime(byte[] batch) {
        return getLong(batch, BATCH_TIME_OFFSET);
    }

    /** The length of the payload starting at {@code payloadOffset} of a batch {@link #decodeBatch} has checked. */
    static int payloadSize(byte[] batch, int payloadOffset) {
        return getInt(batch, payloadOffset - 4);
    }

    /**
     * Decodes the messages of a batch whose ids are at least {@code fromId}, appending at most
     * {@code max - out.size()} of them to {@code out}.
     *
     * @return the id after the last message appended, or {@code fromId} if none was
     */
    static long decodeBatch(byte[] batch, long firstId, long fromId, int max, MessageList out) {
        checkBatchHeader(batch);
        int count = getInt(batch, 1);
        int expiryBytes = batch[0] == BATCH_FORMAT_EXPIRING ? EXPIRY_BYTES : 0;
        int pos = BATCH_HEADER_BYTES;
        long next = fromId;
        try {
            for (int i = 0; i < count && out.size() < max; i++) {
                long id = firstId + i;
                pos += expiryBytes;
                int payloadLength = getInt(batch, pos);
                int payloadAt = pos + 4;
                int propertiesAt = payloadAt + payloadLength;
                if (payloadLength < 0 || propertiesAt > batch.length - 2) {
                    throw new IndexOutOfBoundsException(propertiesAt);
                }
                pos = skipProperties(batch, propertiesAt);
                if (id >= fromId) {
                    out.append(id, batch, payloadAt);
                    next = id + 1;
                }
            }
            if (pos > batch.length) {
                throw new IndexOutOfBoundsException(pos);
            }
        } catch (IndexOutOfBoundsException e) {
            throw corrupt("message batch at id " + firstId + " is truncated", e);
        }
        return next;
    }

    /** The offset after the properties whose count sits at {@code pos}; reads lengths only. */
    private static int skipProperties(byte[] batch, int pos) {
        int propCount = getShort(batch, pos);
        pos += 2;
        for (int p = 0; p < propCount; p++) {
            pos += 2 + getShort(batch, pos);
            pos += 4 + getInt(batch, pos);
        }
        return pos;
    }

    /**
     * The properties whose count sits at {@code pos} in a batch {@link #decodeBatch} has checked
     * (every length lies within the batch).
     */
    static Map<String, String> decodeProperties(byte[] batch, int pos) {
        int propCount = getShort(batch, pos);
        if (propCount == 0) {
            return Map.of();
        }
        pos += 2;
        Map<String, String> m = new HashMap<>(propCount * 2);
        for (int p = 0; p < propCount; p++) {
            int kl = getShort(batch, pos);
            pos += 2;
            String k = new String(batch, pos, kl, StandardCharsets.UTF_8);
            pos += kl;
            int vl = getInt(batch, pos);
            pos += 4;
            String v = new String(batch, pos, vl, StandardCharsets.UTF_8);
            pos += vl;
            m.put(k, v);
        }
        return Map.copyOf(m);
    }

    /**
     * The expiry time of the message whose payload starts at {@code payloadOffset}, 0 if it never expires.
     */
    static long expiresAt(byte[] batch, int payloadOffset) {
        return batch[0] == BATCH_FORMAT_EXPIRING ? getLong(batch, payloadOffset - 4 - EXPIRY_BYTES) : 0;
    }

    private static void checkBatchHeader(byte[] batch) {
        if (batch.length < BATCH_HEADER_BYTES || (batch[0] != BATCH_FORMAT && batch[0] != BATCH_FORMAT_EXPIRING)) {
            throw corrupt("unknown message batch format " + (batch.length == 0 ? "(empty)" : batch[0]), null);
        }
    }

    // ---------------------------------------------------------------- validation of what we encode

    /** Rejects properties the format cannot hold; {@link ProducerMessage}'s constructor calls it, so every message is encodable. */
    static void checkEncodable(Map<String, String> properties) {
        if (properties.isEmpty()) {
            return;
        }
        if (properties.size() > MAX_PROPERTIES) {
            throw new InvalidArgumentException("a message can carry at most " + MAX_PROPERTIES + " properties");
        }
        for (Map.Entry<String, String> p : properties.entrySet()) {
            String key = p.getKey();
            if (utf8Length(key) > MAX_PROPERTY_KEY_BYTES) {
                throw new InvalidArgumentException("property key longer than " + MAX_PROPERTY_KEY_BYTES + " UTF-8 bytes");
            }
            // UTF-8 cannot hold an unpaired surrogate: the encoder would store '?' and the message would
            // come back different from what was produced.
            int bad = Utf16.unpairedSurrogate(key);
            if (bad >= 0) {
                throw new InvalidArgumentException("property key contains an unpaired surrogate at index " + bad);
            }
            bad = Utf16.unpairedSurrogate(p.getValue());
            if (bad >= 0) {
                throw new InvalidArgumentException("value of property '" + printable(key)
                        + "' contains an unpaired surrogate at index " + bad);
            }
        }
    }

    /** For error messages: the text with surrogates that UTF-8 cannot show replaced by U+FFFD. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return b.toString();
    }

    /** Splits {@code [0, n)} into chunks of at most {@code maxChunkBytes} encoded bytes (at least one message each). */
    static List<int[]> chunks(List<ProducerMessage> messages, int maxChunkBytes) {
        List<int[]> out = new ArrayList<>(1);
        int start = 0;
        int bytes = 0;
        for (int i = 0; i < messages.size(); i++) {
            int size = encodedSize(messages.get(i));
            if (i > start && bytes + size > maxChunkBytes) {
                out.add(new int[] {start, i});
                start = i;
                bytes = 0;
            }
            bytes += size;
        }
        out.add(new int[] {start, messages.size()});
        return out;
    }

    /** Bytes a payload-only message of {@code payloadBytes} takes inside a batch value (format 1). */
    static int payloadOnlySize(int payloadBytes) {
        return 4 + payloadBytes + 2;
    }

    /** As {@link #chunks(List, int)}, for the messages of a payload block. */
    static List<int[]> chunks(PayloadBlock block, int maxChunkBytes) {
        List<int[]> out = new ArrayList<>(1);
        int start = 0;
        long bytes = 0;
        for (int i = 0; i < block.count(); i++) {
            int size = payloadOnlySize(block.size(i));
            if (i > start && bytes + size > maxChunkBytes) {
                out.add(new int[] {start, i});
                start = i;
                bytes = 0;
            }
            bytes += size;
        }
        out.add(new int[] {start, block.count()});
        return out;
    }

    /**
     * Encodes messages {@code [from, to)} of a payload block, whose payloads start at byte {@code at} of
     * the block, as one batch value (format 1, no properties: byte for byte what {@link #encodeBatch}
     * writes for the same payloads as {@link ProducerMessage}s), publish time left zero.
     */
    static byte[] encodePayloads(PayloadBlock block, int from, int to, int at) {
        int size = BATCH_HEADER_BYTES;
        for (int i = from; i < to; i++) {
            size += payloadOnlySize(block.size(i));
        }
        byte[] out = new byte[size];
        out[0] = BATCH_FORMAT;
        putInt(out, 1, to - from);
        int pos = BATCH_HEADER_BYTES;
        for (int i = from; i < to; i++) {
            int length = block.size(i);
            putInt(out, pos, length);
            pos += 4;
            block.copy(at, out, pos, length);
            at += length;
            pos += length;
            putShort(out, pos, 0); // no properties
            pos += 2;
        }
        return out;
    }
}
