package io.rocksmq.server;

import io.grpc.ClientCall;
import io.grpc.Status;
import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.remote.ServerBusyException;
import io.rocksmq.remote.proto.InitialPosition;
import io.rocksmq.remote.proto.SubscribeRequest;
import io.rocksmq.remote.proto.SubscribeResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.rocksmq.server.Conditions.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server-wide buffer budget ({@link RmqServer.Builder#serverBufferBytes}) on a served queue: streams
 * that grant no credit reserve their session buffer, then what is left down to the floor; the next one is
 * refused with a typed {@link ServerBusyException} and nothing changes on the server; a stream that ends gives
 * its reservation back; shutdown gives back everything.
 */
@Timeout(180)
class ServerBufferBudgetServingTest {
    private static final long KIB = 1024;
    private static final long SESSION = 1024 * KIB;
    /** Two full session buffers and half of one: the third stream gets the half, the fourth nothing. */
    private static final long BUDGET = 2 * SESSION + 512 * KIB;
    private static final int MESSAGE = 64 * 1024;

    @TempDir
    Path dir;
    private RawClient raw;

    @AfterEach
    void stop() throws InterruptedException {
        if (raw != null) {
            raw.close();
        }
    }

    private RmqServer serve() {
        raw = RawClient.serving(dir, b -> b.sessionBufferBytes(SESSION).serverBufferBytes(BUDGET));
        RmqServer server = raw.server();
        RocksMq mq = server.queue();
        mq.createTopic("t");
        for (int i = 0; i < 100; i++) {
            mq.produce("t", List.of(ProducerMessage.of(new byte[MESSAGE])));
        }
        return server;
    }

    private static List<Long> reservations(RmqServer server) {
        List<Long> out = new ArrayList<>();
        for (SubscriptionSession s : server.queueService().sessions()) {
            out.add(s.reservedBytes());
        }
        out.sort(null);
        return out;
    }

    @Test
    void streamsReserveWithinTheBudgetThePastTheFloorOneIsRefusedAndAnEndedOneGivesItsShareBack() throws Exception {
        RmqServer server = serve();
        RocksMq mq = server.queue();
        ServerBufferBudget budget = server.queueService().budget();
        assertThat(budget.budget()).isEqualTo(BUDGET);
        assertThat(server.metrics().bufferBudgetBytes()).isEqualTo(BUDGET);

        List<ClientCall<SubscribeRequest, SubscribeResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(CreditlessSubscriber.open(raw, "s" + i));
        }
        assertThat(reservations(server)).containsExactly(512 * KIB, SESSION, SESSION);
        assertThat(budget.reserved()).isEqualTo(BUDGET);
        assertThat(server.metrics().bufferReservedBytes()).isEqualTo(BUDGET);
        // What each stream reads ahead stays within half its reservation (messages of 64 KiB fit it whole).
        for (SubscriptionSession s : server.queueService().sessions()) {
            awaitTrue("read ahead", () -> s.readAheadBytes() > 0);
            assertThat(s.readAheadBytes()).isLessThanOrEqualTo(s.reservedBytes() / 2);
        }

        // A subscription with a position, and none yet named "fresh": the refusals below change neither.
        mq.createConsumerGroup("t", "existing");
        mq.consume("t", "existing", 7);
        long existingPosition = mq.position("t", "existing");
        CreditlessSubscriber refused = new CreditlessSubscriber();
        refused.start(raw, "raw");
        assertThat(refused.ended.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.opened.getCount()).as("never opened").isOne();
        assertThat(refused.closed.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.trailers.get(io.rocksmq.remote.RemoteErrors.ERROR_KEY).getType())
                .isEqualTo("ServerBusyException");
        try (MqClient client = MqClient.open("rmq://127.0.0.1:" + server.port())) {
            assertThatThrownBy(() -> client.subscribe(ConsumerOptions.builder("t", "fresh")
                    .initialPosition(SubscriptionInitialPosition.EARLIEST).build()))
                    .isInstanceOf(ServerBusyException.class)
                    .hasMessageContaining("buffer budget is used up");
            assertThatThrownBy(() -> client.subscribe(ConsumerOptions.builder("t", "existing")
                    .initialPosition(SubscriptionInitialPosition.LATEST).build()))
                    .isInstanceOf(ServerBusyException.class);
            assertThat(mq.consumerGroups("t")).as("no group 'raw' or 'fresh'")
                    .containsExactlyInAnyOrder("s0", "s1", "s2", "existing");
            assertThat(mq.position("t", "existing")).isEqualTo(existingPosition);
            assertThat(budget.reserved()).isEqualTo(BUDGET);
            awaitTrue("the refused streams gone", () -> server.queueService().sessions().size() == 3);
            assertThat(server.metrics().openSubscriptions()).isEqualTo(3);

            // One stream ends: its megabyte comes back, and a new stream gets it.
            calls.get(0).cancel("done", null);
            awaitTrue("s0's reservation given back", () -> budget.reserved() == BUDGET - SESSION);
            try (Consumer c = client.subscribe(ConsumerOptions.builder("t", "fresh")
                    .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
                assertThat(budget.reserved()).isEqualTo(BUDGET);
                assertThat(reservations(server)).containsExactly(512 * KIB, SESSION, SESSION);
                Message m = c.receive(Duration.ofSeconds(30)).orElseThrow();
                assertThat(m.payload()).hasSize(MESSAGE);
            }
            awaitTrue("fresh's reservation given back", () -> budget.reserved() == BUDGET - SESSION);
        }
    }

    @Test
    void shutdownGivesBackEveryReservation() throws Exception {
        RmqServer server = serve();
        for (int i = 0; i < 3; i++) {
            CreditlessSubscriber.open(raw, "s" + i);
        }
        assertThat(server.metrics().bufferReservedBytes()).isEqualTo(BUDGET);
        server.close();
        assertThat(server.queueService().sessions()).isEmpty();
        assertThat(server.metrics().bufferReservedBytes()).isZero();
        assertThat(server.metrics().openSubscriptions()).isZero();
    }

    @Test
    void aBudgetBelowTheFloorIsRefusedBeforeServing() {
        assertThatThrownBy(() -> RmqServer.builder(dir).listen("127.0.0.1", 0).serverBufferBytes(32 * KIB).start())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("serverBufferBytes (32768) must be at least 65536");
        assertThatThrownBy(() -> RmqServer.builder(dir).serverBufferBytes(1023))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("serverBufferBytes must be at least 1024, was 1023");
        // With a session buffer below the floor, the session buffer is the least a stream needs.
        try (RmqServer server = RmqServer.builder(dir).listen("127.0.0.1", 0).sessionBufferBytes(4 * KIB)
                .serverBufferBytes(4 * KIB).start()) {
            assertThat(server.metrics().bufferBudgetBytes()).isEqualTo(4 * KIB);
        }
    }

    @Test
    void theDefaultBudgetIsAQuarterOfTheMaxHeap() {
        try (RmqServer server = RmqServer.builder(dir).listen("127.0.0.1", 0).start()) {
            assertThat(server.metrics().bufferBudgetBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
            assertThat(server.metrics().bufferReservedBytes()).isZero();
        }
    }
}
