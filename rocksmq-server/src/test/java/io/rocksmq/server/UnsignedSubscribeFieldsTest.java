package io.rocksmq.server;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.remote.QueueGrpc;
import io.rocksmq.remote.proto.Error;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.rocksmq.server.Conditions.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A subscribe stream's unsigned fields at their largest values, which Java reads negative (a uint32 from
 * 2^31, a uint64 from 2^63): a credit that large is held as the most the server counts, so the client gets
 * everything, never a credit that stalls its stream; a byte credit never overflows however much is
 * granted; an offset that large names no message and is refused as bad input, the stream going on.
 */
@Timeout(180)
class UnsignedSubscribeFieldsTest {
    /** The largest uint32 and uint64 as Java reads them. */
    private static final int LARGEST_UINT32 = -1;
    private static final long LARGEST_UINT64 = -1L;
    private static final int MESSAGES = 5;

    @TempDir
    Path dir;
    private RawClient raw;

    @BeforeEach
    void start() {
        raw = RawClient.serving(dir, b -> b);
        RocksMq mq = raw.server().queue();
        mq.createTopic("t");
        produce(MESSAGES);
    }

    @AfterEach
    void stop() throws InterruptedException {
        raw.close();
    }

    private void produce(int n) {
        List<ProducerMessage> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(ProducerMessage.of(new byte[100]));
        }
        raw.server().queue().produce("t", batch);
    }

    /** A raw subscriber: counts the messages received per generation and keeps the replies by request id. */
    private static final class Subscriber extends ClientCall.Listener<SubscribeResponse> {
        final Map<Long, Integer> messagesByGeneration = new ConcurrentHashMap<>();
        final Map<Long, Error> replies = new ConcurrentHashMap<>();
        final CountDownLatch opened = new CountDownLatch(1);
        volatile Status closed;

        @Override
        public void onMessage(SubscribeResponse r) {
            if (r.hasOpened()) {
                opened.countDown();
            } else if (r.hasDelivery()) {
                messagesByGeneration.merge(r.getDelivery().getGeneration(), r.getDelivery().getMessagesCount()
                        + r.getDelivery().getPacked().getOffsetsCount(), Integer::sum);
            } else if (r.hasReply()) {
                replies.put(r.getReply().getRequestId(), r.getReply().getError());
            }
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            closed = status;
        }

        int received(long generation) {
            return messagesByGeneration.getOrDefault(generation, 0);
        }
    }

    /** Opens subscription {@code subscription} of topic t from its first message, generation 0. */
    private ClientCall<SubscribeRequest, SubscribeResponse> open(Subscriber s, String subscription,
                                                               SubscribeRequest.Open.Builder open) throws Exception {
        ClientCall<SubscribeRequest, SubscribeResponse> call = raw.channel.newCall(QueueGrpc.SUBSCRIBE, io.grpc.CallOptions.DEFAULT);
        call.start(s, new Metadata());
        call.request(Integer.MAX_VALUE);
        call.sendMessage(SubscribeRequest.newBuilder().setOpen(open.setTopic("t").setSubscription(subscription)
                .setInitialPosition(InitialPosition.EARLIEST)).build());
        assertThat(s.opened.await(30, TimeUnit.SECONDS)).isTrue();
        return call;
    }

    private static void flow(ClientCall<SubscribeRequest, SubscribeResponse> call, int credit, long creditBytes) {
        call.sendMessage(SubscribeRequest.newBuilder().setFlow(SubscribeRequest.Flow.newBuilder().setCredit(credit)
                .setCreditBytes(creditBytes)).build());
    }

    /** Seeks back to the first message (inclusive), as generation {@code generation}. */
    private static void seekToStart(ClientCall<SubscribeRequest, SubscribeResponse> call, long requestId,
                                    long generation, int credit, long creditBytes) {
        call.sendMessage(SubscribeRequest.newBuilder().setRequestId(requestId).setSeek(SubscribeRequest.Seek
                .newBuilder().setOffset(0).setInclusive(true).setGeneration(generation).setCredit(credit)
                .setCreditBytes(creditBytes)).build());
    }

    @Test
    void theLargestMessageCreditAtOpenDeliversEverything() throws Exception {
        Subscriber s = new Subscriber();
        ClientCall<SubscribeRequest, SubscribeResponse> call = open(s, "s",
                SubscribeRequest.Open.newBuilder().setCredit(LARGEST_UINT32));
        awaitTrue("every message delivered", () -> s.received(0) == MESSAGES);
        call.cancel("done", null);
    }

    @Test
    void theLargestMessageCreditInAFlowOrASeekDeliversEverything() throws Exception {
        Subscriber s = new Subscriber();
        ClientCall<SubscribeRequest, SubscribeResponse> call = open(s, "s", SubscribeRequest.Open.newBuilder().setCredit(2));
        awaitTrue("the two granted at open", () -> s.received(0) == 2);
        flow(call, LARGEST_UINT32, 0);
        awaitTrue("the rest, for the flow's credit", () -> s.received(0) == MESSAGES);

        seekToStart(call, 1, 1, LARGEST_UINT32, 0);
        awaitTrue("the seek answered", () -> s.replies.containsKey(1L));
        assertThat(s.replies.get(1L)).isEqualTo(Error.getDefaultInstance()); // no error
        awaitTrue("everything again, for the seek's credit", () -> s.received(1) == MESSAGES);
        assertThat(s.closed).isNull();
        call.cancel("done", null);
    }

    @Test
    void theLargestByteCreditInAFlowOrASeekDeliversEverything() throws Exception {
        Subscriber s = new Subscriber();
        // One byte of credit: the server sends one message (always at least one), then waits for more.
        ClientCall<SubscribeRequest, SubscribeResponse> call = open(s, "s",
                SubscribeRequest.Open.newBuilder().setCredit(1_000).setCreditBytes(1));
        awaitTrue("the one message a byte of credit lets through", () -> s.received(0) == 1);
        flow(call, 0, LARGEST_UINT64);
        awaitTrue("the rest, for the flow's byte credit", () -> s.received(0) == MESSAGES);

        seekToStart(call, 1, 1, 1_000, LARGEST_UINT64);
        awaitTrue("everything again, for the seek's byte credit", () -> s.received(1) == MESSAGES);
        assertThat(s.replies.get(1L)).isEqualTo(Error.getDefaultInstance());
        assertThat(s.closed).isNull();
        call.cancel("done", null);
    }

    @Test
    void aByteCreditNeverOverflowsHoweverMuchIsGranted() throws Exception {
        Subscriber s = new Subscriber();
        // Two grants each below 2^63 whose sum is above it (and, on another stream, the largest at open).
        ClientCall<SubscribeRequest, SubscribeResponse> call = open(s, "s",
                SubscribeRequest.Open.newBuilder().setCredit(1_000).setCreditBytes(Long.MAX_VALUE - 1));
        awaitTrue("everything stored", () -> s.received(0) == MESSAGES);
        flow(call, 0, Long.MAX_VALUE);
        produce(3);
        awaitTrue("what is stored after the grant", () -> s.received(0) == MESSAGES + 3);

        Subscriber largest = new Subscriber();
        ClientCall<SubscribeRequest, SubscribeResponse> other = open(largest, "other",
                SubscribeRequest.Open.newBuilder().setCredit(1_000).setCreditBytes(LARGEST_UINT64));
        awaitTrue("everything, for the largest byte credit at open", () -> largest.received(0) == MESSAGES + 3);
        flow(other, 0, LARGEST_UINT64);
        produce(2);
        awaitTrue("what is stored after the largest grant twice", () -> largest.received(0) == MESSAGES + 5);
        awaitTrue("the first stream too", () -> s.received(0) == MESSAGES + 5);
        call.cancel("done", null);
        other.cancel("done", null);
    }

    @Test
    void anOffsetAtOrAboveTwoToTheSixtyThreeIsRefusedAsBadInputAndTheStreamGoesOn() throws Exception {
        Subscriber s = new Subscriber();
        ClientCall<SubscribeRequest, SubscribeResponse> call = open(s, "s", SubscribeRequest.Open.newBuilder().setCredit(1));
        awaitTrue("the first message", () -> s.received(0) == 1);

        call.sendMessage(SubscribeRequest.newBuilder().setRequestId(1).setAck(SubscribeRequest.Ack.newBuilder()
                .setOffset(LARGEST_UINT64)).build());
        call.sendMessage(SubscribeRequest.newBuilder().setRequestId(2).setSeek(SubscribeRequest.Seek.newBuilder()
                .setOffset(Long.MIN_VALUE).setGeneration(1).setCredit(1_000)).build());
        awaitTrue("both answered", () -> s.replies.containsKey(1L) && s.replies.containsKey(2L));
        assertThat(s.replies.get(1L).getType()).isEqualTo("InvalidArgumentException");
        assertThat(s.replies.get(1L).getMessage()).contains("18446744073709551615");
        assertThat(s.replies.get(2L).getType()).isEqualTo("InvalidArgumentException");
        assertThat(s.replies.get(2L).getMessage()).contains("9223372036854775808");

        // Nothing moved: the stream goes on from where it was, for the credit it has.
        flow(call, MESSAGES, 0);
        awaitTrue("the rest", () -> s.received(0) == MESSAGES);
        assertThat(s.received(1)).isZero();
        assertThat(s.closed).isNull();
        call.cancel("done", null);
    }
}
