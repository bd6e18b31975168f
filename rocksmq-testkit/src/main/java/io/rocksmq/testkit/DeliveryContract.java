package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.rocksmq.testkit.ContractFixture.bytes;
import static io.rocksmq.testkit.ContractFixture.ids;
import static io.rocksmq.testkit.ContractFixture.numbered;
import static io.rocksmq.testkit.ContractFixture.sendNumbered;
import static io.rocksmq.testkit.ContractFixture.text;
import static io.rocksmq.testkit.ContractFixture.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Contract: ordering, initial positions, independent subscriptions, payloads, properties, keys, push delivery.
 *
 * <p>Not thread-safe: the default methods are JUnit tests run on a {@link MqClientContract} instance.
 */
public interface DeliveryContract extends ContractSupport {

    @Test
    default void deliversEveryMessageInSendOrder() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            List<MessageId> sent = sendNumbered(p, "m", 200);
            List<Message> got = f.receive(c, 200);
            assertThat(texts(got)).containsExactlyElementsOf(numbered("m", 0, 200));
            assertThat(ids(got)).containsExactlyElementsOf(sent).isSorted().doesNotHaveDuplicates();
            assertThat(got).allSatisfy(m -> assertThat(m.topic()).isEqualTo(topic));
            f.assertNothingDelivered(c);
        }
    }

    @Test
    default void asyncSendsFromOneThreadAreStoredInSendOrder() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            List<CompletableFuture<MessageId>> futures = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                futures.add(p.sendAsync(ContractFixture.text("a" + i)));
            }
            p.flush();
            List<MessageId> sent = new ArrayList<>();
            for (CompletableFuture<MessageId> fut : futures) {
                assertThat(fut).isDone();
                sent.add(fut.join());
            }
            assertThat(sent).isSorted().doesNotHaveDuplicates();
            List<Message> got = f.receive(c, 500);
            assertThat(ids(got)).containsExactlyElementsOf(sent);
            assertThat(texts(got)).containsExactlyElementsOf(numbered("a", 0, 500));
        }
    }

    @Test
    default void pollReturnsBoundedBatchesInOrder() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            sendNumbered(p, "m", 50);
            List<Message> got = new ArrayList<>();
            while (got.size() < 50) {
                List<Message> batch = c.poll(7, f.traits().deliveryTimeout());
                assertThat(batch).isNotEmpty().hasSizeLessThanOrEqualTo(7);
                got.addAll(batch);
            }
            assertThat(texts(got)).containsExactlyElementsOf(numbered("m", 0, 50));
            assertThat(c.poll(10, f.traits().quietPeriod())).isEmpty();
        }
    }

    @Test
    default void aWaitingReceiveIsWokenBySend() throws Exception {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            CountDownLatch started = new CountDownLatch(1);
            // The receive may wait far longer than the test does: only a wake-up by the send ends it in time.
            Future<Optional<Message>> waiting = pool.submit(() -> {
                started.countDown();
                return c.receive(Duration.ofMinutes(10));
            });
            started.await();
            MessageId id = p.send(bytes("wake"));
            Optional<Message> got = waiting.get(f.traits().deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS);
            assertThat(got).get().extracting(Message::id).isEqualTo(id);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    default void subscriptionsAreIndependent() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer a = f.subscribeEarliest(topic, "a");
             Consumer b = f.subscribeEarliest(topic, "b")) {
            sendNumbered(p, "m", 20);
            List<Message> gotA = f.receive(a, 20);
            a.ackCumulative(gotA.get(19).id());
            List<Message> gotB = f.receive(b, 20);
            assertThat(texts(gotA)).containsExactlyElementsOf(numbered("m", 0, 20));
            assertThat(texts(gotB)).containsExactlyElementsOf(texts(gotA));
            assertThat(f.lag(topic, "a")).isZero();
            assertThat(f.lag(topic, "b")).isEqualTo(20);
        }
    }

    @Test
    default void earliestStartsAtTheOldestMessage() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "old", 5);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                assertThat(texts(f.receive(c, 5))).containsExactlyElementsOf(numbered("old", 0, 5));
            }
        }
    }

    @Test
    default void latestSkipsWhatWasStoredBeforeSubscribing() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "old", 5);
            try (Consumer c = f.subscribe(topic, "s", SubscriptionInitialPosition.LATEST)) {
                f.assertNothingDelivered(c);
                MessageId id = p.send(bytes("new"));
                Message m = f.receiveOne(c);
                assertThat(m.id()).isEqualTo(id);
                assertThat(text(m)).isEqualTo("new");
            }
        }
    }

    @Test
    default void anExistingSubscriptionIgnoresTheInitialPosition() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "m", 6);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                List<Message> got = f.receive(c, 3);
                c.ackCumulative(got.get(2).id());
            }
            try (Consumer c = f.subscribe(topic, "s", SubscriptionInitialPosition.LATEST)) {
                assertThat(texts(f.receive(c, 3))).containsExactly("m3", "m4", "m5");
            }
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                assertThat(text(f.receiveOne(c))).isEqualTo("m3");
            }
        }
    }

    @Test
    default void propertiesAndKeysRoundTrip() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        Map<String, String> props = Map.of("plain", "v", "empty", "", "ünïcödé ✓", "值 🚀", "spaces in name", "x y");
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            p.send(OutgoingMessage.builder(bytes("1")).properties(props).key("k-1").build());
            p.send(OutgoingMessage.builder(bytes("2")).property("only", "one").build());
            p.send(OutgoingMessage.builder(bytes("3")).key("").build());
            p.send(OutgoingMessage.builder(bytes("4")).key("ключ 🔑").property("k", "v").build());
            List<Message> got = f.receive(c, 4);
            assertThat(got.get(0).properties()).isEqualTo(props);
            assertThat(got.get(0).key()).contains("k-1");
            assertThat(got.get(1).properties()).isEqualTo(Map.of("only", "one"));
            assertThat(got.get(1).key()).isEmpty();
            assertThat(got.get(2).properties()).isEmpty();
            assertThat(got.get(2).key()).contains("");
            assertThat(got.get(3).properties()).isEqualTo(Map.of("k", "v"));
            assertThat(got.get(3).key()).contains("ключ 🔑");
        }
    }

    @Test
    default void emptySmallAndLargePayloadsRoundTrip() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        byte[] large = new byte[512 * 1024];
        new java.util.Random(42).nextBytes(large);
        List<byte[]> payloads = List.of(new byte[0], new byte[] {0}, large, new byte[0]);
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            for (byte[] payload : payloads) {
                p.send(payload);
            }
            List<Message> got = f.receive(c, payloads.size());
            for (int i = 0; i < payloads.size(); i++) {
                assertThat(Arrays.equals(got.get(i).payload(), payloads.get(i))).as("payload %d", i).isTrue();
                assertThat(got.get(i).publishTime()).isPositive();
            }
        }
    }

    @Test
    default void latestMessageIdFollowsSends() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            assertThat(c.latestMessageId()).isEmpty();
            List<MessageId> ids = sendNumbered(p, "m", 3);
            assertThat(c.latestMessageId()).contains(ids.get(2));
            f.receive(c, 1);
            assertThat(c.latestMessageId()).contains(ids.get(2));
        }
    }

    @Test
    default void aOneMessageBufferStillDeliversEverythingInOrder() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.client().subscribe(ConsumerOptions.builder(topic, "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).receiveBufferSize(1).build())) {
            sendNumbered(p, "m", 100);
            assertThat(texts(f.receive(c, 100))).containsExactlyElementsOf(numbered("m", 0, 100));
        }
    }

    @Test
    default void listenerGetsEveryMessageInOrderOneAtATimeOnTheExecutor() throws Exception {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        int n = 300;
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> new Thread(r, "contract-listener"));
        List<String> got = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(n);
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.client().subscribe(ConsumerOptions.builder(topic, "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).receiveBufferSize(16)
                     .messageListener((consumer, m) -> {
                         if (inside.incrementAndGet() != 1) {
                             overlaps.incrementAndGet();
                         }
                         got.add(text(m));
                         threads.add(Thread.currentThread().getName());
                         consumer.ack(m.id());
                         inside.decrementAndGet();
                         all.countDown();
                     })
                     .listenerExecutor(pool).build())) {
            sendNumbered(p, "m", n);
            assertThat(all.await(f.traits().deliveryTimeout().toMillis() * 3, TimeUnit.MILLISECONDS))
                    .as("all messages reached the listener, got %d", got.size()).isTrue();
            assertThat(got).containsExactlyElementsOf(numbered("m", 0, n));
            assertThat(overlaps).hasValue(0);
            assertThat(threads).containsOnly("contract-listener");
            assertThatThrownBy(() -> c.receive(f.traits().quietPeriod())).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> c.poll(1, f.traits().quietPeriod())).isInstanceOf(IllegalStateException.class);
        } finally {
            pool.shutdownNow();
        }
        assertThat(f.lag(topic, "s")).isZero();
    }

    /**
     * An executor that runs the task on the calling thread ({@code Runnable::run}) is a valid listener
     * executor: the listener then runs on whatever thread hands the consumer its deliveries, and its
     * acknowledgements must not wait for that thread.
     */
    @Test
    default void listenerOnACallingThreadExecutorCanAcknowledge() throws Exception {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        int n = 40;
        List<String> got = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(n);
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.client().subscribe(ConsumerOptions.builder(topic, "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).receiveBufferSize(8)
                     .messageListener((consumer, m) -> {
                         consumer.ack(m.id());
                         got.add(text(m));
                         all.countDown();
                     })
                     .listenerExecutor(Runnable::run).build())) {
            sendNumbered(p, "m", n);
            assertThat(all.await(f.traits().deliveryTimeout().toMillis() * 3, TimeUnit.MILLISECONDS))
                    .as("every message reached the listener and was acknowledged, got %d", got.size()).isTrue();
            assertThat(got).containsExactlyElementsOf(numbered("m", 0, n));
        }
        assertThat(f.lag(topic, "s")).isZero();
    }

    @Test
    default void listenerWithoutExecutorIsPushedEveryMessage() throws Exception {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        List<String> got = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(50);
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.client().subscribe(ConsumerOptions.builder(topic, "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST)
                     .messageListener((consumer, m) -> {
                         got.add(text(m));
                         all.countDown();
                     }).build())) {
            sendNumbered(p, "m", 50);
            assertThat(all.await(f.traits().deliveryTimeout().toMillis() * 3, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(got).containsExactlyElementsOf(numbered("m", 0, 50));
            assertThat(c.subscription()).isEqualTo("s");
        }
    }

    @Test
    default void aFailingListenerDoesNotStopDeliveryAndItsMessageComesBack() throws Exception {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        List<String> got = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(5);
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "m", 5);
            try (Consumer c = f.client().subscribe(ConsumerOptions.builder(topic, "s")
                    .initialPosition(SubscriptionInitialPosition.EARLIEST)
                    .messageListener((consumer, m) -> {
                        got.add(text(m));
                        if (text(m).equals("m1")) {
                            all.countDown();
                            throw new IllegalStateException("listener failure injected by the contract test");
                        }
                        consumer.ack(m.id());
                        all.countDown();
                    }).build())) {
                assertThat(all.await(f.traits().deliveryTimeout().toMillis() * 3, TimeUnit.MILLISECONDS)).isTrue();
                assertThat(got).containsExactlyElementsOf(numbered("m", 0, 5));
                assertThat(c.subscription()).isEqualTo("s");
            }
            assertThat(f.lag(topic, "s")).isEqualTo(4);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                assertThat(text(f.receiveOne(c))).isEqualTo("m1");
            }
        }
    }
}
