package io.rocksmq.server;

import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.SharedSubscription;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.SharedGroup;
import io.rocksmq.core.SharedGroupOptions;
import io.rocksmq.remote.PermissionDeniedException;
import io.rocksmq.remote.RemoteErrors;
import io.rocksmq.remote.ServerBusyException;
import io.rocksmq.remote.SharedQueueGrpc;
import io.rocksmq.remote.proto.AcquireRequest;
import io.rocksmq.remote.proto.AcquireResponse;
import io.rocksmq.remote.proto.AnswerRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.rocksmq.server.Conditions.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The SharedQueue service beyond the contract suite: permissions (consume on the topic, produce on a
 * dead-letter topic), a close that ends a waiting remote poll, receipts checked by the server whoever sends
 * them, requests the client API never sends, the limit on waiting acquires (a typed refusal the client's
 * poll retries; an acquire that finds messages ready needs no place), and timeouts beyond 2^63 ms.
 */
@Timeout(120)
class SharedQueueServiceTest {
    @TempDir
    Path dir;

    @Test
    void sharedSubscriptionsNeedConsumeOnTheTopicAndProduceOnTheDeadLetterTopic() throws Exception {
        Path tokens = dir.resolve("tokens");
        String producer = TokenStore.create(tokens, "shop", List.of(new TokenStore.Grant(Permission.PRODUCE, "jobs")));
        String worker = TokenStore.create(tokens, "worker", List.of(new TokenStore.Grant(Permission.CONSUME, "jobs")));
        try (RmqServer server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0)
                .tokens(TokenStore.load(tokens)).start()) {
            String base = "rmq://127.0.0.1:" + server.port() + "?token=";
            try (MqClient shop = MqClient.open(base + producer);
                 MqClient workers = MqClient.open(base + worker)) {
                try (Producer p = shop.createProducer("jobs")) {
                    p.send("j1");
                }
                assertThatThrownBy(() -> shop.subscribe(ConsumerOptions.builder("jobs", "w")
                        .shared(SharedSubscription.DEFAULTS).build())).isInstanceOf(PermissionDeniedException.class);
                assertThatThrownBy(() -> workers.subscribe(ConsumerOptions.builder("jobs", "w")
                        .shared(SharedSubscription.DEFAULTS.withDeadLetterTopic("jobs-dlq")).build()))
                        .isInstanceOf(PermissionDeniedException.class);
                assertThat(server.queue().consumerGroups("jobs")).isEmpty();
                assertThat(server.queue().topics()).containsExactly("jobs");

                try (Consumer c = workers.subscribe(ConsumerOptions.builder("jobs", "w")
                        .shared(SharedSubscription.DEFAULTS).build())) {
                    Message m = c.receive(Duration.ofSeconds(20)).orElseThrow();
                    assertThat(m.text()).isEqualTo("j1");
                    c.ack(m.id());
                }
                assertThat(server.queue().sharedGroup("jobs", "w").stats().ackFloor()).isEqualTo(1);
            }
        }
    }

    @Test
    void closeEndsAWaitingRemotePoll() throws Exception {
        try (RmqServer server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0).start();
             MqClient client = MqClient.open("rmq://127.0.0.1:" + server.port())) {
            Consumer c = client.subscribe(ConsumerOptions.builder("idle", "w").shared(SharedSubscription.DEFAULTS).build());
            CompletableFuture<Object> poll = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.poll(1, Duration.ofSeconds(90));
                } catch (QueueClosedException e) {
                    return e;
                }
            });
            Thread.sleep(300); // let it wait on the server (it also ends if close comes first)
            c.close();
            // Bounded well below the poll's 90 s: a poll that went on waiting after close fails here.
            Object outcome = poll.get(30, TimeUnit.SECONDS);
            assertThat(outcome).satisfiesAnyOf(o -> assertThat(o).isInstanceOf(QueueClosedException.class),
                    o -> assertThat(o).isEqualTo(List.of()));
        }
    }

    @Test
    void theServerJudgesReceiptsAndRefusesRequestsTheClientNeverSends() throws Exception {
        try (RmqServer server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0).start();
             MqClient client = MqClient.open("rmq://127.0.0.1:" + server.port());
             RawClient raw = new RawClient(server)) {
            try (Producer p = client.createProducer("jobs");
                 Consumer c = client.subscribe(ConsumerOptions.builder("jobs", "w").shared(SharedSubscription.DEFAULTS)
                         .build())) {
                p.send("j1");
                Message m = c.receive(Duration.ofSeconds(20)).orElseThrow();
                // Another party naming an older attempt of the same message is refused; the holder's receipt stands.
                assertThatThrownBy(() -> raw.call(SharedQueueGrpc.ANSWER, AnswerRequest.newBuilder().setTopic("jobs")
                        .setSubscription("w").setOffset(m.id().offset()).setAttempt(m.deliveryCount() - 1)
                        .setOutcome(AnswerRequest.Outcome.ACK).build()))
                        .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("FAILED_PRECONDITION");
                assertThatThrownBy(() -> raw.call(SharedQueueGrpc.ACQUIRE, AcquireRequest.newBuilder().setTopic("jobs")
                        .setSubscription("w").setMax(0).build()))
                        .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("INVALID_ARGUMENT");
                assertThatThrownBy(() -> raw.call(SharedQueueGrpc.ANSWER, AnswerRequest.newBuilder().setTopic("jobs")
                        .setSubscription("w").setOffset(m.id().offset()).setAttempt(m.deliveryCount())
                        .setOutcome(AnswerRequest.Outcome.RELEASE).setDelayMillis(-5).build()))
                        .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("INVALID_ARGUMENT");
                assertThatThrownBy(() -> raw.call(SharedQueueGrpc.ACQUIRE, AcquireRequest.newBuilder().setTopic("jobs")
                        .setSubscription("nobody").setMax(1).build()))
                        .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("NOT_FOUND");
                c.ack(m.id());
            }
            assertThat(server.queue().sharedGroup("jobs", "w").stats().ackFloor()).isEqualTo(1);
        }
    }

    /**
     * A raw waiting acquire of one delivery, answered later; {@code timeoutMillis} is the wire's uint64 (-1 is
     * 2^64-1). The call's own deadline is 3 minutes, longer than any server here waits (at most 60 s).
     */
    private static Future<AcquireResponse> waitingAcquire(RawClient raw, String topic, String subscription,
                                                                    long timeoutMillis) {
        return ClientCalls.futureUnaryCall(raw.channel.newCall(SharedQueueGrpc.ACQUIRE,
                        CallOptions.DEFAULT.withDeadlineAfter(3, TimeUnit.MINUTES)),
                AcquireRequest.newBuilder().setTopic(topic).setSubscription(subscription).setMax(1)
                        .setTimeoutMillis(timeoutMillis).build());
    }

    /** Creates topic "jobs" and its shared subscription "w" (default settings) on the server's queue. */
    private static SharedGroup jobsGroup(RmqServer server) {
        server.queue().createTopic("jobs");
        server.queue().createSharedGroup("jobs", "w", SharedGroupOptions.DEFAULTS);
        return server.queue().sharedGroup("jobs", "w");
    }

    @Test
    void aWaitingAcquireBeyondTheLimitIsRefusedAsBusyHavingChangedNothing() throws Exception {
        try (RawClient raw = RawClient.serving(dir, b -> b.sharedAcquireLimits(2, Duration.ofSeconds(60)))) {
            RmqServer server = raw.server();
            SharedQueueService shared = server.sharedQueueService();
            SharedGroup group = jobsGroup(server);

            Future<AcquireResponse> first = waitingAcquire(raw, "jobs", "w", 60_000);
            Future<AcquireResponse> second = waitingAcquire(raw, "jobs", "w", 60_000);
            awaitTrue("two acquires waiting", () -> shared.waitingAcquires() == 2);

            ExecutionException refused = catchThrowableOfType(ExecutionException.class,
                    () -> waitingAcquire(raw, "jobs", "w", 60_000).get(60, TimeUnit.SECONDS));
            assertThat(Status.fromThrowable(refused.getCause()).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(Status.trailersFromThrowable(refused.getCause()).get(RemoteErrors.ERROR_KEY).getType())
                    .isEqualTo("ServerBusyException");
            assertThat(RemoteErrors.fromStatus(refused.getCause())).isInstanceOf(ServerBusyException.class)
                    .hasMessageContaining("2 shared acquires are already waiting");
            assertThat(shared.refusedAcquires()).isEqualTo(1);
            assertThat(shared.waitingAcquires()).isEqualTo(2);
            assertThat(group.stats().acquired()).isZero();
            assertThat(group.stats().inFlight()).isZero();
            // An acquire that does not wait takes no place among the waiting ones: answered (empty), not refused.
            assertThat(raw.call(SharedQueueGrpc.ACQUIRE, AcquireRequest.newBuilder().setTopic("jobs").setSubscription("w")
                    .setMax(1).setTimeoutMillis(0).build()).getDeliveriesCount()).isZero();
            assertThat(shared.refusedAcquires()).isEqualTo(1);

            // The two waiting ones are still served, one message each, and give their places back.
            server.queue().produce("jobs", List.of(ProducerMessage.of("m1".getBytes(StandardCharsets.UTF_8)),
                    ProducerMessage.of("m2".getBytes(StandardCharsets.UTF_8))));
            assertThat(first.get(60, TimeUnit.SECONDS).getDeliveriesCount()).isEqualTo(1);
            assertThat(second.get(60, TimeUnit.SECONDS).getDeliveriesCount()).isEqualTo(1);
            awaitTrue("no acquire waiting", () -> shared.waitingAcquires() == 0);
            server.queue().produce("jobs", List.of(ProducerMessage.of("m3".getBytes(StandardCharsets.UTF_8))));
            assertThat(waitingAcquire(raw, "jobs", "w", 60_000).get(60, TimeUnit.SECONDS).getDeliveriesCount())
                    .isEqualTo(1);
            assertThat(group.stats().acquired()).isEqualTo(3);
            assertThat(shared.refusedAcquires()).isEqualTo(1);
        }
    }

    @Test
    void anAcquireThatFindsMessagesReadyIsAnsweredWithThemWhenEveryWaitingPlaceIsTaken() throws Exception {
        try (RawClient raw = RawClient.serving(dir, b -> b.sharedAcquireLimits(1, Duration.ofSeconds(60)))) {
            RmqServer server = raw.server();
            SharedQueueService shared = server.sharedQueueService();
            for (String topic : List.of("idle", "jobs")) {
                server.queue().createTopic(topic);
                server.queue().createSharedGroup(topic, "w", SharedGroupOptions.DEFAULTS);
            }
            // The server's one waiting place: an acquire on a subscription nothing is produced to (until the end).
            Future<AcquireResponse> blocker = waitingAcquire(raw, "idle", "w", 60_000);
            awaitTrue("the blocker waiting", () -> shared.waitingAcquires() == 1);

            server.queue().produce("jobs", List.of(ProducerMessage.of("m1".getBytes(StandardCharsets.UTF_8)),
                    ProducerMessage.of("m2".getBytes(StandardCharsets.UTF_8))));
            // Each may wait (60 s; the largest timeout), but finds a message ready: answered with it, not refused.
            for (long timeout : new long[] {60_000, -1L}) {
                assertThat(waitingAcquire(raw, "jobs", "w", timeout).get(60, TimeUnit.SECONDS).getDeliveriesCount())
                        .as("timeout_millis " + Long.toUnsignedString(timeout)).isEqualTo(1);
            }
            assertThat(shared.refusedAcquires()).isZero();
            assertThat(shared.waitingAcquires()).as("the blocker only").isEqualTo(1);
            assertThat(server.queue().sharedGroup("jobs", "w").stats().acquired()).isEqualTo(2);

            // Nothing ready any more: one that would wait needs the place, and is refused as before.
            ExecutionException refused = catchThrowableOfType(ExecutionException.class,
                    () -> waitingAcquire(raw, "jobs", "w", 60_000).get(60, TimeUnit.SECONDS));
            assertThat(RemoteErrors.fromStatus(refused.getCause())).isInstanceOf(ServerBusyException.class);
            assertThat(shared.refusedAcquires()).isEqualTo(1);

            server.queue().produce("idle", List.of(ProducerMessage.of("i1".getBytes(StandardCharsets.UTF_8))));
            assertThat(blocker.get(60, TimeUnit.SECONDS).getDeliveriesCount()).isEqualTo(1);
        }
    }

    @Test
    void anAcquireWithTheLargestTimeoutWaitsAsLongAsTheServerAllowsAndGetsWhatIsProducedMeanwhile() throws Exception {
        try (RawClient raw = RawClient.serving(dir, b -> b.sharedAcquireLimits(2, Duration.ofSeconds(60)))) {
            RmqServer server = raw.server();
            SharedQueueService shared = server.sharedQueueService();
            SharedGroup group = jobsGroup(server);

            // 2^64-1 ms on the wire, which Java reads as -1: "as long as the server allows", here 60 s.
            Future<AcquireResponse> acquire = waitingAcquire(raw, "jobs", "w", -1L);
            awaitTrue("the acquire waiting", () -> shared.waitingAcquires() == 1);
            server.queue().produce("jobs", List.of(ProducerMessage.of("m1".getBytes(StandardCharsets.UTF_8))));
            assertThat(acquire.get(60, TimeUnit.SECONDS).getDeliveriesList())
                    .extracting(d -> d.getMessage().getPayload().toStringUtf8()).containsExactly("m1");

            // Nothing else changed: no refusal, the place given back, one delivery locked.
            awaitTrue("no acquire waiting", () -> shared.waitingAcquires() == 0);
            assertThat(shared.refusedAcquires()).isZero();
            assertThat(group.stats().acquired()).isEqualTo(1);
            assertThat(group.stats().inFlight()).isEqualTo(1);
        }
    }

    @Test
    void anAcquireWithATimeoutBeyondTwoToTheSixtyThreeOnAnEmptySubscriptionEndsEmptyAtTheServersLimit()
            throws Exception {
        try (RawClient raw = RawClient.serving(dir, b -> b.sharedAcquireLimits(2, Duration.ofMillis(50)))) {
            RmqServer server = raw.server();
            jobsGroup(server);
            // 2^63 and 2^64-1 ms on the wire: each waits the server's 50 ms and answers, empty, not an error.
            for (long timeout : new long[] {Long.MIN_VALUE, -1L}) {
                assertThat(waitingAcquire(raw, "jobs", "w", timeout).get(60, TimeUnit.SECONDS).getDeliveriesCount())
                        .as("timeout_millis " + Long.toUnsignedString(timeout)).isZero();
            }
            assertThat(server.sharedQueueService().refusedAcquires()).isZero();
            assertThat(server.queue().sharedGroup("jobs", "w").stats().acquired()).isZero();
        }
    }

    @Test
    void aSharedConsumersPollRetriesRefusedAcquiresAndReceivesWhatIsProducedMeanwhile() throws Exception {
        try (RawClient raw = RawClient.serving(dir, b -> b.sharedAcquireLimits(1, Duration.ofSeconds(60)));
             MqClient client = MqClient.open("rmq://127.0.0.1:" + raw.server().port())) {
            RmqServer server = raw.server();
            SharedQueueService shared = server.sharedQueueService();
            // Another subscription's acquire takes the server's one waiting place.
            server.queue().createTopic("other");
            server.queue().createSharedGroup("other", "idle", SharedGroupOptions.DEFAULTS);
            Future<AcquireResponse> blocker = waitingAcquire(raw, "other", "idle", 60_000);
            awaitTrue("the blocker waiting", () -> shared.waitingAcquires() == 1);

            try (Consumer c = client.subscribe(ConsumerOptions.builder("jobs", "w").shared(SharedSubscription.DEFAULTS)
                    .build())) {
                CompletableFuture<List<Message>> poll = CompletableFuture.supplyAsync(
                        () -> c.poll(1, Duration.ofSeconds(90)));
                awaitTrue("the poll refused, and asking again", () -> shared.refusedAcquires() >= 2);
                try (Producer p = client.createProducer("jobs")) {
                    p.send("j1");
                }
                // The place frees up: the poll's next try waits, or finds j1 at once.
                server.queue().produce("other", List.of(ProducerMessage.of("o1".getBytes(StandardCharsets.UTF_8))));
                assertThat(blocker.get(60, TimeUnit.SECONDS).getDeliveriesCount()).isEqualTo(1);
                List<Message> got = poll.get(60, TimeUnit.SECONDS);
                assertThat(got).extracting(Message::text).containsExactly("j1");
                c.ack(got.get(0).id());
            }
            assertThat(server.queue().sharedGroup("jobs", "w").stats().acked()).isEqualTo(1);
        }
    }

    @Test
    void backToBackWaitingPollsOnAOnePlaceServerAllSucceed() throws Exception {
        // Each poll's acquire gives its place back before answering, but its pool thread goes back to the pool
        // only after: the next acquire finds the place free and may find no idle thread, and then the pool
        // must start another thread, never fail the call.
        int messages = 300;
        try (RawClient raw = RawClient.serving(dir, b -> b.sharedAcquireLimits(1, Duration.ofSeconds(60)));
             MqClient client = MqClient.open("rmq://127.0.0.1:" + raw.server().port())) {
            RmqServer server = raw.server();
            server.queue().createTopic("jobs");
            for (int i = 0; i < messages; i++) {
                server.queue().produce("jobs", List.of(ProducerMessage.of(("j" + i).getBytes(StandardCharsets.UTF_8))));
            }
            try (Consumer c = client.subscribe(ConsumerOptions.builder("jobs", "w").shared(SharedSubscription.DEFAULTS)
                    .build())) {
                for (int i = 0; i < messages; i++) {
                    List<Message> got = c.poll(1, Duration.ofSeconds(30));
                    assertThat(got).as("poll " + i).extracting(Message::text).containsExactly("j" + i);
                    c.ack(got.get(0).id());
                }
            }
            assertThat(server.queue().sharedGroup("jobs", "w").stats().acked()).isEqualTo(messages);
            assertThat(server.sharedQueueService().refusedAcquires()).as("the place was free each time").isZero();
        }
    }

    @Test
    void anAnswerToADeletedSubscriptionsDeliveryIsRefusedByTheOneCreatedAgainUnderItsName() throws Exception {
        try (RmqServer server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0).start();
             MqClient client = MqClient.open("rmq://127.0.0.1:" + server.port())) {
            try (Producer p = client.createProducer("jobs")) {
                p.send("m0");
            }
            ConsumerOptions options = ConsumerOptions.builder("jobs", "workers").shared(SharedSubscription.DEFAULTS).build();
            try (Consumer old = client.subscribe(options)) {
                Message first = old.receive(Duration.ofSeconds(20)).orElseThrow();
                server.queue().destroyConsumerGroup("jobs", "workers");
                try (Consumer fresh = client.subscribe(options)) { // a new subscription: from the topic's start
                    Message again = fresh.receive(Duration.ofSeconds(20)).orElseThrow();
                    assertThat(again.id()).isEqualTo(first.id());
                    assertThat(again.deliveryCount()).isEqualTo(first.deliveryCount()); // the same offset and attempt

                    // The old consumer's answers name the deleted subscription's delivery: refused, nothing changed.
                    assertThatThrownBy(() -> old.renew(first)).isInstanceOf(DeliveryNotFoundException.class);
                    assertThatThrownBy(() -> old.ack(first.id())).isInstanceOf(DeliveryNotFoundException.class);
                    assertThat(server.queue().sharedGroup("jobs", "workers").stats().acked()).isZero();
                    fresh.ack(again.id()); // still the new subscription's delivery to finish
                    assertThat(server.queue().sharedGroup("jobs", "workers").stats().acked()).isEqualTo(1);
                }
            }
        }
    }
}
