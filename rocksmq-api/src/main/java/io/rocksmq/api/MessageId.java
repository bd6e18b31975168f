package io.rocksmq.api;

import java.nio.ByteBuffer;

/**
 * The identity of a stored message: a partition and an offset within it. One concrete type for every
 * backend: the embedded backend has a single partition ({@code 0}) and uses its message id as the
 * offset; a Kafka backend uses the record's partition and offset.
 *
 * <p>Ordering ({@link #compareTo}) is by partition, then offset. Within a partition it is the order in
 * which messages were stored and are delivered; across partitions it means nothing beyond being a
 * total order.
 *
 * <h2>Byte format ({@link #toBytes()}, version 1)</h2>
 * <pre>
 * [format version u8 = 1][partition i32 big-endian][offset i64 big-endian]     13 bytes
 * </pre>
 * A later format gets a new version byte; {@link #fromBytes} keeps reading every earlier version.
 *
 * <p>Thread-safe (immutable). Equality and hash are by value.
 */
public final class MessageId implements Comparable<MessageId> {
    /** Version byte of the current {@link #toBytes()} format. */
    public static final byte FORMAT_VERSION = 1;
    /** Length of the version-1 encoding. */
    public static final int ENCODED_LENGTH = 13;

    private final int partition;
    private final long offset;

    private MessageId(int partition, long offset) {
        this.partition = partition;
        this.offset = offset;
    }

    /**
     * The id of the message at {@code offset} in {@code partition}.
     *
     * @throws InvalidArgumentException if either is negative
     */
    public static MessageId of(int partition, long offset) {
        if (partition < 0) {
            throw new InvalidArgumentException("partition must be >= 0, was " + partition);
        }
        if (offset < 0) {
            throw new InvalidArgumentException("offset must be >= 0, was " + offset);
        }
        return new MessageId(partition, offset);
    }

    /**
     * Decodes an id written by {@link #toBytes()}.
     *
     * @throws InvalidArgumentException if the bytes are null, of the wrong length, of an unknown format
     *                                  version, or hold a negative partition or offset
     */
    public static MessageId fromBytes(byte[] bytes) {
        if (bytes == null) {
            throw new InvalidArgumentException("message id bytes must not be null");
        }
        if (bytes.length == 0) {
            throw new InvalidArgumentException("message id bytes must not be empty");
        }
        if (bytes[0] != FORMAT_VERSION) {
            throw new InvalidArgumentException("unknown message id format version " + (bytes[0] & 0xFF));
        }
        if (bytes.length != ENCODED_LENGTH) {
            throw new InvalidArgumentException("a version-1 message id is " + ENCODED_LENGTH
                    + " bytes, got " + bytes.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes, 1, ENCODED_LENGTH - 1);
        return of(buf.getInt(), buf.getLong());
    }

    /** The encoding described in the class javadoc; a new array on every call. */
    public byte[] toBytes() {
        return ByteBuffer.allocate(ENCODED_LENGTH).put(FORMAT_VERSION).putInt(partition).putLong(offset).array();
    }

    /** The partition; always 0 on the embedded backend. */
    public int partition() {
        return partition;
    }

    /** The position of the message within its partition. */
    public long offset() {
        return offset;
    }

    @Override
    public int compareTo(MessageId other) {
        int c = Integer.compare(partition, other.partition);
        return c != 0 ? c : Long.compare(offset, other.offset);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageId m && m.partition == partition && m.offset == offset;
    }

    @Override
    public int hashCode() {
        return 31 * partition + Long.hashCode(offset);
    }

    /** {@code partition:offset}, for example {@code 0:42}. */
    @Override
    public String toString() {
        return partition + ":" + offset;
    }
}
