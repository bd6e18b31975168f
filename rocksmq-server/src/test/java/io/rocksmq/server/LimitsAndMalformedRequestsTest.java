package io.rocksmq.server;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.remote.QueueGrpc;
import io.rocksmq.remote.RemoteErrors;
import io.rocksmq.remote.proto.Empty;
import io.rocksmq.remote.proto.OutgoingMessage;
import io.rocksmq.remote.proto.ProduceRequest;
import io.rocksmq.remote.proto.SubscribeRequest;
import io.rocksmq.remote.proto.SubscribeResponse;
import io.rocksmq.remote.proto.TopicRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Requests the client API never sends, and requests over the limits: typed errors, nothing stored, server still up. */
@Timeout(60)
class LimitsAndMalformedRequestsTest {
    private static final int MAX_REQUEST = 64 << 10;
    @TempDir
    Path dir;
    private RawClient raw;
    private RmqServer server;

    @BeforeEach
    void start() {
        raw = RawClient.serving(dir, b -> b.maxRequestBytes(MAX_REQUEST));
        server = raw.server();
        raw.call(QueueGrpc.CREATE_TOPIC, TopicRequest.newBuilder().setTopic("t").build());
    }

    @AfterEach
    void stop() throws InterruptedException {
        raw.close();
    }

    private static ProduceRequest produce(String topic, int payloadBytes) {
        return ProduceRequest.newBuilder().setTopic(topic)
                .addMessages(OutgoingMessage.newBuilder().setPayload(ByteString.copyFrom(new byte[payloadBytes]))).build();
    }

    private long stored() {
        return server.queue().latestMessageId("t") + 1;
    }

    private void assertServerStillServes() {
        assertThat(raw.call(QueueGrpc.PRODUCE, produce("t", 10)).getOffsetsCount()).isEqualTo(1);
        HealthCheckResponse health = ClientCalls.blockingUnaryCall(raw.channel, HealthGrpc.getCheckMethod(),
                io.grpc.CallOptions.DEFAULT, HealthCheckRequest.newBuilder().setService(QueueGrpc.SERVICE_NAME).build());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void anOversizedRequestIsResourceExhaustedAndTheServerKeepsRunning() {
        assertThatThrownBy(() -> raw.call(QueueGrpc.PRODUCE, produce("t", MAX_REQUEST + 1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        assertThat(stored()).isZero();
        assertServerStillServes();
        assertThat(stored()).isEqualTo(1);
    }

    @Test
    void theClientRefusesAMessageLargerThanTheServersMaximumBeforeSending() {
        try (MqClient client = MqClient.open("rmq://127.0.0.1:" + server.port());
             Producer p = client.createProducer("t")) {
            long max = server.queue().config().maxMessageBytes();
            assertThatThrownBy(() -> p.send(new byte[(int) max + 1])).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("larger than the server's maximum");
            // Within the message limit but over the request limit: the server refuses it, typed.
            assertThatThrownBy(() -> p.send(new byte[MAX_REQUEST + 1])).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("limits");
            assertThat(stored()).isZero();
            assertThat(p.send("fits")).isNotNull();
        }
    }

    @Test
    void malformedProduceRequestsAreInvalidArgumentsAndStoreNothing() {
        for (ProduceRequest bad : new ProduceRequest[]{
                ProduceRequest.newBuilder().setTopic("t").build(), // no message
                ProduceRequest.newBuilder().setTopic("t") // a reserved property in the second message
                        .addMessages(OutgoingMessage.newBuilder().setPayload(ByteString.copyFromUtf8("ok")))
                        .addMessages(OutgoingMessage.newBuilder().putProperties("__rmq.key", "x")).build(),
                ProduceRequest.newBuilder().setTopic("") // no topic name
                        .addMessages(OutgoingMessage.newBuilder().setPayload(ByteString.copyFromUtf8("ok"))).build()}) {
            assertThatThrownBy(() -> raw.call(QueueGrpc.PRODUCE, bad))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getTrailers().get(RemoteErrors.ERROR_KEY)).isNotNull();
                    });
        }
        assertThatThrownBy(() -> raw.call(QueueGrpc.PRODUCE, produce("missing", 1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getTrailers().get(RemoteErrors.ERROR_KEY).getType())
                                .isEqualTo("TopicNotFoundException"));
        assertThat(stored()).isZero();
        assertThat(server.queue().topics()).containsExactly("t");
        assertServerStillServes();
    }

    @Test
    void aSubscribeStreamThatDoesNotStartWithOpenFailsAlone() throws Exception {
        CompletableFuture<Status> ended = new CompletableFuture<>();
        StreamObserver<SubscribeRequest> requests = ClientCalls.asyncBidiStreamingCall(
                raw.channel.newCall(QueueGrpc.SUBSCRIBE, io.grpc.CallOptions.DEFAULT), new StreamObserver<SubscribeResponse>() {
                    @Override
                    public void onNext(SubscribeResponse value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(Status.OK);
                    }
                });
        requests.onNext(SubscribeRequest.newBuilder().setAck(SubscribeRequest.Ack.newBuilder().setOffset(0)).build());
        assertThat(ended.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(server.queue().consumerGroups("t")).isEmpty();
        assertServerStillServes();
    }

    @Test
    void healthAndServerInfoAnswer() {
        assertServerStillServes();
        assertThat(raw.call(QueueGrpc.SERVER_INFO, Empty.getDefaultInstance()).getMaxRequestBytes()).isEqualTo(MAX_REQUEST);
    }
}
