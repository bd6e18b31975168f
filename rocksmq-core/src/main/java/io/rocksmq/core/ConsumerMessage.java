package io.rocksmq.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A message read from a topic: a view into the stored batch it was read from. Reading a batch creates
 * one small object per message and copies nothing; the payload is copied only if {@link #payload()} is
 * called, and the properties are decoded only if {@link #properties()} is. {@link #payloadBuffer()}
 * reads the payload without any copy.
 *
 * <p>A message keeps its whole batch (at most {@link RocksMqConfig#maxBatchEntryBytes()}) reachable
 * until it is dropped or its payload copied.
 *
 * <p>Thread-safe: immutable as seen from outside. The payload copy and the decoded properties are made
 * at the first call and published with release/acquire ordering; two threads making the first call at
 * the same time may each get their own (equal) copy.
 */
public final class ConsumerMessage {
    private static final VarHandle PAYLOAD;
    private static final VarHandle PROPERTIES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PAYLOAD = lookup.findVarHandle(ConsumerMessage.class, "payload", byte[].class);
            PROPERTIES = lookup.findVarHandle(ConsumerMessage.class, "properties", Map.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long id;
    /** The stored batch entry this message lies in; never modified. Its header holds the publish time. */
    private final byte[] batch;
    /**
     * A read-only view of the whole {@link #batch}, shared by the messages of the batch read together:
     * {@link #payloadBuffer()} slices it, one object per call. Nothing changes its position or limit.
     */
    private final ByteBuffer batchView;
    private final int payloadOffset;
    private final int payloadSize;
    @SuppressWarnings("unused") // through PAYLOAD
    private byte[] payload;
    @SuppressWarnings("unused") // through PROPERTIES
    private Map<String, String> properties;

    /**
     * The message whose payload starts at {@code payloadOffset} of {@code batch} (a batch {@link
     * BatchFormat#decodeBatch} has checked), its length stored just before it and its properties just
     * after it; {@code batchView} a read-only view of the whole batch.
     */
    ConsumerMessage(long id, byte[] batch, ByteBuffer batchView, int payloadOffset) {
        this.id = id;
        this.batch = batch;
        this.batchView = batchView;
        this.payloadOffset = payloadOffset;
        this.payloadSize = BatchFormat.payloadSize(batch, payloadOffset);
    }

    /**
     * A message as a read would return it, for tests of code that handles messages. Null properties
     * mean none.
     *
     * @throws io.rocksmq.api.InvalidArgumentException if payload is null, or the properties could not
     *                                                 be stored
     */
    public static ConsumerMessage of(long id, byte[] payload, Map<String, String> properties, long publishTime) {
        ProducerMessage m = new ProducerMessage(payload, properties);
        byte[] batch = BatchFormat.encodeBatch(List.of(m), 0, 1);
        BatchFormat.patchPublishTime(batch, publishTime);
        MessageList one = new MessageList(1);
        BatchFormat.decodeBatch(batch, id, id, 1, one);
        return one.get(0);
    }

    /** The message id, strictly increasing per topic. */
    public long id() {
        return id;
    }

    /** Epoch milliseconds at which the queue accepted the batch; never decreases within a topic. */
    public long publishTime() {
        return BatchFormat.batchTime(batch);
    }

    /**
     * The bytes as produced, copied out of the batch at the first call; later calls return the same
     * array, so treat it as read-only.
     */
    public byte[] payload() {
        byte[] p = (byte[]) PAYLOAD.getAcquire(this);
        if (p == null) {
            p = Arrays.copyOfRange(batch, payloadOffset, payloadOffset + payloadSize);
            PAYLOAD.setRelease(this, p);
        }
        return p;
    }

    /** The payload's length in bytes, without copying it. */
    public int payloadSize() {
        return payloadSize;
    }

    /** A read-only view of the payload, without any copy (position 0, limit {@link #payloadSize()}). */
    public ByteBuffer payloadBuffer() {
        return batchView.slice(payloadOffset, payloadSize); // a slice of a read-only buffer is read-only
    }

    /** When the message expires, epoch milliseconds; 0 if it has no expiry of its own. */
    public long expiresAt() {
        return BatchFormat.expiresAt(batch, payloadOffset);
    }

    /** The properties as produced (immutable), decoded at the first call. */
    @SuppressWarnings("unchecked")
    public Map<String, String> properties() {
        Map<String, String> m = (Map<String, String>) PROPERTIES.getAcquire(this);
        if (m == null) {
            m = BatchFormat.decodeProperties(batch, payloadOffset + payloadSize);
            PROPERTIES.setRelease(this, m);
        }
        return m;
    }

    /** Equal if id, publish time, payload bytes and properties are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ConsumerMessage m && id == m.id && publishTime() == m.publishTime()
                && Arrays.equals(batch, payloadOffset, payloadOffset + payloadSize,
                        m.batch, m.payloadOffset, m.payloadOffset + m.payloadSize)
                && properties().equals(m.properties());
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + Long.hashCode(publishTime());
    }

    @Override
    public String toString() {
        return "ConsumerMessage[id=" + id + ", payload=" + payloadSize + " bytes, properties=" + properties()
                + ", publishTime=" + publishTime() + "]";
    }
}
