package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.rocksmq.core.StorageLayout.META_SHARED;
import static io.rocksmq.core.StorageLayout.corrupt;
import static io.rocksmq.core.StorageLayout.getInt;
import static io.rocksmq.core.StorageLayout.getLong;
import static io.rocksmq.core.StorageLayout.getShort;
import static io.rocksmq.core.StorageLayout.putInt;
import static io.rocksmq.core.StorageLayout.putLong;
import static io.rocksmq.core.StorageLayout.putShort;

/**
 * Keys and values of the shared-group records ({@code 0x14} in the {@code meta} column family); their
 * bytes are drawn in {@link StorageLayout}, whose primitives this uses.
 *
 * <p>Thread-safe: stateless.
 */
final class SharedLayout {
    static final byte SHARED_OPTIONS = 0x01;
    static final byte SHARED_COUNTERS = 0x02;
    static final byte SHARED_MESSAGE = 0x03;

    private SharedLayout() {
    }

    /** All shared-group records of a topic lie in [sharedPrefix(t), sharedPrefix(t + 1)). */
    static byte[] sharedPrefix(long topicId) {
        byte[] key = new byte[9];
        key[0] = META_SHARED;
        putLong(key, 1, topicId);
        return key;
    }

    private static byte[] sharedGroupKey(long topicId, byte type, String group) {
        byte[] name = group.getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[10 + name.length];
        key[0] = META_SHARED;
        putLong(key, 1, topicId);
        key[9] = type;
        System.arraycopy(name, 0, key, 10, name.length);
        return key;
    }

    static byte[] sharedOptionsKey(long topicId, String group) {
        return sharedGroupKey(topicId, SHARED_OPTIONS, group);
    }

    static byte[] sharedCountersKey(long topicId, String group) {
        return sharedGroupKey(topicId, SHARED_COUNTERS, group);
    }

    static byte[] sharedMessageKey(long topicId, String group, long id) {
        byte[] name = group.getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[20 + name.length];
        key[0] = META_SHARED;
        putLong(key, 1, topicId);
        key[9] = SHARED_MESSAGE;
        putShort(key, 10, name.length);
        System.arraycopy(name, 0, key, 12, name.length);
        putLong(key, 12 + name.length, id);
        return key;
    }

    /** Exclusive upper bound of the group's message-state records. */
    static byte[] sharedMessagesEnd(long topicId, String group) {
        byte[] last = sharedMessageKey(topicId, group, Long.MAX_VALUE);
        return Arrays.copyOf(last, last.length + 1);
    }

    static long sharedKeyTopic(byte[] key) {
        return getLong(key, 1);
    }

    static byte sharedKeyType(byte[] key) {
        if (key.length < 10) {
            throw corrupt("shared-group key of " + key.length + " bytes", null);
        }
        return key[9];
    }

    /** The group name of an options or counters key. */
    static String sharedKeyGroup(byte[] key) {
        return new String(key, 10, key.length - 10, StandardCharsets.UTF_8);
    }

    /** The group name of a message-state key. */
    static String sharedMessageKeyGroup(byte[] key) {
        int length = key.length < 12 ? -1 : getShort(key, 10);
        if (length < 0 || key.length != 20 + length) {
            throw corrupt("shared message key of " + key.length + " bytes", null);
        }
        return new String(key, 12, length, StandardCharsets.UTF_8);
    }

    static long sharedMessageKeyId(byte[] key) {
        return getLong(key, key.length - 8);
    }

    static byte[] sharedOptionsValue(SharedGroupOptions o) {
        byte[] dlq = o.deadLetterTopic() == null ? new byte[0] : o.deadLetterTopic().getBytes(StandardCharsets.UTF_8);
        int delays = o.redeliveryDelays().size();
        byte[] v = new byte[18 + dlq.length + 2 + 8 * delays];
        putLong(v, 0, o.lockDuration().toMillis());
        putInt(v, 8, o.maxDeliveries());
        putInt(v, 12, o.maxInFlight());
        putShort(v, 16, dlq.length);
        System.arraycopy(dlq, 0, v, 18, dlq.length);
        int pos = 18 + dlq.length;
        putShort(v, pos, delays);
        for (int i = 0; i < delays; i++) {
            putLong(v, pos + 2 + 8 * i, o.redeliveryDelays().get(i).toMillis());
        }
        return v;
    }

    static SharedGroupOptions decodeSharedOptions(byte[] v) {
        try {
            int dlqLength = getShort(v, 16);
            String dlq = dlqLength == 0 ? null : new String(v, 18, dlqLength, StandardCharsets.UTF_8);
            int pos = 18 + dlqLength;
            int delays = getShort(v, pos);
            requireLength(v, pos + 2 + 8 * delays, "shared group options");
            List<Duration> list = new ArrayList<>();
            for (int i = 0; i < delays; i++) {
                list.add(Duration.ofMillis(getLong(v, pos + 2 + 8 * i)));
            }
            return new SharedGroupOptions(Duration.ofMillis(getLong(v, 0)), getInt(v, 8), dlq, list,
                    getInt(v, 12));
        } catch (IndexOutOfBoundsException | InvalidArgumentException e) {
            throw corrupt("shared group options of " + v.length + " bytes", e);
        }
    }

    static byte[] sharedCountersValue(long rejected, long deadLettered) {
        byte[] v = new byte[16];
        putLong(v, 0, rejected);
        putLong(v, 8, deadLettered);
        return v;
    }

    /** [rejected, deadLettered]. */
    static long[] decodeSharedCounters(byte[] value) {
        requireLength(value, 16, "shared group counters");
        return new long[] {getLong(value, 0), getLong(value, 8)};
    }

    static byte[] sharedMessageValue(int deliveries, boolean done) {
        byte[] v = new byte[5];
        putInt(v, 0, deliveries);
        v[4] = (byte) (done ? 1 : 0);
        return v;
    }

    static int sharedMessageDeliveries(byte[] value) {
        requireLength(value, 5, "shared message state");
        return getInt(value, 0);
    }

    static boolean sharedMessageDone(byte[] value) {
        requireLength(value, 5, "shared message state");
        return value[4] != 0;
    }

    /** Adds (key, value) puts and (key, null) deletes of the meta family to {@code batch}. */
    static void stageMeta(WriteBatch batch, RocksStore store, List<byte[][]> writes) throws RocksDBException {
        for (byte[][] w : writes) {
            if (w[1] == null) {
                batch.delete(store.meta(), w[0]);
            } else {
                batch.put(store.meta(), w[0], w[1]);
            }
        }
    }

    private static void requireLength(byte[] value, int length, String what) {
        if (value == null || value.length != length) {
            throw corrupt(what + " has " + (value == null ? "no value" : value.length + " bytes")
                    + ", expected " + length, null);
        }
    }
}
