package io.rocksmq.kafka;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.testkit.kafka.RawKafka;
import io.rocksmq.testkit.kafka.SharedKafkaBroker;
import io.rocksmq.api.TopicNotFoundException;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.rocksmq.kafka.KafkaMappingIT.bytes;
import static io.rocksmq.kafka.KafkaMappingIT.subscribeEarliest;
import static io.rocksmq.kafka.KafkaMappingIT.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The consumer's poll loop against a real broker: backpressure, no busy polling, asynchronous commits,
 * and what happens when another client deletes or grows what a consumer reads.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KafkaConsumerBehaviourIT {
    @RegisterExtension
    static final SharedKafkaBroker KAFKA = new SharedKafkaBroker();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static KafkaOptions.Builder options() {
        return KafkaOptions.builder(KAFKA.bootstrapServers());
    }

    @Test
    void aFullBufferPausesFetchingAndTheConsumerNeverHoldsMore() throws InterruptedException {
        String topic = RawKafka.uniqueTopic("backpressure");
        int capacity = 10;
        int n = 300;
        try (MqClient client = KafkaMqClient.open(options().build());
             Producer p = client.createProducer(topic)) {
            for (int i = 0; i < n; i++) {
                p.sendAsync(OutgoingMessage.of(bytes("m" + i)));
            }
            p.flush();
            KafkaMqConsumer c = (KafkaMqConsumer) client.subscribe(ConsumerOptions.builder(topic, "s")
                    .initialPosition(SubscriptionInitialPosition.EARLIEST).receiveBufferSize(capacity).build());
            try {
                awaitTrue("the consumer reads ahead", () -> c.buffered() > capacity / 2);
                Thread.sleep(500); // time for a loop that ignored the bound to overfill the buffer
                assertThat(c.buffered()).isLessThanOrEqualTo(capacity);
                assertThat(c.unacknowledged()).isLessThanOrEqualTo(capacity);
                // Awaited, not asserted at once: on a loaded machine the loop may still be filling the buffer.
                awaitTrue("fetching paused while the buffer has no room for a poll", c::paused);
                assertThat(c.buffered()).isLessThanOrEqualTo(capacity);
                for (int i = 0; i < n; i++) {
                    assertThat(c.buffered()).as("held before take %d", i).isLessThanOrEqualTo(capacity);
                    assertThat(c.unacknowledged()).as("read ahead before take %d", i).isLessThanOrEqualTo(capacity + i);
                    Message m = c.receive(WAIT).orElseThrow();
                    assertThat(text(m.payload())).isEqualTo("m" + i);
                }
                assertThat(c.receive(Duration.ofMillis(300))).isEmpty();
            } finally {
                c.close();
            }
        }
    }

    @Test
    void fetchingPausesOnceTheBufferHoldsItsBytes() throws InterruptedException {
        String topic = RawKafka.uniqueTopic("bytebound");
        int size = 256 << 10;
        long bound = 1L << 20;
        int n = 20;
        try (MqClient client = KafkaMqClient.open(options().build());
             Producer p = client.createProducer(topic)) {
            for (int i = 0; i < n; i++) {
                byte[] payload = new byte[size];
                java.nio.ByteBuffer.wrap(payload).putInt(i);
                p.sendAsync(OutgoingMessage.of(payload));
            }
            p.flush();
            KafkaMqConsumer c = (KafkaMqConsumer) client.subscribe(ConsumerOptions.builder(topic, "s")
                    .initialPosition(SubscriptionInitialPosition.EARLIEST).receiveBufferBytes(bound).build());
            try {
                awaitTrue("fetching paused once the buffer holds its bytes", c::paused);
                // At most one fetch beyond the bound (Kafka's max.partition.fetch.bytes, 1 MiB, plus a record).
                long limit = bound + (1L << 20) + size;
                assertThat(c.bufferedBytes()).isGreaterThanOrEqualTo(bound).isLessThanOrEqualTo(limit);
                for (int i = 0; i < n; i++) {
                    assertThat(c.bufferedBytes()).as("held before take %d", i).isLessThanOrEqualTo(limit);
                    Message m = c.receive(WAIT).orElseThrow();
                    assertThat(java.nio.ByteBuffer.wrap(m.payload()).getInt()).isEqualTo(i);
                }
                assertThat(c.receive(Duration.ofMillis(300))).isEmpty();
            } finally {
                c.close();
            }
        }
    }

    @Test
    void anIdleConsumerWaitsInKafkasLongPollInsteadOfSpinning() throws Exception {
        String topic = RawKafka.uniqueTopic("idle");
        try (MqClient client = KafkaMqClient.open(options().build());
             Producer p = client.createProducer(topic)) {
            KafkaMqConsumer c = (KafkaMqConsumer) subscribeEarliest(client, topic, "s");
            try {
                assertThat(c.receive(Duration.ofMillis(300))).isEmpty();
                long before = c.polls();
                Thread.sleep(1500);
                // One poll lasts until the next periodic check (10 s by default) unless records or work arrive;
                // a spinning loop would make thousands.
                assertThat(c.polls() - before).isLessThanOrEqualTo(2);
                MessageId id = p.send(bytes("wake"));
                assertThat(c.receive(WAIT)).get().extracting(Message::id).isEqualTo(id);
            } finally {
                c.close();
            }
        }
    }

    /**
     * With the periodic check an hour away, the poll loop's long poll ends only when records arrive or
     * someone wakes it: a lost wake-up (for room in the buffer, a seek, a commit, close) hangs this test.
     */
    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyKindOfWorkWakesTheLongPollingLoop() throws Exception {
        String topic = RawKafka.uniqueTopic("wakeups");
        int n = 120;
        ExecutorService ackers = Executors.newFixedThreadPool(4);
        try (MqClient client = KafkaMqClient.open(options().subscriptionCheckInterval(Duration.ofHours(1)).build());
             Producer p = client.createProducer(topic)) {
            List<MessageId> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids.add(p.send(bytes("m" + i)));
            }
            try (Consumer c = client.subscribe(ConsumerOptions.builder(topic, "s")
                    .initialPosition(SubscriptionInitialPosition.EARLIEST).receiveBufferSize(2).build())) {
                // Room: a two-message buffer makes the loop pause and wait for a take after every poll.
                List<Message> got = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    got.add(c.receive(WAIT).orElseThrow());
                }
                assertThat(KafkaMappingIT.texts(got)).containsExactlyElementsOf(KafkaMappingIT.numbered("m", 0, n));
                // Commits: synchronous acks from several threads at once, each waiting for the loop.
                List<Future<?>> acks = new ArrayList<>();
                for (Message m : got) {
                    acks.add(ackers.submit(() -> c.ack(m.id())));
                }
                for (Future<?> f : acks) {
                    f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
                assertThat(committed(topic, "s")).isEqualTo(n);
                // Seeks, backwards and forwards, each carried out by the loop while it long-polls.
                for (int target : new int[] {5, 100, 17, n - 1}) {
                    c.seek(ids.get(target), true);
                    assertThat(text(c.receive(WAIT).orElseThrow().payload())).isEqualTo("m" + target);
                }
                c.seekToTimestamp(0);
                assertThat(text(c.receive(WAIT).orElseThrow().payload())).isEqualTo("m0");
            } // close: must end the long poll at once too
        } finally {
            ackers.shutdownNow();
        }
    }

    @Test
    void asyncCommitModeAcknowledgesWithoutWaitingAndCommitsByClose() throws Exception {
        String topic = RawKafka.uniqueTopic("async");
        int n = 50;
        try (MqClient client = KafkaMqClient.open(options().commitMode(KafkaOptions.CommitMode.ASYNC).build());
             Producer p = client.createProducer(topic)) {
            for (int i = 0; i < n; i++) {
                p.send(bytes("m" + i));
            }
            try (Consumer c = subscribeEarliest(client, topic, "s")) {
                List<Message> got = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    got.add(c.receive(WAIT).orElseThrow());
                }
                for (Message m : got.subList(0, 30)) {
                    c.ack(m.id());
                }
                awaitTrue("the async commit reaches Kafka", () -> committed(topic, "s") == 30L);
                c.ackCumulative(got.get(n - 1).id());
            }
            assertThat(committed(topic, "s")).as("closing commits synchronously").isEqualTo(n);
            assertThat(client.listSubscriptions(topic)).singleElement().satisfies(s -> assertThat(s.lag()).isZero());
        }
    }

    @Test
    void autoAckCommitsAsTheListenerReturns() throws Exception {
        String topic = RawKafka.uniqueTopic("autoack");
        List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (MqClient client = KafkaMqClient.open(options().build());
             Producer p = client.createProducer(topic)) {
            for (int i = 0; i < 20; i++) {
                p.send(bytes("m" + i));
            }
            try (Consumer c = client.subscribe(ConsumerOptions.builder(topic, "s").autoAck(true)
                    .initialPosition(SubscriptionInitialPosition.EARLIEST)
                    .messageListener((consumer, m) -> {
                        if (text(m.payload()).equals("m7")) {
                            throw new IllegalStateException("listener failure: m7 stays unacknowledged");
                        }
                        got.add(text(m.payload()));
                    }).build())) {
                awaitTrue("every message reached the listener", () -> got.size() == 19);
                awaitTrue("auto-ack commits up to the failed message", () -> committed(topic, "s") == 7L);
                assertThat(c.subscription()).isEqualTo("s");
            }
            try (Consumer again = subscribeEarliest(client, topic, "s")) {
                assertThat(text(again.receive(WAIT).orElseThrow().payload())).isEqualTo("m7");
            }
        }
    }

    @Test
    void aTopicOrSubscriptionDeletedByAnotherClientEndsTheConsumer() {
        String topic = RawKafka.uniqueTopic("gone");
        String other = RawKafka.uniqueTopic("gone-sub");
        KafkaOptions watching = options().subscriptionCheckInterval(Duration.ofMillis(300)).build();
        try (MqClient a = KafkaMqClient.open(watching);
             MqClient b = KafkaMqClient.open(options().build())) {
            Consumer topicGone = subscribeEarliest(a, topic, "s");
            Consumer subscriptionGone = subscribeEarliest(a, other, "s");
            b.deleteTopic(topic);
            b.deleteSubscription(other, "s");
            assertThat(failureOf(topicGone)).isInstanceOf(TopicNotFoundException.class);
            assertThat(failureOf(subscriptionGone)).isInstanceOf(ConsumerGroupNotFoundException.class);
            topicGone.close();
            subscriptionGone.close();
            assertThat(b.listSubscriptions(other)).as("the ended consumer committed nothing").isEmpty();
        }
    }

    @Test
    void partitionsAddedToTheTopicAreReadToo() throws Exception {
        String topic = RawKafka.uniqueTopic("grow");
        try (MqClient client = KafkaMqClient.open(options().subscriptionCheckInterval(Duration.ofMillis(300)).build());
             Consumer c = subscribeEarliest(client, topic, "s")) {
            KAFKA.admin().createPartitions(Map.of(topic, NewPartitions.increaseTo(2))).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<byte[], byte[]> producer = KAFKA.raw().producer()) {
                producer.send(new ProducerRecord<>(topic, 1, null, bytes("p1"))).get(30, TimeUnit.SECONDS);
            }
            Message m = c.receive(WAIT).orElseThrow();
            assertThat(text(m.payload())).isEqualTo("p1");
            assertThat(m.id()).isEqualTo(MessageId.of(1, 0));
            c.ack(m.id());
            assertThat(KAFKA.raw().committed(KAFKA.admin(), "s", topic, 2)).containsEntry(1, 1L);
        }
    }

    @Test
    void aProducerOfADeletedTopicFailsWithTopicNotFound() {
        String topic = RawKafka.uniqueTopic("deleted");
        // Kafka retries a send to a vanished partition until delivery.timeout.ms: keep it short here.
        KafkaOptions o = options().requestTimeout(Duration.ofSeconds(3))
                .clientProperty("delivery.timeout.ms", "6000").build();
        try (MqClient client = KafkaMqClient.open(o);
             Producer p = client.createProducer(topic)) {
            p.send(bytes("before"));
            client.deleteTopic(topic);
            CompletableFuture<MessageId> after = p.sendAsync(OutgoingMessage.of(bytes("after")));
            assertThatThrownBy(after::join).hasCauseInstanceOf(TopicNotFoundException.class);
            assertThatThrownBy(() -> p.send(bytes("again"))).isInstanceOf(TopicNotFoundException.class);
            assertThat(client.listTopics()).as("the broker does not auto-create it").doesNotContain(topic);
        }
    }

    private long committed(String topic, String group) throws Exception {
        return KAFKA.raw().committed(KAFKA.admin(), group, topic, 1).getOrDefault(0, -1L);
    }

    private static RuntimeException failureOf(Consumer c) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                c.receive(Duration.ofMillis(200));
            } catch (RuntimeException e) {
                return e;
            }
        }
        return fail("the consumer did not fail within " + WAIT);
    }

    private static void awaitTrue(String what, ThrowingBooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    fail("not within " + WAIT + ": " + what);
                }
                Thread.sleep(20);
            }
        } catch (Exception e) {
            throw new AssertionError(what, e);
        }
    }

    @FunctionalInterface
    private interface ThrowingBooleanSupplier {
        boolean getAsBoolean() throws Exception;
    }
}
