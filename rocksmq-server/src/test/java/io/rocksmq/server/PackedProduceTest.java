package io.rocksmq.server;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.remote.QueueGrpc;
import io.rocksmq.remote.RemoteErrors;
import io.rocksmq.remote.Wire;
import io.rocksmq.remote.proto.Empty;
import io.rocksmq.remote.proto.PackedPayloads;
import io.rocksmq.remote.proto.ProduceRequest;
import io.rocksmq.remote.proto.ProduceResponse;
import io.rocksmq.remote.proto.TopicRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The packed produce form ({@code ProduceRequest.packed}) on a real server: stored in order as the same
 * messages as the one-message-each form; a malformed packed request fails with INVALID_ARGUMENT and
 * stores nothing; requests in the old form (older clients, other languages) keep working beside it.
 */
@Timeout(60)
class PackedProduceTest {
    @TempDir
    Path dir;
    private RawClient raw;
    private RmqServer server;

    @BeforeEach
    void start() {
        raw = RawClient.serving(dir, b -> b);
        server = raw.server();
        raw.call(QueueGrpc.CREATE_TOPIC, TopicRequest.newBuilder().setTopic("t").build());
    }

    @AfterEach
    void stop() throws InterruptedException {
        raw.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static PackedPayloads packed(int[] sizes, byte[] payloads) {
        PackedPayloads.Builder b = PackedPayloads.newBuilder().setPayloads(ByteString.copyFrom(payloads));
        for (int s : sizes) {
            b.addPayloadSizes(s);
        }
        return b.build();
    }

    private static ProduceRequest packedRequest(String... payloads) {
        List<byte[]> list = new ArrayList<>();
        for (String p : payloads) {
            list.add(utf8(p));
        }
        return ProduceRequest.newBuilder().setTopic("t").setPacked(Wire.packPayloads(list)).build();
    }

    private long stored() {
        return server.queue().latestMessageId("t") + 1;
    }

    /** Every message of topic t, through the client API over the network. */
    private List<Message> readAll(int count) {
        try (MqClient client = MqClient.open("rmq://127.0.0.1:" + server.port());
             Consumer c = client.subscribe(ConsumerOptions.builder("t", "check")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            List<Message> got = new ArrayList<>();
            while (got.size() < count) {
                List<Message> batch = c.poll(count - got.size(), Duration.ofSeconds(10));
                assertThat(batch).as("messages after %d of %d", got.size(), count).isNotEmpty();
                got.addAll(batch);
            }
            return got;
        }
    }

    @Test
    void theServerSaysItReadsPackedRequests() {
        assertThat(raw.call(QueueGrpc.SERVER_INFO, Empty.getDefaultInstance()).getProducePacked()).isTrue();
    }

    @Test
    void aPackedRequestIsStoredInOrderAsTheSameMessagesIncludingEmptyPayloads() {
        ProduceResponse r = raw.call(QueueGrpc.PRODUCE, packedRequest("a", "", "ccc"));
        assertThat(r.getOffsetsCount()).isZero(); // a packed request is answered with its first offset
        assertThat(r.hasFirstOffset()).isTrue();
        assertThat(r.getFirstOffset()).isZero();
        // the old form right after, in the same topic
        ProduceResponse old = raw.call(QueueGrpc.PRODUCE, ProduceRequest.newBuilder().setTopic("t")
                .addMessages(io.rocksmq.remote.proto.OutgoingMessage.newBuilder().setPayload(ByteString.copyFromUtf8("d"))
                        .putProperties("p", "v").setKey("k"))
                .build());
        assertThat(old.getOffsetsList()).containsExactly(3L);
        assertThat(old.hasFirstOffset()).isFalse();

        List<Message> got = readAll(4);
        assertThat(got).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8)).containsExactly("a", "", "ccc", "d");
        assertThat(got.subList(0, 3)).allSatisfy(m -> {
            assertThat(m.properties()).isEmpty();
            assertThat(m.key()).isEmpty();
        });
        assertThat(got.get(3).properties()).containsEntry("p", "v");
        assertThat(got.get(3).key()).contains("k");
    }

    @Test
    void malformedPackedRequestsAreInvalidArgumentsAndStoreNothing() {
        long max = server.queue().config().maxMessageBytes();
        for (ProduceRequest bad : new ProduceRequest[]{
                // sizes add up to fewer bytes than there are
                ProduceRequest.newBuilder().setTopic("t").setPacked(packed(new int[]{1, 1}, utf8("abc"))).build(),
                // sizes add up to more bytes than there are
                ProduceRequest.newBuilder().setTopic("t").setPacked(packed(new int[]{2, 2}, utf8("abc"))).build(),
                // a size that is negative as a Java int (over 2 GiB unsigned): must not wrap the sum
                ProduceRequest.newBuilder().setTopic("t").setPacked(packed(new int[]{-1, 1, 3}, utf8("abc"))).build(),
                // bytes without any size
                ProduceRequest.newBuilder().setTopic("t").setPacked(packed(new int[0], utf8("abc"))).build(),
                // packed present but empty
                ProduceRequest.newBuilder().setTopic("t").setPacked(PackedPayloads.getDefaultInstance()).build(),
                // both forms in one request
                ProduceRequest.newBuilder().setTopic("t").setPacked(packed(new int[]{1}, utf8("a")))
                        .addMessages(io.rocksmq.remote.proto.OutgoingMessage.newBuilder()
                                .setPayload(ByteString.copyFromUtf8("b"))).build(),
                // the second payload over the server's message limit: the first is not stored either
                ProduceRequest.newBuilder().setTopic("t").setPacked(packed(new int[]{1, (int) max + 1},
                        new byte[(int) max + 2])).build()}) {
            assertThatThrownBy(() -> raw.call(QueueGrpc.PRODUCE, bad))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getTrailers().get(RemoteErrors.ERROR_KEY).getType())
                                .isEqualTo("InvalidArgumentException");
                    });
        }
        assertThat(stored()).isZero();
        ProduceResponse fine = raw.call(QueueGrpc.PRODUCE, packedRequest("fine"));
        assertThat(fine.hasFirstOffset()).isTrue();
        assertThat(fine.getFirstOffset()).isZero();
    }

    @Test
    void onAProduceStreamAMalformedPackedBatchIsAnsweredWithAnErrorAndTheStreamGoesOn() throws Exception {
        LinkedBlockingQueue<ProduceResponse> answers = new LinkedBlockingQueue<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        StreamObserver<ProduceRequest> requests = ClientCalls.asyncBidiStreamingCall(
                raw.channel.newCall(QueueGrpc.PRODUCE_STREAM, io.grpc.CallOptions.DEFAULT), new StreamObserver<>() {
                    @Override
                    public void onNext(ProduceResponse r) {
                        answers.add(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(null);
                    }
                });
        requests.onNext(packedRequest("x", "y").toBuilder().setSequence(1).build());
        requests.onNext(ProduceRequest.newBuilder().setTopic("t").setSequence(2)
                .setPacked(packed(new int[]{5}, utf8("abc"))).build());
        requests.onNext(ProduceRequest.newBuilder().setTopic("t").setSequence(3) // the old form on the same stream
                .addMessages(io.rocksmq.remote.proto.OutgoingMessage.newBuilder().setPayload(ByteString.copyFromUtf8("z")))
                .build());
        requests.onCompleted();

        ProduceResponse first = answers.poll(30, TimeUnit.SECONDS);
        ProduceResponse second = answers.poll(30, TimeUnit.SECONDS);
        ProduceResponse third = answers.poll(30, TimeUnit.SECONDS);
        assertThat(first.getSequence()).isEqualTo(1);
        assertThat(first.getFirstOffset()).isZero();
        assertThat(first.getOffsetsCount()).isZero();
        assertThat(second.getSequence()).isEqualTo(2);
        assertThat(second.hasError()).isTrue();
        assertThat(second.getError().getType()).isEqualTo("InvalidArgumentException");
        assertThat(second.getOffsetsCount()).isZero();
        assertThat(second.hasFirstOffset()).isFalse();
        assertThat(third.getSequence()).isEqualTo(3);
        assertThat(third.getOffsetsList()).containsExactly(2L);
        ended.get(30, TimeUnit.SECONDS);
        assertThat(readAll(3)).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8)).containsExactly("x", "y", "z");
    }

    @Test
    void theJavaClientsSendsReadBackTheSameWhateverTheirForm() {
        List<OutgoingMessage> sent = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            OutgoingMessage.Builder b = OutgoingMessage.builder(utf8("m" + i));
            if (i >= 200 && i % 7 == 3) {
                b.property("i", Integer.toString(i)); // batches that mix the forms: sent one message each
            }
            sent.add(b.build());
        }
        List<MessageId> ids = new ArrayList<>();
        try (MqClient client = MqClient.open("rmq://127.0.0.1:" + server.port());
             Producer p = client.createProducer(ProducerOptions.builder("t").batchingMaxMessages(10).build())) {
            List<CompletableFuture<MessageId>> futures = new ArrayList<>();
            for (OutgoingMessage m : sent) {
                futures.add(p.sendAsync(m));
            }
            p.flush();
            futures.forEach(f -> ids.add(f.join()));
        }
        assertThat(ids).extracting(MessageId::offset).isSorted().doesNotHaveDuplicates();
        List<Message> got = readAll(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(got.get(i).id()).isEqualTo(ids.get(i));
            assertThat(got.get(i).payload()).isEqualTo(sent.get(i).payload());
            assertThat(got.get(i).properties()).isEqualTo(sent.get(i).properties());
        }
    }
}
