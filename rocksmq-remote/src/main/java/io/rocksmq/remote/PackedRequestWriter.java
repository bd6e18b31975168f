package io.rocksmq.remote;

import com.google.protobuf.CodedOutputStream;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.rocksmq.remote.proto.ProduceRequest;
import io.rocksmq.remote.proto.ProduceResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A packed produce request ({@code ProduceRequest} with {@code topic} and {@code packed}) written by the
 * producer straight from its payload arrays into gRPC's outgoing buffers: the same bytes as the protobuf
 * message would serialise to (tested), without first copying the payloads into one array and through
 * protobuf's output buffer. {@link #PRODUCE_STREAM} is {@code ProduceStream} with a request marshaller
 * that sends either this or a {@link ProduceRequest} (a batch in the one-message-each form).
 *
 * <p>Immutable, hence thread-safe, as long as nobody changes the payload arrays until the request is sent
 * (the producer's API contract: the caller leaves a payload alone until its send completes).
 */
final class PackedRequestWriter {
    /** {@code ProduceRequest.topic} (1) and {@code packed} (4); {@code PackedPayloads.payload_sizes} (1) and {@code payloads} (2). */
    private static final int TOPIC_TAG = 1 << 3 | 2;
    private static final int PACKED_TAG = 4 << 3 | 2;
    private static final int SIZES_TAG = 1 << 3 | 2;
    private static final int PAYLOADS_TAG = 2 << 3 | 2;

    /** {@code ProduceStream} for the producer: requests are {@link ProduceRequest}s or {@link PackedRequestWriter}s. */
    static final MethodDescriptor<Object, ProduceResponse> PRODUCE_STREAM = QueueGrpc.PRODUCE_STREAM.toBuilder(
            new RequestMarshaller(), ProtoUtils.marshaller(ProduceResponse.getDefaultInstance())).build();

    private final byte[] topic;
    private final List<byte[]> payloads;
    private final int sizesBytes;
    private final int payloadBytes;
    private final int packedBytes;
    private final int serializedSize;

    /**
     * @param topicUtf8 the topic's name in UTF-8
     * @param payloads  the batch's payloads, in order (at least one)
     */
    PackedRequestWriter(byte[] topicUtf8, List<byte[]> payloads) {
        this.topic = topicUtf8;
        this.payloads = payloads;
        int sizes = 0;
        int bytes = 0;
        for (byte[] p : payloads) {
            sizes += CodedOutputStream.computeUInt32SizeNoTag(p.length);
            bytes = Math.addExact(bytes, p.length);
        }
        this.sizesBytes = sizes;
        this.payloadBytes = bytes;
        this.packedBytes = 1 + CodedOutputStream.computeUInt32SizeNoTag(sizes) + sizes
                + (bytes == 0 ? 0 : 1 + CodedOutputStream.computeUInt32SizeNoTag(bytes) + bytes);
        this.serializedSize = Math.addExact(
                (topic.length == 0 ? 0 : 1 + CodedOutputStream.computeUInt32SizeNoTag(topic.length) + topic.length)
                        + 1 + CodedOutputStream.computeUInt32SizeNoTag(packedBytes), packedBytes);
    }

    static byte[] utf8(String topic) {
        return topic.getBytes(StandardCharsets.UTF_8);
    }

    int serializedSize() {
        return serializedSize;
    }

    /** Writes the request's protobuf encoding: the framing through a small buffer, the payloads as they are. */
    void writeTo(OutputStream out) throws IOException {
        byte[] head = new byte[serializedSize - payloadBytes];
        CodedOutputStream c = CodedOutputStream.newInstance(head);
        if (topic.length > 0) {
            c.writeUInt32NoTag(TOPIC_TAG);
            c.writeUInt32NoTag(topic.length);
            c.writeRawBytes(topic);
        }
        c.writeUInt32NoTag(PACKED_TAG);
        c.writeUInt32NoTag(packedBytes);
        c.writeUInt32NoTag(SIZES_TAG);
        c.writeUInt32NoTag(sizesBytes);
        for (byte[] p : payloads) {
            c.writeUInt32NoTag(p.length);
        }
        if (payloadBytes > 0) {
            c.writeUInt32NoTag(PAYLOADS_TAG);
            c.writeUInt32NoTag(payloadBytes);
        }
        c.checkNoSpaceLeft();
        out.write(head);
        for (byte[] p : payloads) {
            out.write(p);
        }
    }

    /** The request as one array (tests, and a transport that reads instead of draining). */
    byte[] toByteArray() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(serializedSize);
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen: writing to memory", e);
        }
        return out.toByteArray();
    }

    /** Sends a {@link ProduceRequest} as protobuf does and a {@link PackedRequestWriter} by draining it. */
    private static final class RequestMarshaller implements MethodDescriptor.Marshaller<Object> {
        private final MethodDescriptor.Marshaller<ProduceRequest> proto =
                ProtoUtils.marshaller(ProduceRequest.getDefaultInstance());

        @Override
        public InputStream stream(Object value) {
            if (value instanceof PackedRequestWriter w) {
                return new Stream(w);
            }
            return proto.stream((ProduceRequest) value);
        }

        @Override
        public Object parse(InputStream stream) {
            return proto.parse(stream); // not called on the client; a server would get the protobuf message
        }
    }

    /** The request as gRPC's framer takes it: its length known up front, drained once into the frame. */
    private static final class Stream extends InputStream implements Drainable, KnownLength {
        private PackedRequestWriter writer;
        /** Set only if someone reads instead of draining. */
        private ByteArrayInputStream read;

        Stream(PackedRequestWriter writer) {
            this.writer = writer;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            if (read != null) {
                int n = read.available();
                read.transferTo(target);
                return n;
            }
            if (writer == null) {
                return 0;
            }
            int n = writer.serializedSize();
            writer.writeTo(target);
            writer = null;
            return n;
        }

        @Override
        public int available() {
            if (read != null) {
                return read.available();
            }
            return writer == null ? 0 : writer.serializedSize();
        }

        private ByteArrayInputStream reading() {
            if (read == null) {
                read = new ByteArrayInputStream(writer == null ? new byte[0] : writer.toByteArray());
                writer = null;
            }
            return read;
        }

        @Override
        public int read() {
            return reading().read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return reading().read(b, off, len);
        }
    }
}
