package io.rocksmq.server;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.remote.QueueGrpc;
import io.rocksmq.remote.proto.InitialPosition;
import io.rocksmq.remote.proto.SubscribeRequest;
import io.rocksmq.remote.proto.SubscribeResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One delivery holds about {@link SubscriptionSession#MAX_DELIVERY_BYTES} of payload at most, whatever
 * the credit: the server reads (and holds) large messages a few at a time, not {@link
 * SubscriptionSession#MAX_BATCH} of them.
 */
@Timeout(60)
class DeliverySizeTest {
    private static final int MESSAGES = 40;
    private static final int SIZE = 100 * 1024;
    @TempDir
    Path dir;
    private RawClient raw;
    private RmqServer server;

    @BeforeEach
    void start() {
        raw = RawClient.serving(dir, b -> b);
        server = raw.server();
        RocksMq mq = server.queue();
        mq.createTopic("t");
        for (int i = 0; i < MESSAGES; i++) {
            mq.produce("t", List.of(ProducerMessage.of(new byte[SIZE])));
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        raw.close();
    }

    @Test
    void largeMessagesLeaveAFewPerDelivery_allOfThemInOrder() throws Exception {
        List<SubscribeResponse.Delivery> deliveries = new CopyOnWriteArrayList<>();
        ClientCall<SubscribeRequest, SubscribeResponse> call = raw.channel.newCall(QueueGrpc.SUBSCRIBE,
                io.grpc.CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(SubscribeResponse r) {
                if (r.hasDelivery()) {
                    deliveries.add(r.getDelivery());
                }
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
            }
        }, new Metadata());
        call.request(Integer.MAX_VALUE);
        call.sendMessage(SubscribeRequest.newBuilder().setOpen(SubscribeRequest.Open.newBuilder().setTopic("t")
                .setSubscription("s").setInitialPosition(InitialPosition.EARLIEST).setCredit(1000).setPacked(true))
                .build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (count(deliveries) < MESSAGES && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(count(deliveries)).isEqualTo(MESSAGES);
        long expected = 0;
        for (SubscribeResponse.Delivery d : deliveries) {
            assertThat(d.getPacked().getPayloads().size()).as("payload bytes of one delivery")
                    .isLessThanOrEqualTo(SubscriptionSession.MAX_DELIVERY_BYTES);
            for (long offset : d.getPacked().getOffsetsList()) {
                assertThat(offset).isEqualTo(expected++);
            }
        }
        call.cancel("done", null);
    }

    private static int count(List<SubscribeResponse.Delivery> deliveries) {
        return deliveries.stream().mapToInt(d -> d.getPacked().getOffsetsCount()).sum();
    }
}
