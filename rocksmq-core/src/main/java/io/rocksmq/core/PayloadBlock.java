package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;

import java.nio.ByteBuffer;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * A batch of messages that have nothing but a payload, in columns: the size of each payload and one
 * block of bytes holding them end to end, in order. {@link RocksMq#producePayloads} stores it by copying
 * the block straight into the stored batch, without a {@link ProducerMessage} or a payload array per
 * message: the form a server receives a batch in ({@code ProduceRequest.packed} of {@code rmq serve}).
 *
 * <p>Immutable once built, hence thread-safe, as long as the caller leaves the sizes array and the
 * buffer's bytes alone until the produce returns (neither is copied: this is the hot path, as with
 * {@link ProducerMessage}'s payload).
 */
public final class PayloadBlock {
    private final int[] sizes;
    /** The payloads end to end, from index 0 (a slice of the caller's buffer, read with absolute gets only). */
    private final ByteBuffer bytes;

    /**
     * @param sizes the size of each payload, in order; at least one
     * @param bytes the payloads end to end, from its position to its limit (neither is changed)
     * @throws InvalidArgumentException if there is no size, a size is negative, or the sizes do not add up
     *                                  to the bytes exactly (a malformed batch)
     */
    public PayloadBlock(int[] sizes, ByteBuffer bytes) {
        if (sizes == null || sizes.length == 0) {
            throw new InvalidArgumentException("a payload block needs at least one payload size");
        }
        if (bytes == null) {
            throw new InvalidArgumentException("a payload block needs its bytes (empty for empty payloads)");
        }
        long total = 0;
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 0) {
                throw new InvalidArgumentException("payload size " + i + " is negative: " + sizes[i]);
            }
            total += sizes[i];
        }
        if (total != bytes.remaining()) {
            throw new InvalidArgumentException("malformed payload block: " + sizes.length + " payload sizes adding up to "
                    + total + " bytes, but " + bytes.remaining() + " payload bytes");
        }
        this.sizes = sizes;
        this.bytes = bytes.slice();
    }

    /** How many messages. */
    public int count() {
        return sizes.length;
    }

    /** The size of payload {@code i}. */
    public int size(int i) {
        return sizes[i];
    }

    /** Copies {@code length} bytes from {@code at} in the block into {@code out} at {@code pos}. */
    void copy(int at, byte[] out, int pos, int length) {
        bytes.get(at, out, pos, length);
    }

    /**
     * The batch as messages, each built (with a copy of its payload) only when read: what a
     * {@link QueueListener} is told of, so a listener sees the same as for {@link RocksMq#produce}.
     */
    List<ProducerMessage> asMessages() {
        return new Messages();
    }

    /** A read-only view (immutable: the start of each payload is computed when it is built). */
    private final class Messages extends AbstractList<ProducerMessage> implements RandomAccess {
        private final int[] starts = new int[sizes.length];

        Messages() {
            for (int k = 1; k < starts.length; k++) {
                starts[k] = starts[k - 1] + sizes[k - 1];
            }
        }

        @Override
        public ProducerMessage get(int i) {
            byte[] payload = new byte[sizes[i]];
            copy(starts[i], payload, 0, payload.length);
            return ProducerMessage.of(payload);
        }

        @Override
        public int size() {
            return sizes.length;
        }
    }
}
