package io.rocksmq.remote;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.rocksmq.remote.proto.ProduceRequest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PackedRequestWriter} writes exactly the bytes protobuf serialises the same packed
 * {@link ProduceRequest} to, whether gRPC drains or reads its stream, for the shapes protobuf encodes
 * differently: empty topic, empty payloads, sizes whose varints take several bytes.
 */
class PackedRequestWriterTest {
    private static byte[] protobuf(String topic, List<byte[]> payloads) {
        return ProduceRequest.newBuilder().setTopic(topic).setPacked(Wire.packPayloads(payloads)).build().toByteArray();
    }

    private static List<List<byte[]>> shapes() {
        List<List<byte[]>> out = new ArrayList<>();
        out.add(List.of(new byte[0]));
        out.add(List.of(new byte[0], new byte[0], new byte[0]));
        out.add(List.of("a".getBytes(StandardCharsets.UTF_8), new byte[0], "ccc".getBytes(StandardCharsets.UTF_8)));
        List<byte[]> w1 = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            byte[] p = new byte[100];
            p[0] = (byte) i;
            w1.add(p);
        }
        out.add(w1);
        out.add(List.of(new byte[127], new byte[128], new byte[16_384], new byte[300_000])); // 1-, 2-, 3-byte varints
        return out;
    }

    @Test
    void drainedItIsByteForByteTheProtobufEncoding() throws Exception {
        for (String topic : new String[] {"t", "", "topic-é-".repeat(20)}) {
            for (List<byte[]> payloads : shapes()) {
                byte[] expected = protobuf(topic, payloads);
                InputStream stream = PackedRequestWriter.PRODUCE_STREAM.streamRequest(
                        new PackedRequestWriter(PackedRequestWriter.utf8(topic), payloads));
                assertThat(stream).isInstanceOf(Drainable.class).isInstanceOf(KnownLength.class);
                assertThat(stream.available()).isEqualTo(expected.length);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                assertThat(((Drainable) stream).drainTo(out)).isEqualTo(expected.length);
                assertThat(out.toByteArray()).as("topic '%s', %d payloads", topic, payloads.size()).isEqualTo(expected);
                assertThat(stream.available()).isZero();
                assertThat(ProduceRequest.parseFrom(out.toByteArray())).isEqualTo(ProduceRequest.parseFrom(expected));
            }
        }
    }

    @Test
    void readItIsTheSameBytes() throws Exception {
        List<byte[]> payloads = shapes().get(3);
        byte[] expected = protobuf("t", payloads);
        InputStream stream = PackedRequestWriter.PRODUCE_STREAM.streamRequest(
                new PackedRequestWriter(PackedRequestWriter.utf8("t"), payloads));
        assertThat(stream.read()).isEqualTo(expected[0] & 0xFF);
        assertThat(stream.available()).isEqualTo(expected.length - 1);
        byte[] rest = stream.readAllBytes();
        assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(expected, 1, expected.length));
        assertThat(stream.read()).isEqualTo(-1);
    }

    @Test
    void aRequestInTheOneMessageEachFormGoesAsProtobufDoes() throws Exception {
        ProduceRequest r = ProduceRequest.newBuilder().setTopic("t")
                .addMessages(io.rocksmq.remote.proto.OutgoingMessage.newBuilder().putProperties("p", "v")).build();
        assertThat(PackedRequestWriter.PRODUCE_STREAM.streamRequest(r).readAllBytes()).isEqualTo(r.toByteArray());
    }
}
