package io.rocksmq.core;

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
    private byte[][] batches;
    private long[] ids;
    private long[] publishTimes;
    /** Three offsets per message: payload, payload size, properties. */
    private int[] offsets;
    private int size;
    /** Sum of the lengths of the distinct batches the messages lie in: what this list keeps reachable. */
    private long retainedBytes;
    /** Whether some message lies in a batch whose messages carry expiry times. */
    private boolean anyExpiring;

    MessageList(int capacity) {
        int c = Math.max(1, capacity);
        batches = new byte[c][];
        ids = new long[c];
        publishTimes = new long[c];
        offsets = new int[3 * c];
    }

    /** Appends the message at these offsets of {@code batch}; only the reader filling the list calls it. */
    void append(long id, long publishTime, byte[] batch, int payloadOffset, int payloadSize, int propertiesOffset) {
        if (size == ids.length) {
            int c = size * 2;
            batches = Arrays.copyOf(batches, c);
            ids = Arrays.copyOf(ids, c);
            publishTimes = Arrays.copyOf(publishTimes, c);
            offsets = Arrays.copyOf(offsets, 3 * c);
        }
        if (size == 0 || batches[size - 1] != batch) {
            retainedBytes += batch.length;
            anyExpiring |= batch[0] == BatchFormat.BATCH_FORMAT_EXPIRING;
        }
        batches[size] = batch;
        ids[size] = id;
        publishTimes[size] = publishTime;
        offsets[3 * size] = payloadOffset;
        offsets[3 * size + 1] = payloadSize;
        offsets[3 * size + 2] = propertiesOffset;
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
        ids = of.ids;
        publishTimes = of.publishTimes;
        offsets = of.offsets;
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
            long own = BatchFormat.expiresAt(batches[i], offsets[3 * i]);
            long expiresAt = own > 0 ? own : defaultTtlMillis > 0 ? publishTimes[i] + defaultTtlMillis : 0;
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
        append(from.ids[i], from.publishTimes[i], from.batches[i], from.offsets[3 * i], from.offsets[3 * i + 1],
                from.offsets[3 * i + 2]);
    }

    long retainedBytes() {
        return retainedBytes;
    }

    @Override
    public ConsumerMessage get(int index) {
        Objects.checkIndex(index, size);
        return new ConsumerMessage(ids[index], publishTimes[index], batches[index],
                offsets[3 * index], offsets[3 * index + 1], offsets[3 * index + 2]);
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
