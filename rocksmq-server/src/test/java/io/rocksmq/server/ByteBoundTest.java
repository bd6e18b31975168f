package io.rocksmq.server;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.api.internals.BufferedBytes;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.remote.QueueGrpc;
import io.rocksmq.remote.proto.InitialPosition;
import io.rocksmq.remote.proto.Empty;
import io.rocksmq.remote.proto.SubscribeRequest;
import io.rocksmq.remote.proto.SubscribeResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static io.rocksmq.server.Conditions.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bytes, not only message counts, bound what a served subscription holds: the server's session budget
 * (read-ahead and one poll), the client's byte credit, and the remote consumer's receive buffer.
 */
@Timeout(180)
class ByteBoundTest {
    private static final int MIB = 1 << 20;
    @TempDir
    Path dir;
    private RawClient raw;

    @AfterEach
    void stop() throws InterruptedException {
        if (raw != null) {
            raw.close();
        }
    }

    /** Starts a server with a session budget of {@code sessionBytes} and stores {@code sizes} on topic t (first 4 bytes: the index). */
    private RmqServer serve(long sessionBytes, int... sizes) {
        raw = RawClient.serving(dir, b -> b.sessionBufferBytes(sessionBytes));
        RmqServer server = raw.server();
        RocksMq mq = server.queue();
        mq.createTopic("t");
        for (int i = 0; i < sizes.length; i++) {
            byte[] payload = new byte[Math.max(4, sizes[i])];
            ByteBuffer.wrap(payload).putInt(i);
            mq.produce("t", List.of(ProducerMessage.of(payload)));
        }
        return server;
    }

    private static int[] repeat(int n, int size) {
        int[] sizes = new int[n];
        java.util.Arrays.fill(sizes, size);
        return sizes;
    }

    /** A raw subscriber: counts the messages and payload bytes it received. */
    private static final class Subscriber extends ClientCall.Listener<SubscribeResponse> {
        final AtomicLong messages = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final CountDownLatch opened = new CountDownLatch(1);
        volatile Status closed;

        @Override
        public void onMessage(SubscribeResponse r) {
            if (r.hasOpened()) {
                opened.countDown();
            }
            for (io.rocksmq.remote.proto.Message m : r.getDelivery().getMessagesList()) {
                messages.incrementAndGet();
                bytes.addAndGet(m.getPayload().size());
            }
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            closed = status;
        }
    }

    private ClientCall<SubscribeRequest, SubscribeResponse> open(Subscriber s, SubscribeRequest.Open.Builder open, int reads)
            throws InterruptedException {
        ClientCall<SubscribeRequest, SubscribeResponse> call = raw.channel.newCall(QueueGrpc.SUBSCRIBE, io.grpc.CallOptions.DEFAULT);
        call.start(s, new Metadata());
        call.request(reads);
        call.sendMessage(SubscribeRequest.newBuilder().setOpen(open.setTopic("t").setSubscription("s")
                .setInitialPosition(InitialPosition.EARLIEST)).build());
        assertThat(s.opened.await(30, TimeUnit.SECONDS)).isTrue();
        return call;
    }

    /**
     * Waits until {@code value} stops moving for a while (bounded), and returns it: for "no more than",
     * after {@link Conditions#awaitTrue} awaited "at least" (a loaded machine may deliver nothing for a while).
     */
    private static long settled(LongSupplier value) throws InterruptedException {
        long last = -1;
        long now = value.getAsLong();
        for (int i = 0; i < 100 && now != last; i++) {
            last = now;
            Thread.sleep(300);
            now = value.getAsLong();
        }
        return now;
    }

    @Test
    void theServerSaysItHonoursByteCredit() {
        serve(4 * MIB);
        assertThat(raw.call(QueueGrpc.SERVER_INFO, Empty.getDefaultInstance()).getSubscribeByteCredit()).isTrue();
    }

    @Test
    void theServerPushesNoMoreBytesThanGranted() throws Exception {
        serve(64 * MIB, repeat(20, MIB));
        Subscriber s = new Subscriber();
        ClientCall<SubscribeRequest, SubscribeResponse> call = open(s,
                SubscribeRequest.Open.newBuilder().setCredit(1_000_000).setCreditBytes(3L * MIB), Integer.MAX_VALUE);
        awaitTrue("bytes delivered", () -> s.bytes.get() >= 3L * MIB);
        assertThat(settled(s.bytes::get)).isEqualTo(3L * MIB);
        assertThat(s.messages.get()).isEqualTo(3);

        call.sendMessage(SubscribeRequest.newBuilder().setFlow(SubscribeRequest.Flow.newBuilder()
                .setCredit(0).setCreditBytes(MIB + 1)).build());
        awaitTrue("bytes delivered", () -> s.bytes.get() >= 5L * MIB);
        assertThat(settled(s.bytes::get)).as("past the credit by less than one message").isEqualTo(5L * MIB);
        call.cancel("done", null);
    }

    @Test
    void aClientWithoutByteCreditIsBoundedByMessages() throws Exception {
        serve(64 * MIB, repeat(20, MIB));
        Subscriber s = new Subscriber();
        ClientCall<SubscribeRequest, SubscribeResponse> call = open(s,
                SubscribeRequest.Open.newBuilder().setCredit(7), Integer.MAX_VALUE);
        awaitTrue("bytes delivered", () -> s.messages.get() >= 7);
        assertThat(settled(s.messages::get)).isEqualTo(7);
        call.sendMessage(SubscribeRequest.newBuilder().setFlow(SubscribeRequest.Flow.newBuilder().setCredit(2)
                .setCreditBytes(MIB)).build()); // ignored: the stream opened without byte credit
        awaitTrue("bytes delivered", () -> s.messages.get() >= 9);
        assertThat(settled(s.messages::get)).isEqualTo(9);
        call.cancel("done", null);
    }

    @Test
    void aClientThatReadsNothingHoldsAboutTheSessionBudgetInTheServer() throws Exception {
        RmqServer server = serve(4 * MIB, repeat(40, MIB));
        Subscriber s = new Subscriber();
        // Grants a million messages and no bytes, then reads nothing after 'opened': only the session's
        // budget (2 MiB read ahead, 2 MiB a poll) and the transport's windows bound what the server takes.
        ClientCall<SubscribeRequest, SubscribeResponse> call = open(s,
                SubscribeRequest.Open.newBuilder().setCredit(1_000_000), 1);
        awaitTrue("bytes delivered", () -> server.metrics().deliveredMessages() >= 2); // the first poll: 2 MiB
        long delivered = settled(() -> server.metrics().deliveredMessages());
        SubscriptionSession session = server.queueService().sessions().get(0);
        assertThat(session.readAheadBytes()).isLessThanOrEqualTo(2L * MIB);
        assertThat(delivered).as("messages of 1 MiB the server took for a client that reads nothing").isLessThan(12);
        call.cancel("done", null);
    }

    @Test
    void aRemoteConsumerHoldsNoMoreThanItsByteBoundAndGetsEverythingInOrder() throws Exception {
        int[] sizes = repeat(24, MIB);
        sizes[10] = 6 * MIB; // larger than the consumer's bound: delivered alone
        RmqServer server = serve(8 * MIB, sizes);
        try (MqClient client = MqClient.open("rmq://127.0.0.1:" + server.port());
             Consumer c = client.subscribe(ConsumerOptions.builder("t", "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST)
                     .receiveBufferBytes(4L * MIB).build())) {
            BufferedBytes held = (BufferedBytes) c;
            awaitTrue("bytes delivered", () -> held.bufferedBytes() >= 4L * MIB);
            assertThat(settled(held::bufferedBytes)).as("the grant: 4 MiB, no more (the server received no other)")
                    .isEqualTo(4L * MIB);
            List<Integer> got = new ArrayList<>();
            long maxHeld = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (got.size() < sizes.length && System.nanoTime() < deadline) {
                maxHeld = Math.max(maxHeld, held.bufferedBytes());
                for (Message m : c.poll(1, Duration.ofMillis(200))) {
                    got.add(ByteBuffer.wrap(m.payload()).getInt());
                    c.ack(m.id());
                }
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                expected.add(i);
            }
            assertThat(got).as("every message once, in order").isEqualTo(expected);
            assertThat(maxHeld).as("the bound plus less than one message").isLessThan(4L * MIB + 6L * MIB);
            assertThat(c.poll(1, Duration.ZERO)).isEmpty();
        }
    }
}
