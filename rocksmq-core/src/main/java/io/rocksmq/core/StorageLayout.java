package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.StorageException;

import java.nio.charset.StandardCharsets;

/**
 * The on-disk format: every column family, every key and every metadata value the queue stores lives
 * here, and the value of a message entry in {@link BatchFormat}; nowhere else.
 *
 * <h2>Versions</h2>
 * {@link #FORMAT_VERSION} is stored at creation and checked at open. A change that this build could not
 * read back from data written before it, or that an older build could misread rather than reject, must
 * bump it. One change so far kept version 1: the retention records ({@code 0x13}) and the longer topic
 * counter (24 bytes, was 16) were added within it, because this build still reads the 16-byte counter
 * and older builds reject a 24-byte one as corrupt rather than misread it. So data written since cannot
 * be opened by a build older than the retention records.
 *
 * <h2>Column families</h2>
 * <ul>
 *   <li>{@code default}: unused (RocksDB requires it).</li>
 *   <li>{@value #MESSAGES_CF}: message batches, one entry per produced batch (or per chunk of a large
 *       batch). Keys sort by topic, then by first message id.</li>
 *   <li>{@value #META_CF}: topics, id counters, consumer-group positions, global counters.</li>
 * </ul>
 * All integers are big-endian, so that byte order equals numeric order for the non-negative values we
 * store (ids, topic ids). Strings are UTF-8. Keys are fixed-width binary or end with the only
 * variable-length part, so keys of different topics can never collide whatever the names.
 *
 * <h2>{@value #MESSAGES_CF}</h2>
 * <pre>
 * key   (16 bytes)  [topicId u64][firstMessageId u64]
 * value             a batch of messages, see {@link BatchFormat}
 * </pre>
 * Message {@code i} of the batch (0-based) has id {@code firstMessageId + i}. To read from an id in the
 * middle of a batch, {@code seekForPrev([topicId][id])} finds the batch that holds it.
 *
 * <h2>{@value #META_CF}</h2>
 * <pre>
 * [0x01]                                  format version        [version u32]
 * [0x02]                                  global counters       [nextTopicId u64][messageIdFloor u64]
 * [0x10][topic name UTF-8]                topic                 [topicId u64][startId u64][createdAt i64]
 * [0x11][topicId u64]                     topic id counter      [nextMessageId u64][lastPublishTime i64]
 *                                                               [producedBytes u64]
 * [0x12][topicId u64][group name UTF-8]   group position        [nextIdToRead u64]
 * [0x13][topicId u64][0x01]               retention override    [retentionTime i64][retentionBytes i64]
 *                                                               [maxRetentionTime i64][maxRetentionBytes i64]
 * [0x13][topicId u64][0x02]               retention state       [cutId u64][deletedBytes u64]
 *                                                               [deleted by rule: 5 x u64, RetentionRule
 *                                                               ordinals; 4 if written before EXPIRED]
 * [0x13][topicId u64][0x03][endId u64]    retention segment     [bytesAtEnd u64][lastPublishTime i64]
 * [0x13][topicId u64][0x04][group UTF-8]  group skip counter    [skippedTotal u64][skippedNotTaken u64]
 * [0x18][topicId u64][0x00]               message settings      [dedupWindowMillis i64][defaultTtlMillis i64]
 * [0x18][topicId u64][0x02][storedAt i64][firstMessageId u64]
 *                                         dedup log             [0x01] N x [idDelta varint][shared varint][suffixLength varint][suffix UTF-8]
 *                                                               (prefix-compressed, {@link DedupLogRecord}; first layout, still
 *                                                               read: N x [messageId u64][idLength u16][dedupId UTF-8])
 *                                                               or [0x02][runs varint] runs x [prefix][first sequence][count]
 *                                                               [id delta], then pairs as in 0x01 (ids of the sequence form)
 * [0x18][topicId u64][0x03]               dedup count           [deduplicated messages u64]
 * [0x14][topicId u64][0x01][group UTF-8]  shared group options  [lockMillis i64][maxDeliveries i32][maxInFlight i32]
 *                                                               [dlqLength u16][dead-letter topic UTF-8]
 *                                                               [delayCount u16][delayMillis i64 ...]
 * [0x14][topicId u64][0x02][group UTF-8]  shared group counters [rejected u64][deadLettered u64]
 * [0x14][topicId u64][0x03][groupLength u16][group UTF-8][id u64]
 *                                         shared message state  [deliveries u32][done u8]
 * </pre>
 * {@code messageIdFloor} is the largest {@code nextMessageId} of any destroyed topic: a topic created
 * later starts there, so ids are never reused, not even across destroy and re-create. The topic id
 * counter is written in the same {@code WriteBatch} as the messages it counts.
 *
 * <h2>Retention records ({@code 0x13})</h2>
 * All of a topic's retention records lie in {@code [retentionPrefix(t), retentionPrefix(t + 1))}, so
 * destroying a topic removes them with one range delete. Sizes are <em>stored bytes</em>: for every
 * entry of the {@value #MESSAGES_CF} family, 16 key bytes plus the value length (before compression).
 * <ul>
 *   <li>{@code producedBytes} (in the topic id counter): stored bytes ever produced to the topic. It
 *       rides in the counter every produce already writes, so accounting costs no extra write.
 *       {@code 0xFFFF_FFFF_FFFF_FFFF}, or a counter of the original 16 bytes, means "unknown": it is
 *       recomputed at open by a scan of the topic.</li>
 *   <li>override: per-topic retention settings; times in milliseconds; {@code -1} disables a limit,
 *       {@code -2} means "the queue's configured default". Absent: all defaults.</li>
 *   <li>state: every message with id {@code < cutId} was deleted by retention; {@code deletedBytes} is
 *       their stored bytes, so a topic retains {@code producedBytes - deletedBytes}. Then the number of
 *       messages deleted by each rule, in the order retentionTime, retentionBytes, maxRetentionTime,
 *       maxRetentionBytes. Absent: {@code cutId = startId}, nothing deleted. This record <em>is</em>
 *       the deletion: readers never look below {@code cutId}, and entries below it that still sit in
 *       files (their space is reclaimed in bulk) are garbage. Written in one {@code WriteBatch} with
 *       the positions of the groups retention moved.</li>
 *   <li>segment: a coarse index of the topic's entries, one record per run of at least the configured
 *       segment size, written in the produce's {@code WriteBatch} that closes the run: the run ends
 *       just before message {@code endId}, the topic had produced {@code bytesAtEnd} stored bytes by
 *       then, and its last entry was published at {@code lastPublishTime}. Retention deletes the
 *       segments whose {@code endId <= cutId} in the batch that writes the state.</li>
 *   <li>group skip counter: messages a hard retention cap deleted before the group read them, in total
 *       and not yet taken by {@code RocksMq.takeSkippedMessages}. Absent: zero.</li>
 * </ul>
 *
 * <h2>Message records ({@code 0x18})</h2>
 * All of a topic's message-feature records lie in {@code [messagePrefix(t), messagePrefix(t + 1))},
 * deleted with one range delete when the topic is destroyed. Like the retention records they were
 * added within version 1: an older build ignores the prefix (its recovery skips unknown record types),
 * so it opens such data but neither deduplicates nor applies the settings.
 * <ul>
 *   <li>settings: the topic's deduplication window and default time-to-live, milliseconds;
 *       {@code -1} for the ttl means none. Absent: the defaults ({@link MessageSettings#DEFAULT}).</li>
 *   <li>dedup log: one record per write that stored messages with deduplication ids, written in that
 *       write's {@code WriteBatch} (so an id is logged if and only if its message is stored): the publish
 *       time of the write, its smallest message id with an id (so keys never collide), and the pairs.
 *       Ordered by time, so the ids of the window are one range scan and the purge is one range delete.
 *       (Type {@code 0x01} is unused: per-id records, tried first, cost one entry per message.)
 *       The value layouts {@code 0x01} and {@code 0x02} were added within version 1. A build older than
 *       a layout reads such a value as the first layout: it rejects it as corrupt (a produce with ids
 *       to that topic fails until the record's window passes and the purge deletes it), except a value
 *       whose bytes happen to parse as first-layout pairs (possible for ids holding control characters
 *       at the right places), which it misreads: it would not deduplicate those ids.</li>
 * </ul>
 *
 * <h2>Shared-group records ({@code 0x14})</h2>
 * A shared group ({@link SharedGroupState}) also has a position record ({@code 0x12}): its ack floor. Its
 * options record marks it shared (a group without one is a stream group); written with the position in
 * one batch. A message-state record exists for a message above the floor that was delivered
 * ({@code done = 0}, with its delivery count) or finished, acknowledged or dead-lettered
 * ({@code done = 1}); records below the floor are garbage, deleted when the floor passes them. A topic's
 * shared records lie in {@code [sharedPrefix(t), sharedPrefix(t + 1))}, a group's message states in
 * {@code [sharedMessageKey(t, g, 0), sharedMessagesEnd(t, g))}.
 *
 * <p>Thread-safe: stateless.
 */
final class StorageLayout {
    static final int FORMAT_VERSION = 1;

    static final String MESSAGES_CF = "messages";
    static final String META_CF = "meta";

    static final byte META_FORMAT = 0x01;
    static final byte META_GLOBAL = 0x02;
    static final byte META_TOPIC = 0x10;
    static final byte META_TOPIC_COUNTER = 0x11;
    static final byte META_GROUP_POSITION = 0x12;
    static final byte META_RETENTION = 0x13;
    /** Per-topic message records (settings, deduplication): their codecs are in {@link MessageRecordLayout}. */
    static final byte META_MESSAGES = 0x18;


    /** Shared-group records: their codecs are in {@link SharedLayout}. */
    static final byte META_SHARED = 0x14;

    static final byte RETENTION_OVERRIDE = 0x01;
    static final byte RETENTION_STATE = 0x02;
    static final byte RETENTION_SEGMENT = 0x03;
    static final byte RETENTION_SKIP = 0x04;
    /** {@code producedBytes} value meaning "unknown, recompute at open". */
    static final long UNKNOWN_BYTES = -1;
    /** Stored bytes of a message-batch entry beyond its value: the key. */
    static final int ENTRY_KEY_BYTES = 16;

    private StorageLayout() {
    }

    // ---------------------------------------------------------------- messages CF keys

    static byte[] messageKey(long topicId, long firstId) {
        byte[] key = new byte[16];
        putLong(key, 0, topicId);
        putLong(key, 8, firstId);
        return key;
    }

    /** Smallest key of a topic: iteration lower bound. */
    static byte[] topicLowerBound(long topicId) {
        return messageKey(topicId, 0);
    }

    /** Smallest key of the next topic: exclusive iteration upper bound. */
    static byte[] topicUpperBound(long topicId) {
        return messageKey(topicId + 1, 0);
    }

    static long messageKeyTopic(byte[] key) {
        return getLong(key, 0);
    }

    static long messageKeyFirstId(byte[] key) {
        return getLong(key, 8);
    }

    // ---------------------------------------------------------------- meta CF keys and values

    static byte[] formatKey() {
        return new byte[] {META_FORMAT};
    }

    static byte[] formatValue() {
        byte[] v = new byte[4];
        putInt(v, 0, FORMAT_VERSION);
        return v;
    }

    static int decodeFormat(byte[] value) {
        requireLength(value, 4, "format version");
        return getInt(value, 0);
    }

    static byte[] globalKey() {
        return new byte[] {META_GLOBAL};
    }

    static byte[] globalValue(long nextTopicId, long messageIdFloor) {
        byte[] v = new byte[16];
        putLong(v, 0, nextTopicId);
        putLong(v, 8, messageIdFloor);
        return v;
    }

    static long globalNextTopicId(byte[] value) {
        requireLength(value, 16, "global counters");
        return getLong(value, 0);
    }

    static long globalMessageIdFloor(byte[] value) {
        requireLength(value, 16, "global counters");
        return getLong(value, 8);
    }

    static byte[] topicKey(String name) {
        return prefixed(META_TOPIC, name.getBytes(StandardCharsets.UTF_8));
    }

    static String topicKeyName(byte[] key) {
        return new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
    }

    record TopicRecord(long topicId, long startId, long createdAt) {
    }

    static byte[] topicValue(TopicRecord record) {
        byte[] v = new byte[24];
        putLong(v, 0, record.topicId());
        putLong(v, 8, record.startId());
        putLong(v, 16, record.createdAt());
        return v;
    }

    static TopicRecord decodeTopic(byte[] value) {
        requireLength(value, 24, "topic record");
        return new TopicRecord(getLong(value, 0), getLong(value, 8), getLong(value, 16));
    }

    static byte[] topicCounterKey(long topicId) {
        byte[] key = new byte[9];
        key[0] = META_TOPIC_COUNTER;
        putLong(key, 1, topicId);
        return key;
    }

    static long topicCounterKeyTopic(byte[] key) {
        return getLong(key, 1);
    }

    /** {@code producedBytes} is {@link #UNKNOWN_BYTES} when not recorded. */
    record TopicCounter(long nextMessageId, long lastPublishTime, long producedBytes) {
    }

    static byte[] topicCounterValue(long nextMessageId, long lastPublishTime, long producedBytes) {
        byte[] v = new byte[24];
        putLong(v, 0, nextMessageId);
        putLong(v, 8, lastPublishTime);
        putLong(v, 16, producedBytes);
        return v;
    }

    static TopicCounter decodeTopicCounter(byte[] value) {
        if (value != null && value.length == 16) {
            return new TopicCounter(getLong(value, 0), getLong(value, 8), UNKNOWN_BYTES);
        }
        requireLength(value, 24, "topic counter");
        return new TopicCounter(getLong(value, 0), getLong(value, 8), getLong(value, 16));
    }

    static byte[] groupPositionKey(long topicId, String group) {
        byte[] name = group.getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[9 + name.length];
        key[0] = META_GROUP_POSITION;
        putLong(key, 1, topicId);
        System.arraycopy(name, 0, key, 9, name.length);
        return key;
    }

    /** All group positions of a topic lie in [groupPositionPrefix(t), groupPositionPrefix(t + 1)). */
    static byte[] groupPositionPrefix(long topicId) {
        byte[] key = new byte[9];
        key[0] = META_GROUP_POSITION;
        putLong(key, 1, topicId);
        return key;
    }

    static long groupPositionKeyTopic(byte[] key) {
        return getLong(key, 1);
    }

    static String groupPositionKeyGroup(byte[] key) {
        return new String(key, 9, key.length - 9, StandardCharsets.UTF_8);
    }

    static byte[] positionValue(long nextIdToRead) {
        byte[] v = new byte[8];
        putLong(v, 0, nextIdToRead);
        return v;
    }

    static long decodePosition(byte[] value) {
        requireLength(value, 8, "group position");
        return getLong(value, 0);
    }

    // ---------------------------------------------------------------- retention records

    /** All retention records of a topic lie in [retentionPrefix(t), retentionPrefix(t + 1)). */
    static byte[] retentionPrefix(long topicId) {
        byte[] key = new byte[9];
        key[0] = META_RETENTION;
        putLong(key, 1, topicId);
        return key;
    }

    private static byte[] retentionKey(long topicId, byte type, int extra) {
        byte[] key = new byte[10 + extra];
        key[0] = META_RETENTION;
        putLong(key, 1, topicId);
        key[9] = type;
        return key;
    }

    static long retentionKeyTopic(byte[] key) {
        return getLong(key, 1);
    }

    static byte retentionKeyType(byte[] key) {
        if (key.length < 10) {
            throw corrupt("retention key of " + key.length + " bytes", null);
        }
        return key[9];
    }

    static byte[] retentionOverrideKey(long topicId) {
        return retentionKey(topicId, RETENTION_OVERRIDE, 0);
    }

    static byte[] retentionOverrideValue(RetentionPolicy p) {
        byte[] v = new byte[32];
        putLong(v, 0, p.retentionTime());
        putLong(v, 8, p.retentionBytes());
        putLong(v, 16, p.maxRetentionTime());
        putLong(v, 24, p.maxRetentionBytes());
        return v;
    }

    static RetentionPolicy decodeRetentionOverride(byte[] value) {
        requireLength(value, 32, "retention override");
        try {
            return new RetentionPolicy(getLong(value, 0), getLong(value, 8), getLong(value, 16), getLong(value, 24));
        } catch (InvalidArgumentException e) {
            throw corrupt("retention override out of range", e);
        }
    }

    static byte[] retentionStateKey(long topicId) {
        return retentionKey(topicId, RETENTION_STATE, 0);
    }

    /** {@code deletedByRule} is indexed by {@link RetentionRule#ordinal()}. */
    record RetentionState(long cutId, long deletedBytes, long[] deletedByRule) {
    }

    static byte[] retentionStateValue(RetentionState state) {
        byte[] v = new byte[16 + 8 * RetentionRule.COUNT];
        putLong(v, 0, state.cutId());
        putLong(v, 8, state.deletedBytes());
        for (int r = 0; r < RetentionRule.COUNT; r++) {
            putLong(v, 16 + 8 * r, state.deletedByRule()[r]);
        }
        return v;
    }

    /** Rules counted in a retention state written before {@link RetentionRule#EXPIRED} existed. */
    private static final int RULES_BEFORE_EXPIRED = 4;

    static RetentionState decodeRetentionState(byte[] value) {
        // A state written before the EXPIRED rule holds four counts; that rule had deleted nothing then.
        int rules = value.length == 16 + 8 * RULES_BEFORE_EXPIRED ? RULES_BEFORE_EXPIRED : RetentionRule.COUNT;
        requireLength(value, 16 + 8 * rules, "retention state");
        long[] byRule = new long[RetentionRule.COUNT];
        for (int r = 0; r < rules; r++) {
            byRule[r] = getLong(value, 16 + 8 * r);
        }
        return new RetentionState(getLong(value, 0), getLong(value, 8), byRule);
    }

    /** Segments of a topic ending at or before {@code endId} lie in [segmentKey(t, 0), segmentKey(t, endId + 1)). */
    static byte[] retentionSegmentKey(long topicId, long endId) {
        byte[] key = retentionKey(topicId, RETENTION_SEGMENT, 8);
        putLong(key, 10, endId);
        return key;
    }

    static long retentionSegmentKeyEnd(byte[] key) {
        if (key.length != 18) {
            throw corrupt("retention segment key of " + key.length + " bytes", null);
        }
        return getLong(key, 10);
    }

    static byte[] retentionSegmentValue(long bytesAtEnd, long lastPublishTime) {
        byte[] v = new byte[16];
        putLong(v, 0, bytesAtEnd);
        putLong(v, 8, lastPublishTime);
        return v;
    }

    record Segment(long endId, long bytesAtEnd, long lastPublishTime) {
    }

    static Segment decodeRetentionSegment(byte[] key, byte[] value) {
        requireLength(value, 16, "retention segment");
        return new Segment(retentionSegmentKeyEnd(key), getLong(value, 0), getLong(value, 8));
    }

    static byte[] skipKey(long topicId, String group) {
        byte[] name = group.getBytes(StandardCharsets.UTF_8);
        byte[] key = retentionKey(topicId, RETENTION_SKIP, name.length);
        System.arraycopy(name, 0, key, 10, name.length);
        return key;
    }

    static String skipKeyGroup(byte[] key) {
        return new String(key, 10, key.length - 10, StandardCharsets.UTF_8);
    }

    static byte[] skipValue(long total, long notTaken) {
        byte[] v = new byte[16];
        putLong(v, 0, total);
        putLong(v, 8, notTaken);
        return v;
    }

    /** [total, notTaken]. */
    static long[] decodeSkip(byte[] value) {
        requireLength(value, 16, "group skip counter");
        return new long[] {getLong(value, 0), getLong(value, 8)};
    }

    /** Stored bytes of a message-batch entry whose value has {@code valueLength} bytes. */
    static long entryBytes(int valueLength) {
        return ENTRY_KEY_BYTES + (long) valueLength;
    }

    // ---------------------------------------------------------------- primitives

    static byte[] prefixed(byte prefix, byte[] rest) {
        byte[] key = new byte[1 + rest.length];
        key[0] = prefix;
        System.arraycopy(rest, 0, key, 1, rest.length);
        return key;
    }

    /** Exactly {@code s.getBytes(UTF_8).length} without allocating (unpaired surrogates encode as '?'). */
    static int utf8Length(String s) {
        int n = s.length();
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    bytes += 4;
                    i++;
                } else {
                    bytes += 1;
                }
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    // Plain shifts rather than byte-array-view VarHandles: Lincheck's model checker (rocksmq-stress)
    // cannot run code that uses those, and the JIT makes these about as fast.
    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static int getInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    static void putShort(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static int getShort(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    static void requireLength(byte[] value, int length, String what) {
        if (value == null || value.length != length) {
            throw corrupt(what + " has " + (value == null ? "no value" : value.length + " bytes")
                    + ", expected " + length, null);
        }
    }

    static StorageException corrupt(String what, Throwable cause) {
        return new StorageException("corrupt queue metadata or data (format version " + FORMAT_VERSION + ")",
                what, cause);
    }


}
