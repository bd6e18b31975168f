package io.rocksmq.core;

import java.nio.ByteBuffer;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The messages of one read, as the offsets of each message in the stored batches it was read from.
 * A read fills it without creating an object per message; {@link #get} creates the
 * {@link ConsumerMessage} view on access (a loop that only looks at the view allocates nothing once
 * the JIT has inlined it), so two calls with the same index return equal but distinct objects.
 *
 * <p>Unmodifiable once returned. Thread-safe for reading after it was handed over (it is filled by
 * one thread before that, and never changed after).
 */
final class MessageList extends AbstractList<ConsumerMessage> implements RandomAccess {
    /** The distinct batches read, in read order; message {@code i} lies in {@code batches[slots[i]]}. */
    private byte[][] batches;
    /** A read-only view of each batch, shared by its messages' {@link ConsumerMessage#payloadBuffer()}. */
    private ByteBuffer[] views;
    private int batchCount;
    private long[] ids;
    /**
     * Where each message's payload starts in its batch: its length lies just before, its properties just
     * after, the publish time in the batch's header, so one offset per message is all a read records.
     */
    private int[] payloadOffsets;
    /** Index of each message's batch in {@link #batches}: per message only primitives are stored. */
    private int[] slots;
    private int size;
    /** Sum of the lengths of the distinct batches the messages lie in: what this list keeps reachable. */
    private long retainedBytes;
    /** Whether some message lies in a batch whose messages carry expiry times. */
    private boolean anyExpiring;

    MessageList(int capacity) {
        int c = Math.max(1, capacity);
        ids = new long[c];
        payloadOffsets = new int[c];
        slots = new int[c];
        int b = Math.max(1, c / 64); // grows when batches hold fewer messages
        batches = new byte[b][];
        views = new ByteBuffer[b];
    }

    /**
     * Appends the message whose payload starts at {@code payloadOffset} of {@code batch} (a batch {@link
     * BatchFormat#decodeBatch} has checked); only the reader filling the list calls it.
     */
    void append(long id, byte[] batch, int payloadOffset) {
        if (batchCount == 0 || batches[batchCount - 1] != batch) {
            addBatch(batch, ByteBuffer.wrap(batch).asReadOnlyBuffer());
        }
        append(id, payloadOffset);
    }

    private void addBatch(byte[] batch, ByteBuffer view) {
        if (batchCount == batches.length) {
            batches = Arrays.copyOf(batches, batchCount * 2);
            views = Arrays.copyOf(views, batchCount * 2);
        }
        batches[batchCount] = batch;
        views[batchCount] = view;
        batchCount++;
        retainedBytes += batch.length;
        anyExpiring |= batch[0] == BatchFormat.BATCH_FORMAT_EXPIRING;
    }

    /** Appends a message of the last batch added. */
    private void append(long id, int payloadOffset) {
        if (size == ids.length) {
            int c = size * 2;
            ids = Arrays.copyOf(ids, c);
            payloadOffsets = Arrays.copyOf(payloadOffsets, c);
            slots = Arrays.copyOf(slots, c);
        }
        ids[size] = id;
        payloadOffsets[size] = payloadOffset;
        slots[size] = batchCount - 1;
        size++;
    }

    /** A list of the first {@code n} messages sharing this one's arrays (both are never changed again). */
    MessageList prefix(int n) {
        if (n >= size) {
            return this;
        }
        MessageList p = new MessageList(this);
        p.size = n;
        return p;
    }

    private MessageList(MessageList of) {
        batches = of.batches;
        views = of.views;
        batchCount = of.batchCount;
        ids = of.ids;
        payloadOffsets = of.payloadOffsets;
        slots = of.slots;
        size = of.size;
        retainedBytes = of.retainedBytes;
        anyExpiring = of.anyExpiring;
    }

    /**
     * The messages not expired at {@code now}: a message expires at its own expiry time if it has one,
     * else {@code defaultTtlMillis} after its publish time if that is positive. This list itself when
     * none is (always, and without looking at a message, for a topic without expiring messages).
     */
    MessageList unexpired(long now, long defaultTtlMillis) {
        if (!anyExpiring && defaultTtlMillis <= 0) {
            return this;
        }
        MessageList kept = null;
        for (int i = 0; i < size; i++) {
            byte[] batch = batches[slots[i]];
            long own = BatchFormat.expiresAt(batch, payloadOffsets[i]);
            long expiresAt = own > 0 ? own : defaultTtlMillis > 0 ? BatchFormat.batchTime(batch) + defaultTtlMillis : 0;
            boolean expired = expiresAt > 0 && expiresAt <= now;
            if (expired && kept == null) {
                kept = new MessageList(size);
                for (int j = 0; j < i; j++) {
                    kept.copy(this, j);
                }
            } else if (!expired && kept != null) {
                kept.copy(this, i);
            }
        }
        return kept == null ? this : kept;
    }

    private void copy(MessageList from, int i) {
        int slot = from.slots[i];
        if (batchCount == 0 || batches[batchCount - 1] != from.batches[slot]) {
            addBatch(from.batches[slot], from.views[slot]);
        }
        append(from.ids[i], from.payloadOffsets[i]);
    }

    long retainedBytes() {
        return retainedBytes;
    }

    @Override
    public ConsumerMessage get(int index) {
        Objects.checkIndex(index, size);
        int slot = slots[index];
        return new ConsumerMessage(ids[index], batches[slot], views[slot], payloadOffsets[index]);
    }

    /** The id of the message at {@code index}, without creating its view. */
    long id(int index) {
        Objects.checkIndex(index, size);
        return ids[index];
    }

    @Override
    public int size() {
        return size;
    }
}
