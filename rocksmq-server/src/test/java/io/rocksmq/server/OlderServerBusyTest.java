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
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.SharedSubscription;
import io.rocksmq.remote.QueueGrpc;
import io.rocksmq.remote.SharedQueueGrpc;
import io.rocksmq.remote.proto.AcquireRequest;
import io.rocksmq.remote.proto.AcquireResponse;
import io.rocksmq.remote.proto.AnswerRequest;
import io.rocksmq.remote.proto.AnswerResponse;
import io.rocksmq.remote.proto.Empty;
import io.rocksmq.remote.proto.OpenSharedRequest;
import io.rocksmq.remote.proto.ServerInfoResponse;
import io.rocksmq.remote.proto.SharedDelivery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new client against a server from before the typed refusal, which refused a waiting acquire with
 * RESOURCE_EXHAUSTED and no error trailer: the shared consumer's poll takes it for a busy server and asks
 * again, as it does for the typed refusal, instead of failing with "bad input".
 */
@Timeout(60)
class OlderServerBusyTest {
    /** What servers before the typed refusal answered a waiting acquire beyond their limit. */
    private static final String OLD_REFUSAL = "more than 512 shared acquires waiting; retry";
    private static final int REFUSALS = 3;

    private Server server;
    private final AtomicInteger acquires = new AtomicInteger();
    private final List<AnswerRequest> answers = new CopyOnWriteArrayList<>();

    /**
     * A fake older server: ServerInfo, OpenShared, and Acquire refusing the first {@value #REFUSALS} the old
     * way, then handing out one message (offset 0, "j1") and nothing after; Answer accepts everything.
     */
    private int start() throws Exception {
        ServerServiceDefinition.Builder queue = ServerServiceDefinition.builder(QueueGrpc.SERVICE);
        for (MethodDescriptor<?, ?> m : QueueGrpc.METHODS) {
            if (m == QueueGrpc.SERVER_INFO) {
                queue.addMethod(QueueGrpc.SERVER_INFO, ServerCalls.asyncUnaryCall((Empty r, StreamObserver<ServerInfoResponse> o) -> {
                    o.onNext(ServerInfoResponse.newBuilder().setVersion("older").setMaxMessageBytes(1 << 20)
                            .setMaxRequestBytes(64 << 20).build());
                    o.onCompleted();
                }));
            } else {
                UnimplementedMethods.add(queue, m);
            }
        }
        ServerServiceDefinition shared = ServerServiceDefinition.builder(SharedQueueGrpc.SERVICE)
                .addMethod(SharedQueueGrpc.OPEN_SHARED, ServerCalls.asyncUnaryCall((OpenSharedRequest r, StreamObserver<Empty> o) -> {
                    o.onNext(Empty.getDefaultInstance());
                    o.onCompleted();
                }))
                .addMethod(SharedQueueGrpc.ACQUIRE, ServerCalls.asyncUnaryCall((AcquireRequest r, StreamObserver<AcquireResponse> o) -> {
                    int n = acquires.incrementAndGet();
                    if (n <= REFUSALS) {
                        o.onError(Status.RESOURCE_EXHAUSTED.withDescription(OLD_REFUSAL).asRuntimeException());
                        return;
                    }
                    AcquireResponse.Builder b = AcquireResponse.newBuilder();
                    if (n == REFUSALS + 1) {
                        b.addDeliveries(SharedDelivery.newBuilder().setAttempt(1).setIncarnation(1)
                                .setLockDeadlineMillis(System.currentTimeMillis() + 60_000)
                                .setMessage(io.rocksmq.remote.proto.Message.newBuilder().setOffset(0)
                                        .setPayload(ByteString.copyFromUtf8("j1")).setPublishTime(1)));
                    }
                    o.onNext(b.build());
                    o.onCompleted();
                }))
                .addMethod(SharedQueueGrpc.ANSWER, ServerCalls.asyncUnaryCall((AnswerRequest r, StreamObserver<AnswerResponse> o) -> {
                    answers.add(r);
                    o.onNext(AnswerResponse.getDefaultInstance());
                    o.onCompleted();
                }))
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(queue.build())
                .addService(shared).build().start();
        return server.getPort();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.shutdownNow();
            server.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSharedConsumersPollRetriesAnUntypedRefusalAndReceives() throws Exception {
        try (MqClient client = MqClient.open("rmq://127.0.0.1:" + start());
             Consumer c = client.subscribe(ConsumerOptions.builder("jobs", "w").shared(SharedSubscription.DEFAULTS)
                     .build())) {
            List<Message> got = c.poll(1, Duration.ofSeconds(30));
            assertThat(got).extracting(Message::text).containsExactly("j1");
            assertThat(acquires.get()).as("the refused ones, then the one answered").isEqualTo(REFUSALS + 1);
            c.ack(got.get(0).id());
        }
        assertThat(answers).extracting(AnswerRequest::getOutcome).containsExactly(AnswerRequest.Outcome.ACK);
    }
}
