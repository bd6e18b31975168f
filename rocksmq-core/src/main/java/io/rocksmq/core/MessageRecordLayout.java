package io.rocksmq.core;

import static io.rocksmq.core.StorageLayout.META_MESSAGES;
import static io.rocksmq.core.StorageLayout.corrupt;
import static io.rocksmq.core.StorageLayout.getLong;
import static io.rocksmq.core.StorageLayout.putLong;
import static io.rocksmq.core.StorageLayout.requireLength;

/**
 * Keys and values of a topic's message records ({@code 0x18} in the {@code meta} column family: its
 * message settings, its deduplication log and count); their bytes are drawn in {@link StorageLayout},
 * whose primitives this uses.
 *
 * <p>Thread-safe: stateless.
 */
final class MessageRecordLayout {
    static final byte MESSAGE_SETTINGS = 0x00;
    static final byte DEDUP_LOG = 0x02;
    static final byte DEDUP_COUNT = 0x03;

    private MessageRecordLayout() {
    }

    /** All message records of a topic lie in [messagePrefix(t), messagePrefix(t + 1)). */
    static byte[] messagePrefix(long topicId) {
        byte[] key = new byte[9];
        key[0] = META_MESSAGES;
        putLong(key, 1, topicId);
        return key;
    }

    private static byte[] messageRecordKey(long topicId, byte type, int extra) {
        byte[] key = new byte[10 + extra];
        key[0] = META_MESSAGES;
        putLong(key, 1, topicId);
        key[9] = type;
        return key;
    }

    static byte[] messageSettingsKey(long topicId) {
        return messageRecordKey(topicId, MESSAGE_SETTINGS, 0);
    }

    static byte[] messageSettingsValue(long dedupWindowMillis, long defaultTtlMillis) {
        byte[] v = new byte[16];
        putLong(v, 0, dedupWindowMillis);
        putLong(v, 8, defaultTtlMillis);
        return v;
    }

    /** {@code [dedupWindowMillis, defaultTtlMillis]}. */
    static long[] decodeMessageSettings(byte[] value) {
        requireLength(value, 16, "message settings");
        return new long[] {getLong(value, 0), getLong(value, 8)};
    }

    static byte[] dedupCountKey(long topicId) {
        return messageRecordKey(topicId, DEDUP_COUNT, 0);
    }

    static byte[] countValue(long count) {
        byte[] v = new byte[8];
        putLong(v, 0, count);
        return v;
    }

    static long decodeCount(byte[] value) {
        requireLength(value, 8, "count");
        return getLong(value, 0);
    }

    /** A dedup log key; {@code storedAt} is a publish time, never negative. */
    static byte[] dedupLogKey(long topicId, long storedAt, long firstMessageId) {
        byte[] key = messageRecordKey(topicId, DEDUP_LOG, 16);
        putLong(key, 10, storedAt);
        putLong(key, 18, firstMessageId);
        return key;
    }

    /** Just past the topic's dedup log keys. */
    static byte[] dedupLogUpperBound(long topicId) {
        return messageRecordKey(topicId, (byte) (DEDUP_LOG + 1), 0);
    }

    static long dedupLogKeyTime(byte[] key) {
        if (key.length != 26) {
            throw corrupt("dedup log key of " + key.length + " bytes", null);
        }
        return getLong(key, 10);
    }

    /** The first message id a dedup log key names. */
    static long dedupLogKeyFirstId(byte[] key) {
        if (key.length != 26) {
            throw corrupt("dedup log key of " + key.length + " bytes", null);
        }
        return getLong(key, 18);
    }
}
