package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.Message;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SharedSubscription;
import io.rocksmq.api.StaleDeliveryException;
import io.rocksmq.api.SubscriptionInfo;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.api.SubscriptionType;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.api.WrongGroupTypeException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.rocksmq.testkit.ContractFixture.numbered;
import static io.rocksmq.testkit.ContractFixture.sendNumbered;
import static io.rocksmq.testkit.ContractFixture.text;
import static io.rocksmq.testkit.ContractFixture.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Contract: {@link SubscriptionType#SHARED} subscriptions (work queues): many consumers, each message to
 * one of them, per-message ack, release, reject with a dead-letter topic, delivery counts, lock expiry,
 * a throwing listener releases. Skipped, naming the trait, on a backend without
 * {@link BackendTraits#sharedSubscriptions()}.
 *
 * <p>Not thread-safe: the default methods are JUnit tests run on a {@link MqClientContract} instance.
 */
public interface SharedSubscriptionContract extends ContractSupport {

    private static Consumer shared(ContractFixture f, String topic, String subscription, SharedSubscription s) {
        assumeTrue(f.traits().sharedSubscriptions(), "backend trait: sharedSubscriptions");
        return f.client().subscribe(ConsumerOptions.builder(topic, subscription).shared(s).build());
    }

    @Test
    default void sharedConsumersEachGetDifferentMessagesAndAcksAreFinal() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer a = shared(f, topic, "s", SharedSubscription.DEFAULTS);
             Consumer b = shared(f, topic, "s", SharedSubscription.DEFAULTS)) {
            assertThat(a.subscriptionType()).isEqualTo(SubscriptionType.SHARED);
            sendNumbered(p, "m", 10);
            // Both consumers take turns, each answering what it got (a backend may lock a batch to one
            // consumer until it is answered: Kafka does), until all ten came.
            List<Message> got = new ArrayList<>();
            long deadline = System.nanoTime() + f.traits().deliveryTimeout().toNanos();
            Consumer[] both = {a, b};
            for (int turn = 0; got.size() < 10 && System.nanoTime() < deadline; turn++) {
                Consumer c = both[turn % 2];
                Consumer other = both[(turn + 1) % 2];
                for (Message m : c.poll(4, Duration.ofMillis(200))) {
                    got.add(m);
                    assertThatThrownBy(() -> other.ack(m.id())).isInstanceOf(DeliveryNotFoundException.class);
                    c.ack(m.id());
                }
            }
            assertThat(texts(got)).containsExactlyInAnyOrderElementsOf(numbered("m", 0, 10));
            f.assertNothingDelivered(a);
            f.assertNothingDelivered(b);
            if (f.traits().sharedWithoutReadAhead()) { // with read-ahead, a fetch given back unseen counts too
                assertThat(got).allSatisfy(m -> assertThat(m.deliveryCount()).isEqualTo(1));
            }
        }
    }

    @Test
    default void withoutReadAheadWhatOneConsumerDidNotTakeGoesToAnother() {
        ContractFixture f = fixture();
        assumeTrue(f.traits().sharedWithoutReadAhead(), "backend trait: sharedWithoutReadAhead");
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer a = shared(f, topic, "s", SharedSubscription.DEFAULTS);
             Consumer b = shared(f, topic, "s", SharedSubscription.DEFAULTS)) {
            sendNumbered(p, "m", 10);
            List<Message> got = new ArrayList<>(a.poll(4, f.traits().deliveryTimeout()));
            got.addAll(f.receive(b, 10 - got.size()));
            assertThat(texts(got)).containsExactlyInAnyOrderElementsOf(numbered("m", 0, 10));
            assertThat(got).allSatisfy(m -> assertThat(m.deliveryCount()).isEqualTo(1));
        }
    }

    @Test
    default void aReleasedMessageComesAgainWithItsDeliveryCount() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = shared(f, topic, "s", SharedSubscription.DEFAULTS)) {
            sendNumbered(p, "m", 1);
            Message first = f.receiveOne(c);
            c.release(first, Duration.ZERO);
            Message again = f.receiveOne(c);
            assertThat(text(again)).isEqualTo("m0");
            assertThat(again.deliveryCount()).isEqualTo(2);
            c.ack(again.id());
            f.assertNothingDelivered(c);
        }
    }

    @Test
    default void aMessageRejectedOrPastMaxDeliveriesGoesToTheDeadLetterTopicOnce() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        String dlq = f.newTopic();
        f.client().createTopic(dlq);
        SharedSubscription settings = SharedSubscription.DEFAULTS.withMaxDeliveries(2).withDeadLetterTopic(dlq);
        try (Producer p = f.client().createProducer(topic);
             Consumer c = shared(f, topic, "s", settings);
             Consumer dead = f.subscribeEarliest(dlq, "ops")) {
            sendNumbered(p, "m", 2);
            List<Message> got = f.receive(c, 2);
            Message poison = text(got.get(0)).equals("m0") ? got.get(0) : got.get(1);
            Message other = poison == got.get(0) ? got.get(1) : got.get(0);
            c.reject(other);
            c.release(poison, Duration.ZERO);
            c.release(f.receiveOne(c), Duration.ZERO); // the 2nd delivery was the last allowed one
            List<Message> letters = f.receive(dead, 2);
            assertThat(texts(letters)).containsExactlyInAnyOrder("m0", "m1");
            assertThat(letters.get(0).properties()).containsKey("rmq.dead-letter.id");
            f.assertNothingDelivered(c);
            f.assertNothingDelivered(dead);
        }
    }

    @Test
    default void aLockThatExpiresHandsTheMessageToAnotherConsumer() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        Duration lock = Duration.ofMillis(Math.max(300, f.traits().minLockDuration().toMillis()));
        SharedSubscription settings = SharedSubscription.DEFAULTS.withLockDuration(lock);
        try (Producer p = f.client().createProducer(topic);
             Consumer stalled = shared(f, topic, "s", settings);
             Consumer other = shared(f, topic, "s", settings)) {
            sendNumbered(p, "m", 1);
            Message m = f.receiveOne(stalled);
            Message again = f.receiveOne(other); // after the lock expired
            assertThat(again.id()).isEqualTo(m.id());
            assertThat(again.deliveryCount()).isEqualTo(2);
            assertThatThrownBy(() -> stalled.ack(m.id())).isInstanceOf(StaleDeliveryException.class);
            other.ack(again.id());
            f.assertNothingDelivered(stalled);
        }
    }

    @Test
    default void aListenerThatThrowsReleasesItsMessage() throws Exception {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        AtomicBoolean failedOnce = new AtomicBoolean();
        Set<Integer> counts = ConcurrentHashMap.newKeySet();
        CountDownLatch handled = new CountDownLatch(1);
        assumeTrue(f.traits().sharedSubscriptions(), "backend trait: sharedSubscriptions");
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.client().subscribe(ConsumerOptions.builder(topic, "s").shared(SharedSubscription.DEFAULTS)
                     .autoAck(true)
                     .messageListener((consumer, m) -> {
                         counts.add(m.deliveryCount());
                         if (failedOnce.compareAndSet(false, true)) {
                             throw new IllegalStateException("first delivery fails (expected in this test)");
                         }
                         handled.countDown();
                     }).build())) {
            sendNumbered(p, "m", 1);
            assertThat(handled.await(f.traits().deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(counts).containsExactlyInAnyOrder(1, 2); // released at once, not after the 30 s lock
        }
    }

    @Test
    default void aDeletedSharedSubscriptionIsUnlistedAndFailsItsConsumerWithConsumerGroupNotFound() {
        ContractFixture f = fixture();
        assumeTrue(f.traits().sharedSubscriptionAdmin(), "backend trait: sharedSubscriptionAdmin");
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = shared(f, topic, "s", SharedSubscription.DEFAULTS)) {
            sendNumbered(p, "m", 2);
            Message held = c.poll(1, f.traits().deliveryTimeout()).get(0);
            assertThat(f.client().listSubscriptions(topic)).extracting(SubscriptionInfo::name).contains("s");
            f.client().deleteSubscription(topic, "s");
            assertThat(f.client().listSubscriptions(topic)).extracting(SubscriptionInfo::name).doesNotContain("s");
            assertThatThrownBy(() -> c.ack(held.id())).isInstanceOf(ConsumerGroupNotFoundException.class);
            assertThatThrownBy(() -> c.poll(1, Duration.ofMillis(100))).isInstanceOf(ConsumerGroupNotFoundException.class);
        }
    }

    @Test
    default void aSharedConsumerOfADeletedTopicFailsWithTopicNotFound() {
        ContractFixture f = fixture();
        assumeTrue(f.traits().sharedSubscriptionAdmin(), "backend trait: sharedSubscriptionAdmin");
        assumeTrue(f.traits().immediateTopicDeletion(), "backend trait: immediateTopicDeletion");
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = shared(f, topic, "s", SharedSubscription.DEFAULTS)) {
            sendNumbered(p, "m", 2);
            Message held = c.poll(1, f.traits().deliveryTimeout()).get(0);
            f.client().deleteTopic(topic);
            assertThatThrownBy(() -> c.ack(held.id())).isInstanceOf(TopicNotFoundException.class);
            assertThatThrownBy(() -> c.poll(1, Duration.ofMillis(100))).isInstanceOf(TopicNotFoundException.class);
        }
    }

    @Test
    default void streamOperationsAreRefusedOnASharedSubscriptionAndTypesDoNotMix() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Consumer c = shared(f, topic, "s", SharedSubscription.DEFAULTS)) {
            assertThatThrownBy(() -> c.seekToEarliest()).isInstanceOf(WrongGroupTypeException.class);
            assertThatThrownBy(() -> f.subscribe(topic, "s", SubscriptionInitialPosition.EARLIEST))
                    .isInstanceOf(WrongGroupTypeException.class);
        }
        try (Consumer e = f.subscribeEarliest(topic, "x")) {
            assertThatThrownBy(() -> e.reject(null)).isInstanceOf(WrongGroupTypeException.class);
        }
    }
}
