package io.rocksmq.server;

import com.google.protobuf.ByteString;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.remote.QueueGrpc;
import io.rocksmq.remote.RemoteErrors;
import io.rocksmq.remote.proto.Empty;
import io.rocksmq.remote.proto.ListSubscriptionsResponse;
import io.rocksmq.remote.proto.PackedMessages;
import io.rocksmq.remote.proto.ServerInfoResponse;
import io.rocksmq.remote.proto.SubscribeRequest;
import io.rocksmq.remote.proto.SubscribeResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The remote consumer's acknowledgements are pipelined, against a server that answers them only when the
 * test says: an ack returns while its answer is outstanding; an error answered to it is thrown by the next
 * ack (after {@code listSubscriptions}, which waits for the client's acks in flight).
 */
@Timeout(60)
class AckPipelineTest {
    private Server server;
    private final LinkedBlockingQueue<SubscribeRequest> acks = new LinkedBlockingQueue<>();
    private volatile StreamObserver<SubscribeResponse> responses;

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
            } else if (m == QueueGrpc.LIST_SUBSCRIPTIONS) {
                service.addMethod(QueueGrpc.LIST_SUBSCRIPTIONS, ServerCalls.asyncUnaryCall(
                        (io.rocksmq.remote.proto.TopicRequest r, StreamObserver<ListSubscriptionsResponse> o) -> {
                            o.onNext(ListSubscriptionsResponse.getDefaultInstance());
                            o.onCompleted();
                        }));
            } else if (m == QueueGrpc.SUBSCRIBE) {
                service.addMethod(QueueGrpc.SUBSCRIBE, ServerCalls.asyncBidiStreamingCall((StreamObserver<SubscribeResponse> o) -> {
                    responses = o;
                    return new StreamObserver<SubscribeRequest>() {
                        @Override
                        public void onNext(SubscribeRequest r) {
                            if (r.hasOpen()) {
                                o.onNext(SubscribeResponse.newBuilder().setOpened(SubscribeResponse.Opened.getDefaultInstance()).build());
                                o.onNext(SubscribeResponse.newBuilder().setDelivery(SubscribeResponse.Delivery.newBuilder()
                                        .setGeneration(r.getOpen().getGeneration())
                                        .setPacked(PackedMessages.newBuilder().addOffsets(0).addOffsets(1).addOffsets(2)
                                                .addPublishTimes(1).addPublishTimes(1).addPublishTimes(1)
                                                .addPayloadSizes(1).addPayloadSizes(1).addPayloadSizes(1)
                                                .setPayloads(ByteString.copyFromUtf8("abc")))).build());
                            } else if (r.hasAck()) {
                                acks.add(r); // answered when the test says
                            }
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
                unimplemented(service, m);
            }
        }
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service.build())
                .build().start();
    }

    private static <Q, R> void unimplemented(ServerServiceDefinition.Builder service, MethodDescriptor<Q, R> m) {
        if (m.getType() == MethodDescriptor.MethodType.UNARY) {
            service.addMethod(m, ServerCalls.asyncUnaryCall((Q r, StreamObserver<R> o) ->
                    o.onError(Status.UNIMPLEMENTED.asRuntimeException())));
        } else {
            service.addMethod(m, ServerCalls.asyncBidiStreamingCall((StreamObserver<R> o) -> {
                o.onError(Status.UNIMPLEMENTED.asRuntimeException());
                return new StreamObserver<Q>() {
                    @Override
                    public void onNext(Q value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                };
            }));
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void anAckDoesNotWaitForItsAnswer_anErrorAnsweredIsThrownByTheNextAck() throws Exception {
        // a call timeout far longer than the test: an ack that waited for its answer would hang here
        try (MqClient client = MqClient.open("rmq://127.0.0.1:" + server.getPort() + "?timeout=120s");
             Consumer c = client.subscribe(ConsumerOptions.builder("t", "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            List<Message> got = new ArrayList<>();
            while (got.size() < 3) {
                Optional<Message> m = c.receive(Duration.ofSeconds(30));
                assertThat(m).as("delivered").isPresent();
                got.add(m.get());
            }
            c.ack(got.get(0).id()); // returns with the answer outstanding
            c.ack(got.get(1).id());
            SubscribeRequest first = acks.poll(30, TimeUnit.SECONDS);
            SubscribeRequest second = acks.poll(30, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(second).isNotNull();
            assertThat(first.getAck().getOffset()).isZero();
            assertThat(second.getAck().getOffset()).isEqualTo(1);

            synchronized (responses) {
                responses.onNext(SubscribeResponse.newBuilder().setReply(SubscribeResponse.Reply.newBuilder()
                        .setRequestId(first.getRequestId())
                        .setError(RemoteErrors.toError(new ConsumerGroupNotFoundException("t", "s"), "t", "s"))).build());
                responses.onNext(SubscribeResponse.newBuilder().setReply(SubscribeResponse.Reply.newBuilder()
                        .setRequestId(second.getRequestId())).build());
            }
            client.listSubscriptions("t"); // waits until both answers arrived
            assertThatThrownBy(() -> c.ack(got.get(2).id())).isInstanceOf(ConsumerGroupNotFoundException.class);
            c.ack(got.get(2).id()); // thrown once: this one is sent
            assertThat(acks.poll(30, TimeUnit.SECONDS)).isNotNull();
        }
    }
}
