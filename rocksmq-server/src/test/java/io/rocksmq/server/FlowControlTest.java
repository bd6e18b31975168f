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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server pushes only what the client granted, and only while the connection takes it: a client that
 * grants nothing, or grants much and reads nothing, holds a bounded part of the topic in the server.
 */
@Timeout(120)
class FlowControlTest {
    private static final int MESSAGES = 20_000;
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
        for (int i = 0; i < MESSAGES; i += 1000) {
            List<ProducerMessage> batch = new ArrayList<>();
            for (int j = 0; j < 1000; j++) {
                batch.add(ProducerMessage.of(new byte[1024]));
            }
            mq.produce("t", batch);
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        raw.close();
    }

    /** A subscriber on the raw call: counts what it received; reads only what {@code call.request} allows. */
    private static final class Subscriber extends ClientCall.Listener<SubscribeResponse> {
        final AtomicInteger messages = new AtomicInteger();
        final CountDownLatch opened = new CountDownLatch(1);
        volatile Status closed;

        @Override
        public void onMessage(SubscribeResponse r) {
            if (r.hasOpened()) {
                opened.countDown();
            }
            messages.addAndGet(r.getDelivery().getMessagesCount());
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            closed = status;
        }
    }

    private ClientCall<SubscribeRequest, SubscribeResponse> open(Subscriber s, long credit, int reads) throws Exception {
        ClientCall<SubscribeRequest, SubscribeResponse> call = raw.channel.newCall(QueueGrpc.SUBSCRIBE, io.grpc.CallOptions.DEFAULT);
        call.start(s, new Metadata());
        call.request(reads);
        call.sendMessage(SubscribeRequest.newBuilder().setOpen(SubscribeRequest.Open.newBuilder().setTopic("t")
                .setSubscription("s").setInitialPosition(InitialPosition.EARLIEST).setCredit((int) credit)).build());
        assertThat(s.opened.await(30, TimeUnit.SECONDS)).isTrue();
        return call;
    }

    /** Waits until the server's delivered count stops moving for a while (bounded), and returns it. */
    private long settledDeliveries() throws InterruptedException {
        long last = -1;
        long now = server.metrics().deliveredMessages();
        for (int i = 0; i < 100 && now != last; i++) {
            last = now;
            Thread.sleep(300);
            now = server.metrics().deliveredMessages();
        }
        return now;
    }

    @Test
    void noCreditNoDelivery_thenExactlyTheCreditGranted() throws Exception {
        Subscriber s = new Subscriber();
        ClientCall<SubscribeRequest, SubscribeResponse> call = open(s, 0, Integer.MAX_VALUE);
        assertThat(settledDeliveries()).isZero();
        assertThat(s.messages.get()).isZero();

        call.sendMessage(SubscribeRequest.newBuilder().setFlow(SubscribeRequest.Flow.newBuilder().setCredit(7)).build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (s.messages.get() < 7 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(settledDeliveries()).isEqualTo(7);
        assertThat(s.messages.get()).isEqualTo(7);
        call.cancel("done", null);
    }

    @Test
    void aClientThatGrantsMuchButReadsNothingHoldsABoundedPartInTheServer() throws Exception {
        Subscriber s = new Subscriber();
        // Reads one response (the 'opened'), then none: HTTP/2 flow control stops the server's writes, and
        // the server stops reading from the queue once the transport is not ready.
        ClientCall<SubscribeRequest, SubscribeResponse> call = open(s, 1_000_000, 1);
        long delivered = settledDeliveries();
        assertThat(delivered).as("messages the server read for a client that reads nothing")
                .isLessThan(MESSAGES / 4);
        call.cancel("done", null);
    }
}
