package io.rocksmq.server;

import io.grpc.StatusRuntimeException;
import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.SharedSubscription;
import io.rocksmq.remote.PermissionDeniedException;
import io.rocksmq.remote.SharedQueueGrpc;
import io.rocksmq.remote.proto.AcquireRequest;
import io.rocksmq.remote.proto.AnswerRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SharedQueue service beyond the contract suite: permissions (consume on the topic, produce on a
 * dead-letter topic), a close that ends a waiting remote poll, receipts checked by the server whoever sends
 * them, and requests the client API never sends.
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
