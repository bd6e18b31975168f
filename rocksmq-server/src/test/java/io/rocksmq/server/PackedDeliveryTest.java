package io.rocksmq.server;

import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.remote.QueueGrpc;
import io.rocksmq.remote.Wire;
import io.rocksmq.remote.proto.InitialPosition;
import io.rocksmq.remote.proto.PackedMessages;
import io.rocksmq.remote.proto.SubscribeRequest;
import io.rocksmq.remote.proto.SubscribeResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Packed deliveries: only to a client that opened with {@code packed}, only for messages without
 * properties or key, and they read back to the same messages. A client that does not ask (an older one,
 * or one in another language) gets one {@code Message} each, as before.
 */
@Timeout(60)
class PackedDeliveryTest {
    @TempDir
    Path dir;
    private RawClient raw;
    private RmqServer server;

    @BeforeEach
    void start() {
        // A session buffer whose poll half (16 MiB) takes the large-message test's 12 MiB in one poll, so that
        // one poll is cut into several deliveries (the default's 2 MiB half would poll two messages at a time).
        raw = RawClient.serving(dir, b -> b.sessionBufferBytes(32L << 20));
        server = raw.server();
    }

    @AfterEach
    void stop() throws InterruptedException {
        raw.close();
    }

    private long[] produce(List<ProducerMessage> batch) {
        RocksMq mq = server.queue();
        mq.createTopic("t");
        return mq.produce("t", batch);
    }

    /** Opens a subscription from the earliest message with a credit of 1000; returns what arrives. */
    private LinkedBlockingQueue<SubscribeResponse> subscribe(boolean packed) {
        LinkedBlockingQueue<SubscribeResponse> got = new LinkedBlockingQueue<>();
        StreamObserver<SubscribeRequest> requests = ClientCalls.asyncBidiStreamingCall(
                raw.channel.newCall(QueueGrpc.SUBSCRIBE, io.grpc.CallOptions.DEFAULT), new StreamObserver<>() {
                    @Override
                    public void onNext(SubscribeResponse r) {
                        got.add(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(SubscribeRequest.newBuilder().setOpen(SubscribeRequest.Open.newBuilder().setTopic("t")
                .setSubscription("s").setInitialPosition(InitialPosition.EARLIEST).setCredit(1000).setPacked(packed))
                .build());
        return got;
    }

    /** The deliveries until {@code count} messages arrived (packed or not). */
    private static List<SubscribeResponse.Delivery> deliveries(LinkedBlockingQueue<SubscribeResponse> got, int count)
            throws InterruptedException {
        List<SubscribeResponse.Delivery> out = new ArrayList<>();
        int n = 0;
        while (n < count) {
            SubscribeResponse r = got.poll(30, TimeUnit.SECONDS);
            assertThat(r).as("a response within 30 s, after %d of %d messages", n, count).isNotNull();
            if (r.hasDelivery()) {
                out.add(r.getDelivery());
                n += r.getDelivery().getMessagesCount() + r.getDelivery().getPacked().getOffsetsCount();
            }
        }
        return out;
    }

    private static List<ProducerMessage> plain(int n) {
        List<ProducerMessage> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(ProducerMessage.of(("m" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return batch;
    }

    @Test
    void aClientThatAsksGetsPlainMessagesPackedAndTheyReadBackTheSame() throws Exception {
        long[] ids = produce(plain(300));
        List<Message> read = new ArrayList<>();
        for (SubscribeResponse.Delivery d : deliveries(subscribe(true), 300)) {
            assertThat(d.getMessagesCount()).isZero();
            assertThat(d.hasPacked()).isTrue();
            read.addAll(Wire.unpack("t", d.getPacked()));
        }
        assertThat(read).hasSize(300);
        for (int i = 0; i < 300; i++) {
            assertThat(read.get(i).id()).isEqualTo(MessageId.of(Wire.PARTITION, ids[i]));
            assertThat(read.get(i).text()).isEqualTo("m" + i);
            assertThat(read.get(i).publishTime()).isPositive();
            assertThat(read.get(i).properties()).isEmpty();
            assertThat(read.get(i).key()).isEmpty();
        }
    }

    @Test
    void aClientThatDoesNotAskGetsOneMessageEach() throws Exception {
        produce(plain(300));
        for (SubscribeResponse.Delivery d : deliveries(subscribe(false), 300)) {
            assertThat(d.hasPacked()).isFalse();
            assertThat(d.getMessagesCount()).isPositive();
        }
    }

    @Test
    void aMessageWithPropertiesIsNeverPacked() throws Exception {
        produce(List.of(new ProducerMessage("p".getBytes(StandardCharsets.UTF_8), Map.of("k", "v"))));
        List<SubscribeResponse.Delivery> ds = deliveries(subscribe(true), 1);
        assertThat(ds).hasSize(1);
        assertThat(ds.get(0).hasPacked()).isFalse();
        assertThat(ds.get(0).getMessages(0).getPropertiesMap()).containsEntry("k", "v");
    }

    @Test
    void packAndUnpackAreInverse() {
        List<Message> ms = List.of(
                new Message("t", MessageId.of(0, 7), new byte[0], Map.of(), null, 11),
                new Message("t", MessageId.of(0, 9), "abc".getBytes(StandardCharsets.UTF_8), Map.of(), null, 12));
        List<Message> back = Wire.unpack("t", Wire.pack(ms));
        assertThat(back).hasSize(2);
        assertThat(back.get(0).id().offset()).isEqualTo(7);
        assertThat(back.get(0).payload()).isEmpty();
        assertThat(back.get(1).id().offset()).isEqualTo(9);
        assertThat(back.get(1).text()).isEqualTo("abc");
        assertThat(back.get(1).publishTime()).isEqualTo(12);
        assertThat(Wire.pack(List.of(new Message("t", MessageId.of(0, 1), new byte[1], Map.of(), "key", 1)))).isNull();
    }

    @Test
    void aMalformedPackedDeliveryIsATypedError() {
        PackedMessages good = Wire.pack(List.of(new Message("t", MessageId.of(0, 1), new byte[3], Map.of(), null, 1)));
        PackedMessages missingColumn = good.toBuilder().clearPublishTimes().build();
        PackedMessages overrun = good.toBuilder().setPayloadSizes(0, 4).build();
        PackedMessages leftOver = good.toBuilder().setPayloadSizes(0, 2).build();
        for (PackedMessages bad : List.of(missingColumn, overrun, leftOver)) {
            assertThatThrownBy(() -> Wire.unpack("t", bad)).isInstanceOf(RocksMqException.class)
                    .hasMessageContaining("malformed packed delivery");
        }
    }

    @Test
    void aPollOfLargeMessagesIsCutIntoDeliveriesOfAtMostTheByteLimit() throws Exception {
        int size = 1 << 20;
        int count = 3 * SubscriptionSession.MAX_DELIVERY_BYTES / size; // three deliveries' worth, read in one poll
        List<ProducerMessage> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] payload = new byte[size];
            payload[0] = (byte) i;
            batch.add(ProducerMessage.of(payload));
        }
        long[] ids = produce(batch);
        List<Message> read = new ArrayList<>();
        List<SubscribeResponse.Delivery> got = deliveries(subscribe(true), count);
        for (SubscribeResponse.Delivery d : got) {
            assertThat(d.getPacked().getPayloads().size()).as("payload bytes of one delivery")
                    .isLessThanOrEqualTo(SubscriptionSession.MAX_DELIVERY_BYTES);
            read.addAll(Wire.unpack("t", d.getPacked()));
        }
        assertThat(got).hasSizeGreaterThanOrEqualTo(3);
        assertThat(read).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(read.get(i).id().offset()).isEqualTo(ids[i]);
            assertThat(read.get(i).payload()).hasSize(size);
            assertThat(read.get(i).payload()[0]).isEqualTo((byte) i);
        }
    }
}
