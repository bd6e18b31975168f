package io.rocksmq.core;

import java.util.Arrays;

import static io.rocksmq.core.StorageLayout.corrupt;
import static io.rocksmq.core.StorageLayout.getLong;
import static io.rocksmq.core.StorageLayout.getShort;

/**
 * The value of a deduplication log record ({@link StorageLayout}, {@code 0x18 .. 0x02}): the
 * (message id, deduplication id) pairs of one write, prefix-compressed.
 *
 * <pre>
 * [0x01] N x [message id delta varint][shared prefix bytes varint][suffix bytes varint][suffix UTF-8]
 * </pre>
 * The first delta is from the key's first message id, each later one from the previous pair's; the
 * shared prefix is the number of leading UTF-8 bytes the id has in common with the previous pair's id
 * (0 for the first). A producer's ids share most of their bytes ({@code name:epoch:seq}), so an id
 * costs about a quarter of the 10 bytes of fixed fields plus its whole text that the first layout
 * took ({@code N x [message id u64][length u16][id]}, first byte {@code 0x00} since message ids are
 * below 2^56, still read): the record was a fifth of the bytes a produce with ids wrote.
 *
 * <p>A write that stored ids of the sequence form ({@link DedupRuns}) writes its runs first:
 * <pre>
 * [0x02][runs varint] runs x ([prefix bytes varint][prefix UTF-8][first sequence varint][count varint]
 *       [first message id - key's id varint]) then the other ids as in 0x01
 * </pre>
 * A run of {@code count} names the ids {@code prefix:first} to {@code prefix:first+count-1} at
 * consecutive message ids; the key names the smallest message id of the record. A batch of 100
 * sequence ids is then about 20 bytes instead of about 500.
 *
 * <p>Thread-safe: stateless.
 */
final class DedupLogRecord {
    static final byte COMPACT = 0x01;
    static final byte RUNS = 0x02;

    private DedupLogRecord() {
    }

    /** Receives the pairs of a record; {@code id} is reused for the next pair (copy what you keep). */
    interface Pair {
        void accept(long messageId, byte[] id, int length);

        /**
         * A run of sequence ids ({@link DedupRuns}): by default each of its ids as a pair, in order.
         *
         * @param prefix the prefix's UTF-8 bytes (reused: copy what you keep)
         */
        default void run(byte[] prefix, int prefixLength, long firstSeq, int count, long firstMessageId) {
            byte[] id = new byte[prefixLength + 1 + DedupRuns.MAX_DIGITS];
            System.arraycopy(prefix, 0, id, 0, prefixLength);
            id[prefixLength] = ':';
            for (int k = 0; k < count; k++) {
                byte[] digits = Long.toString(firstSeq + k).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                System.arraycopy(digits, 0, id, prefixLength + 1, digits.length);
                accept(firstMessageId + k, id, prefixLength + 1 + digits.length);
            }
        }
    }

    /**
     * Encodes the current write's runs and the staged pairs (at least one of either) for a key that
     * names {@code keyId}, the smallest of their message ids.
     */
    static byte[] encode(DedupRuns runs, DedupStaging staged, long keyId) {
        int n = runs.writeRuns();
        if (n == 0) {
            return encode(staged);
        }
        byte[] out = new byte[16 + n * 40 + staged.count() * 8];
        out[0] = RUNS;
        int pos = putVarint(out, 1, n);
        for (int r = 0; r < n; r++) {
            DedupRuns.Producer p = runs.writeRunOwner(r);
            int at = runs.writeRunAt(r);
            byte[] prefix = p.prefixUtf8();
            if (pos + 40 + prefix.length > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, pos + 40 + prefix.length));
            }
            pos = putVarint(out, pos, prefix.length);
            System.arraycopy(prefix, 0, out, pos, prefix.length);
            pos += prefix.length;
            pos = putVarint(out, pos, p.firstSeq(at));
            pos = putVarint(out, pos, p.count(at));
            pos = putVarint(out, pos, p.messageId(at) - keyId);
        }
        if (staged.count() == 0) {
            return Arrays.copyOf(out, pos);
        }
        byte[] pairs = encodePairs(staged, keyId, 0);
        byte[] all = Arrays.copyOf(out, pos + pairs.length);
        System.arraycopy(pairs, 0, all, pos, pairs.length);
        return all;
    }

    /** Encodes the staged pairs (at least one); the key holds {@code staged.messageId(0)}. */
    static byte[] encode(DedupStaging staged) {
        byte[] pairs = encodePairs(staged, staged.messageId(0), 1);
        pairs[0] = COMPACT;
        return pairs;
    }

    /** The staged pairs as deltas from {@code fromId}, after {@code skip} free bytes. */
    private static byte[] encodePairs(DedupStaging staged, long fromId, int skip) {
        int n = staged.count();
        byte[] out = new byte[skip + n * 8 + 64];
        int pos = skip;
        byte[] previous = new byte[0];
        long previousId = fromId;
        for (int e = 0; e < n; e++) {
            byte[] current = staged.utf8(e);
            int shared = Arrays.mismatch(current, previous); // at most the shorter length; -1: equal
            if (shared < 0) {
                shared = current.length;
            }
            int suffix = current.length - shared;
            if (pos + 30 + suffix > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, pos + 30 + suffix));
            }
            long messageId = staged.messageId(e);
            pos = putVarint(out, pos, messageId - previousId);
            pos = putVarint(out, pos, shared);
            pos = putVarint(out, pos, suffix);
            System.arraycopy(current, shared, out, pos, suffix);
            pos += suffix;
            previousId = messageId;
            previous = current;
        }
        return Arrays.copyOf(out, pos);
    }

    /** The pairs of a record whose key names {@code firstMessageId}, in order. */
    static void decode(long firstMessageId, byte[] value, Pair out) {
        try {
            if (value.length > 0 && value[0] == COMPACT) {
                decodeCompact(firstMessageId, value, new long[] {1}, out);
            } else if (value.length > 0 && value[0] == RUNS) {
                decodeRuns(firstMessageId, value, out);
            } else {
                decodeFirstLayout(value, out);
            }
        } catch (IndexOutOfBoundsException e) {
            throw corrupt("dedup log record is truncated", e);
        }
    }

    private static void decodeRuns(long keyId, byte[] value, Pair out) {
        long[] cursor = {1};
        long n = varint(value, cursor);
        byte[] prefix = new byte[ProducerMessage.MAX_DEDUPLICATION_ID_BYTES];
        for (long r = 0; r < n; r++) {
            long length = varint(value, cursor);
            if (length + 2 > prefix.length || cursor[0] + length > value.length) {
                throw corrupt("dedup log record has a run prefix of " + length + " bytes", null);
            }
            System.arraycopy(value, (int) cursor[0], prefix, 0, (int) length);
            cursor[0] += length;
            long firstSeq = varint(value, cursor);
            long count = varint(value, cursor);
            long messageId = keyId + varint(value, cursor);
            if (count < 1 || count > Integer.MAX_VALUE || firstSeq < 0 || firstSeq + count < firstSeq) {
                throw corrupt("dedup log record has a run of " + count + " from " + firstSeq, null);
            }
            out.run(prefix, (int) length, firstSeq, (int) count, messageId);
        }
        decodeCompact(keyId, value, cursor, out);
    }

    private static void decodeCompact(long firstMessageId, byte[] value, long[] cursor, Pair out) {
        byte[] id = new byte[ProducerMessage.MAX_DEDUPLICATION_ID_BYTES];
        long messageId = firstMessageId;
        int length = 0;
        while (cursor[0] < value.length) {
            messageId += varint(value, cursor);
            long shared = varint(value, cursor);
            long suffix = varint(value, cursor);
            if (shared > length || shared + suffix > id.length || cursor[0] + suffix > value.length) {
                throw corrupt("dedup log record has an id of " + shared + " + " + suffix + " bytes", null);
            }
            System.arraycopy(value, (int) cursor[0], id, (int) shared, (int) suffix);
            cursor[0] += suffix;
            length = (int) (shared + suffix);
            out.accept(messageId, id, length);
        }
    }

    private static void decodeFirstLayout(byte[] value, Pair out) {
        int pos = 0;
        while (pos < value.length) {
            long messageId = getLong(value, pos);
            int length = getShort(value, pos + 8);
            if (pos + 10 + length > value.length) {
                throw new IndexOutOfBoundsException(pos + 10 + length);
            }
            out.accept(messageId, Arrays.copyOfRange(value, pos + 10, pos + 10 + length), length);
            pos += 10 + length;
        }
    }

    private static int putVarint(byte[] to, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            to[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        to[pos++] = (byte) v;
        return pos;
    }

    private static long varint(byte[] from, long[] cursor) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = from[(int) cursor[0]++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw corrupt("dedup log record has a varint longer than 64 bits", null);
    }
}
