package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.SubscriptionInUseException;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.api.TopicNotFoundException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.rocksmq.testkit.ContractFixture.bytes;
import static io.rocksmq.testkit.ContractFixture.numbered;
import static io.rocksmq.testkit.ContractFixture.sendNumbered;
import static io.rocksmq.testkit.ContractFixture.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Contract: topic administration, and what closing producers, consumers and the client does.
 *
 * <p>Not thread-safe: the default methods are JUnit tests run on a {@link MqClientContract} instance.
 */
public interface LifecycleContract extends ContractSupport {

    @Test
    default void topicsAreCreatedIdempotentlyAndListed() {
        ContractFixture f = fixture();
        String a = f.newTopic();
        String b = f.newTopic();
        f.client().createTopic(a);
        f.client().createTopic(a);
        try (Producer p = f.client().createProducer(b)) {
            assertThat(p.topic()).isEqualTo(b);
        }
        assertThat(f.client().listTopics()).contains(a, b);
        List<String> mine = new ArrayList<>(f.client().listTopics());
        mine.retainAll(List.of(a, b));
        assertThat(mine).containsExactly(a, b);
        assertThat(f.client().listSubscriptions(a)).isEmpty();
    }

    @Test
    default void closingAProducerKeepsTheTopicAndItsMessages() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        Producer p = f.client().createProducer(topic);
        sendNumbered(p, "m", 3);
        p.close();
        p.close();
        assertThat(f.client().listTopics()).contains(topic);
        try (Consumer c = f.subscribeEarliest(topic, "s")) {
            assertThat(texts(f.receive(c, 3))).containsExactly("m0", "m1", "m2");
        }
        assertThatThrownBy(() -> p.send(bytes("x"))).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(() -> p.sendAsync(ContractFixture.text("x"))).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(p::flush).isInstanceOf(QueueClosedException.class);
    }

    @Test
    default void closeAndFlushCompleteEveryAcceptedSend() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        ProducerOptions lingering = ProducerOptions.builder(topic).batchingMaxDelay(Duration.ofMillis(50)).build();
        try (Consumer c = f.subscribeEarliest(topic, "s")) {
            Producer p = f.client().createProducer(lingering);
            List<CompletableFuture<MessageId>> flushed = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                flushed.add(p.sendAsync(ContractFixture.text("f" + i)));
            }
            p.flush();
            assertThat(flushed).allSatisfy(fut -> assertThat(fut).isCompletedWithValueMatching(id -> id != null));
            List<CompletableFuture<MessageId>> closed = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                closed.add(p.sendAsync(ContractFixture.text("c" + i)));
            }
            p.close();
            assertThat(closed).allSatisfy(fut -> assertThat(fut).isCompletedWithValueMatching(id -> id != null));
            List<String> expected = new ArrayList<>(numbered("f", 0, 50));
            expected.addAll(numbered("c", 0, 50));
            assertThat(texts(f.receive(c, 100))).containsExactlyElementsOf(expected);
        }
    }

    @Test
    default void aClosedConsumerRefusesEveryCall() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        MessageId id;
        try (Producer p = f.client().createProducer(topic)) {
            id = p.send(bytes("m"));
        }
        Consumer c = f.subscribeEarliest(topic, "s");
        f.receiveOne(c);
        c.close();
        c.close();
        assertThat(c.topic()).isEqualTo(topic);
        assertThat(c.subscription()).isEqualTo("s");
        assertThatThrownBy(() -> c.receive(Duration.ZERO)).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(() -> c.poll(1, Duration.ZERO)).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(() -> c.ack(id)).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(() -> c.ackCumulative(id)).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(() -> c.seek(id, true)).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(() -> c.seekToTimestamp(0)).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(c::latestMessageId).isInstanceOf(QueueClosedException.class);
    }

    @Test
    default void closingTheClientClosesItsProducersAndConsumers() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        MqClient client = f.client();
        Producer p = client.createProducer(topic);
        Consumer c = f.subscribeEarliest(topic, "s");
        p.send(bytes("before close"));
        client.close();
        client.close();
        assertThatThrownBy(() -> p.send(bytes("x"))).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(() -> c.receive(Duration.ZERO)).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(() -> client.createProducer(topic)).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(() -> client.subscribe(ConsumerOptions.builder(topic, "s2").build()))
                .isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(() -> client.createTopic(topic)).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(() -> client.deleteTopic(topic)).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(client::listTopics).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(() -> client.listSubscriptions(topic)).isInstanceOf(QueueClosedException.class);
        assertThatThrownBy(() -> client.deleteSubscription(topic, "s")).isInstanceOf(QueueClosedException.class);

        MqClient reopened = f.restartClient();
        try (Consumer again = f.subscribeEarliest(topic, "s")) {
            assertThat(ContractFixture.text(f.receiveOne(again))).isEqualTo("before close");
        }
        assertThat(reopened.listTopics()).contains(topic);
    }

    @Test
    default void aListenerMayCloseItsConsumer() throws Exception {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        CountDownLatch closed = new CountDownLatch(1);
        List<String> got = new ArrayList<>();
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "m", 10);
            Consumer c = f.client().subscribe(ConsumerOptions.builder(topic, "s")
                    .initialPosition(SubscriptionInitialPosition.EARLIEST)
                    .messageListener((consumer, m) -> {
                        int n;
                        synchronized (got) {
                            got.add(ContractFixture.text(m));
                            n = got.size();
                        }
                        consumer.ack(m.id());
                        if (n == 3) {
                            consumer.close();
                            closed.countDown();
                        }
                    }).build());
            assertThat(closed.await(f.traits().deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThatThrownBy(() -> c.ack(MessageId.of(0, 0))).isInstanceOf(QueueClosedException.class);
        }
        synchronized (got) {
            assertThat(got).containsExactly("m0", "m1", "m2");
        }
        try (Consumer next = f.subscribeEarliest(topic, "s")) {
            assertThat(ContractFixture.text(f.receiveOne(next))).isEqualTo("m3");
        }
    }

    @Test
    default void aSubscriptionHasOneConsumerAtATime() {
        ContractFixture f = fixture();
        assumeTrue(f.traits().exclusiveSubscriptions(), "backend trait: exclusiveSubscriptions");
        String topic = f.newTopic();
        Consumer first = f.subscribeEarliest(topic, "s");
        assertThatThrownBy(() -> f.subscribeEarliest(topic, "s")).isInstanceOf(SubscriptionInUseException.class);
        try (Consumer other = f.subscribeEarliest(topic, "other")) {
            assertThat(other.subscription()).isEqualTo("other");
        }
        first.close();
        try (Consumer second = f.subscribeEarliest(topic, "s")) {
            assertThat(second.subscription()).isEqualTo("s");
        }
    }

    @Test
    default void deletingATopicRemovesItsMessagesAndSubscriptions() {
        ContractFixture f = fixture();
        assumeTrue(f.traits().immediateTopicDeletion(), "backend trait: immediateTopicDeletion");
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "m", 5);
        }
        f.subscribeEarliest(topic, "s").close();
        f.client().deleteTopic(topic);
        assertThat(f.client().listTopics()).doesNotContain(topic);
        assertThatThrownBy(() -> f.client().listSubscriptions(topic)).isInstanceOf(TopicNotFoundException.class);
        assertThatThrownBy(() -> f.client().deleteTopic(topic)).isInstanceOf(TopicNotFoundException.class);
        f.client().createTopic(topic);
        assertThat(f.client().listSubscriptions(topic)).isEmpty();
        try (Consumer c = f.subscribeEarliest(topic, "s")) {
            f.assertNothingDelivered(c);
        }
    }

    @Test
    default void deletingATopicFailsItsOpenConsumer() {
        ContractFixture f = fixture();
        assumeTrue(f.traits().immediateTopicDeletion(), "backend trait: immediateTopicDeletion");
        String topic = f.newTopic();
        try (Consumer c = f.subscribeEarliest(topic, "s")) {
            f.client().deleteTopic(topic);
            long deadline = System.nanoTime() + f.traits().deliveryTimeout().toNanos();
            Throwable thrown = null;
            while (thrown == null && System.nanoTime() < deadline) {
                try {
                    Optional<?> m = c.receive(f.traits().quietPeriod());
                    assertThat(m).isEmpty();
                } catch (TopicNotFoundException e) {
                    thrown = e;
                }
            }
            assertThat(thrown).as("receive after deleteTopic").isInstanceOf(TopicNotFoundException.class);
        }
    }
}
