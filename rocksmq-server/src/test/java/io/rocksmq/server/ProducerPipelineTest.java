package io.rocksmq.server;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.rocksmq.api.MessageId;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The remote producer's pipeline, against a server that answers only when the test says: a lone send
 * leaves at once; partial batches stop at {@code 4} in flight and wait, coalescing; a full batch leaves
 * even then; answers free room and the waiting sends leave together, in order.
 */
@Timeout(60)
class ProducerPipelineTest {
    private Server server;
    private final LinkedBlockingQueue<ProduceRequest> requests = new LinkedBlockingQueue<>();
    /** Guarded by itself: the open ProduceStream's answers, and the requests not yet answered. */
    private final ArrayDeque<ProduceRequest> unanswered = new ArrayDeque<>();
    private StreamObserver<ProduceResponse> answers;
    private long nextOffset;

    @BeforeEach
    void start() throws Exception {
        ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(QueueGrpc.SERVICE);
        for (MethodDescriptor<?, ?> m : QueueGrpc.METHODS) {
            if (m == QueueGrpc.SERVER_INFO) {
                service.addMethod(QueueGrpc.SERVER_INFO, ServerCalls.asyncUnaryCall((Empty r, StreamObserver<ServerInfoResponse> o) -> {
                    o.onNext(ServerInfoResponse.newBuilder().setVersion("test").setMaxMessageBytes(1 << 20)
                            .setMaxRequestBytes(64 << 20).build());
                    o.onCompleted();
                }));
            } else if (m == QueueGrpc.CREATE_TOPIC) {
                service.addMethod(QueueGrpc.CREATE_TOPIC, ServerCalls.asyncUnaryCall((io.rocksmq.remote.proto.TopicRequest r,
                        StreamObserver<Empty> o) -> {
                    o.onNext(Empty.getDefaultInstance());
                    o.onCompleted();
                }));
            } else if (m == QueueGrpc.PRODUCE_STREAM) {
                service.addMethod(QueueGrpc.PRODUCE_STREAM, ServerCalls.asyncBidiStreamingCall((StreamObserver<ProduceResponse> o) -> {
                    synchronized (unanswered) {
                        answers = o;
                    }
                    return new StreamObserver<ProduceRequest>() {
                        @Override
                        public void onNext(ProduceRequest r) {
                            synchronized (unanswered) {
                                unanswered.add(r);
                            }
                            requests.add(r);
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onCompleted() {
                            o.onCompleted();
                        }
                    };
                }));
            } else {
                UnimplementedMethods.add(service, m);
            }
        }
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service.build())
                .build().start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Answers the oldest unanswered request as stored. */
    private void answerOne() {
        synchronized (unanswered) {
            ProduceRequest r = unanswered.poll();
            ProduceResponse.Builder b = ProduceResponse.newBuilder().setSequence(r.getSequence());
            for (int i = 0; i < r.getMessagesCount(); i++) {
                b.addOffsets(nextOffset++);
            }
            answers.onNext(b.build());
        }
    }

    private ProduceRequest nextRequest() throws InterruptedException {
        ProduceRequest r = requests.poll(30, TimeUnit.SECONDS);
        assertThat(r).as("a request within 30 s").isNotNull();
        return r;
    }

    private static List<Integer> payloads(ProduceRequest r) {
        return r.getMessagesList().stream().map(m -> (int) m.getPayload().byteAt(0)).toList();
    }

    @Test
    void partialBatchesWaitBehindFourInFlightAndFullOnesDoNot() throws Exception {
        try (MqClient client = MqClient.open("rmq://127.0.0.1:" + server.getPort());
             Producer p = client.createProducer(ProducerOptions.builder("t").batchingMaxMessages(10).build())) {
            List<CompletableFuture<MessageId>> sent = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                sent.add(p.sendAsync(OutgoingMessage.of(new byte[] {(byte) i})));
            }
            for (int i = 0; i < 4; i++) { // each lone send left at once, alone
                assertThat(payloads(nextRequest())).containsExactly(i);
            }
            for (int i = 6; i < 14; i++) { // 2 waiting + 8 = a full batch of 10: it leaves with 4 in flight
                sent.add(p.sendAsync(OutgoingMessage.of(new byte[] {(byte) i})));
            }
            assertThat(payloads(nextRequest())).containsExactly(4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
            sent.add(p.sendAsync(OutgoingMessage.of(new byte[] {14})));
            sent.add(p.sendAsync(OutgoingMessage.of(new byte[] {15})));
            assertThat(requests.poll(200, TimeUnit.MILLISECONDS)).as("5 in flight: the partial batch waits").isNull();

            answerOne(); // 4 in flight: still no room for a partial batch
            assertThat(requests.poll(200, TimeUnit.MILLISECONDS)).isNull();
            answerOne(); // 3: the two waiting sends leave together
            assertThat(payloads(nextRequest())).containsExactly(14, 15);
            for (int i = 0; i < 4; i++) {
                answerOne();
            }
            for (int i = 0; i < sent.size(); i++) {
                assertThat(sent.get(i).get(30, TimeUnit.SECONDS).offset()).isEqualTo(i);
            }
        }
    }
}
