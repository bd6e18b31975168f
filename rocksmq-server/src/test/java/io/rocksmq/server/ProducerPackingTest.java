package io.rocksmq.server;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.remote.QueueGrpc;
import io.rocksmq.remote.proto.Empty;
import io.rocksmq.remote.proto.ProduceRequest;
import io.rocksmq.remote.proto.ProduceResponse;
import io.rocksmq.remote.proto.ServerInfoResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which produce form the Java client sends, recorded by a server that stores nothing: packed only to a
 * server that says it reads it, and only for a batch of payload-only messages; the old form otherwise,
 * so the client keeps working with servers from before the packed form.
 */
@Timeout(60)
class ProducerPackingTest {
    private Server server;
    private final List<ProduceRequest> requests = new CopyOnWriteArrayList<>();

    /**
     * A server that answers ServerInfo ({@code producePacked} as given), CreateTopic, and every produce
     * batch at once.
     */
    private int start(boolean producePacked) throws Exception {
        ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(QueueGrpc.SERVICE);
        long[] next = {0};
        for (MethodDescriptor<?, ?> m : QueueGrpc.METHODS) {
            if (m == QueueGrpc.SERVER_INFO) {
                service.addMethod(QueueGrpc.SERVER_INFO, ServerCalls.asyncUnaryCall((Empty r, StreamObserver<ServerInfoResponse> o) -> {
                    o.onNext(ServerInfoResponse.newBuilder().setVersion("test").setMaxMessageBytes(1 << 20)
                            .setMaxRequestBytes(64 << 20).setProducePacked(producePacked).build());
                    o.onCompleted();
                }));
            } else if (m == QueueGrpc.CREATE_TOPIC) { // a producer creates its topic first
                service.addMethod(QueueGrpc.CREATE_TOPIC, ServerCalls.asyncUnaryCall((io.rocksmq.remote.proto.TopicRequest r,
                        StreamObserver<Empty> o) -> {
                    o.onNext(Empty.getDefaultInstance());
                    o.onCompleted();
                }));
            } else if (m == QueueGrpc.PRODUCE_STREAM) {
                service.addMethod(QueueGrpc.PRODUCE_STREAM, ServerCalls.asyncBidiStreamingCall((StreamObserver<ProduceResponse> o) ->
                        new StreamObserver<ProduceRequest>() {
                            @Override
                            public void onNext(ProduceRequest r) {
                                requests.add(r);
                                int n = r.getMessagesCount() + r.getPacked().getPayloadSizesCount();
                                ProduceResponse.Builder b = ProduceResponse.newBuilder().setSequence(r.getSequence());
                                if (r.hasPacked() && requests.size() % 2 == 0) { // both answers a packed batch may get
                                    b.setFirstOffset(next[0]);
                                    next[0] += n;
                                } else {
                                    for (int i = 0; i < n; i++) {
                                        b.addOffsets(next[0]++);
                                    }
                                }
                                o.onNext(b.build());
                            }

                            @Override
                            public void onError(Throwable t) {
                            }

                            @Override
                            public void onCompleted() {
                                o.onCompleted();
                            }
                        }));
            } else {
                UnimplementedMethods.add(service, m);
            }
        }
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service.build())
                .build().start();
        return server.getPort();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.shutdownNow();
            server.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Sends {@code first} alone, waits, then {@code second} alone: two batches, one request each. */
    private void sendTwo(int port, OutgoingMessage first, OutgoingMessage second) {
        try (MqClient client = MqClient.open("rmq://127.0.0.1:" + port);
             Producer p = client.createProducer(ProducerOptions.builder("t").build())) {
            assertThat(p.send(first).offset()).isZero();
            assertThat(p.send(second).offset()).isEqualTo(1);
        }
    }

    private static OutgoingMessage plain(String payload) {
        return OutgoingMessage.of(payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void toAServerThatReadsPackedAPayloadOnlyBatchTravelsPackedAndOneWithMoreDoesNot() throws Exception {
        sendTwo(start(true), plain("abc"), OutgoingMessage.builder("d".getBytes(StandardCharsets.UTF_8)).key("k").build());
        assertThat(requests).hasSize(2);
        ProduceRequest packed = requests.get(0);
        assertThat(packed.getMessagesCount()).isZero();
        assertThat(packed.getPacked().getPayloadSizesList()).containsExactly(3);
        assertThat(packed.getPacked().getPayloads().toStringUtf8()).isEqualTo("abc");
        ProduceRequest plainForm = requests.get(1);
        assertThat(plainForm.hasPacked()).isFalse();
        assertThat(plainForm.getMessagesCount()).isEqualTo(1);
        assertThat(plainForm.getMessages(0).getKey()).isEqualTo("k");
    }

    @Test
    void toAServerFromBeforeThePackedFormEveryBatchTravelsInTheOldForm() throws Exception {
        sendTwo(start(false), plain("abc"), plain("d"));
        assertThat(requests).hasSize(2).allSatisfy(r -> {
            assertThat(r.hasPacked()).isFalse();
            assertThat(r.getMessagesCount()).isEqualTo(1);
        });
        assertThat(requests.get(0).getMessages(0).getPayload().toStringUtf8()).isEqualTo("abc");
    }

    @Test
    void packedBatchesGetTheirIdsFromEitherFormOfAnswer() throws Exception {
        int port = start(true);
        try (MqClient client = MqClient.open("rmq://127.0.0.1:" + port);
             Producer p = client.createProducer(ProducerOptions.builder("t").build())) {
            for (int i = 0; i < 6; i++) {
                assertThat(p.send(plain("m" + i)).offset()).isEqualTo(i); // one batch each, answers alternating
            }
        }
        assertThat(requests).hasSize(6).allSatisfy(r -> assertThat(r.hasPacked()).isTrue());
    }

    @Test
    void aProducerWithANameNeverPacksItsMessagesCarryDeduplicationIds() throws Exception {
        int port = start(true);
        try (MqClient client = MqClient.open("rmq://127.0.0.1:" + port);
             Producer p = client.createProducer(ProducerOptions.builder("t").producerName("named").build())) {
            p.send(plain("abc"));
        }
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).hasPacked()).isFalse();
        assertThat(requests.get(0).getMessages(0).hasDeduplicationId()).isTrue();
    }
}
