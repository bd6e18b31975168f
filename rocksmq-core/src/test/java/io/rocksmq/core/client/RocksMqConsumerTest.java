package io.rocksmq.core.client;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.Producer;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.ConsumerRegistration;
import io.rocksmq.core.RocksMq;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backpressure, push (not poll) delivery, seek against in-flight reads, and failure reporting of the embedded consumer. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RocksMqConsumerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    RocksMqClient client;

    @BeforeEach
    void open() {
        client = RocksMqClient.open(dir);
    }

    @AfterEach
    void close() {
        client.close();
    }

    private RocksMqConsumer subscribe(String topic, int bufferSize) {
        return (RocksMqConsumer) client.subscribe(ConsumerOptions.builder(topic, "s")
                .initialPosition(SubscriptionInitialPosition.EARLIEST).receiveBufferSize(bufferSize).build());
    }

    private static List<MessageId> send(Producer p, int n) {
        List<MessageId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(p.send(("m" + i).getBytes()));
        }
        return ids;
    }

    @Test
    void aStalledConsumerHoldsNoMoreThanItsBuffer() throws Exception {
        try (Producer p = client.createProducer("t");
             RocksMqConsumer c = subscribe("t", 10)) {
            int maxSeen = 0;
            for (int i = 0; i < 1000; i++) {
                p.send(("m" + i).getBytes());
                maxSeen = Math.max(maxSeen, c.unacknowledged());
            }
            awaitTrue(() -> c.buffered() == 10);
            maxSeen = Math.max(maxSeen, c.unacknowledged());
            // Read-ahead stops at the buffer: the other 990 messages stay in storage.
            assertThat(maxSeen).isEqualTo(10);
            assertThat(c.unacknowledged()).isEqualTo(10);

            List<Message> five = c.poll(5, WAIT);
            assertThat(five).hasSize(5);
            awaitTrue(() -> c.buffered() == 10);
            assertThat(c.unacknowledged()).isEqualTo(15);
            c.ackCumulative(five.get(4).id());
            assertThat(c.unacknowledged()).isEqualTo(10);
            assertThat(client.listSubscriptions("t").get(0).lag()).isEqualTo(995);
        }
    }

    @Test
    void anIdleConsumerDoesNotReadStorageUntilSomethingIsProduced() throws Exception {
        try (Producer p = client.createProducer("t");
             RocksMqConsumer c = subscribe("t", 100)) {
            send(p, 3);
            for (int i = 0; i < 3; i++) {
                assertThat(c.receive(WAIT)).isPresent();
            }
            awaitTrue(() -> c.buffered() == 0);
            // An empty buffer does not mean the delivery thread is done: it may still be between its last
            // reads (stalled on a loaded machine). Only once it is parked in its registration's await, with
            // nothing new signalled, is its read count final until a produce wakes it.
            Thread delivery = deliveryThread("t", "s");
            awaitTrue(() -> LockSupport.getBlocker(delivery) instanceof ConsumerRegistration);
            long reads = c.storageReads();
            // A polling design would read again within this window; a parked one never does.
            Thread.sleep(500);
            assertThat(c.storageReads()).isEqualTo(reads);
            MessageId id = p.send("wake".getBytes());
            assertThat(c.receive(WAIT)).get().extracting(Message::id).isEqualTo(id);
            assertThat(c.storageReads()).isGreaterThan(reads);
        }
    }

    @Test
    void aSeekDiscardsAReadThatWasInFlight() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Producer p = client.createProducer("t");
             RocksMqConsumer c = subscribe("t", 1)) {
            List<MessageId> ids = send(p, 2000);
            // With a one-message buffer the delivery thread reads again the moment a message is taken,
            // so seeks keep landing while a read from the old cursor is in flight.
            for (int round = 0; round < 400; round++) {
                int target = random.nextInt(ids.size());
                boolean inclusive = random.nextBoolean() || target == ids.size() - 1;
                c.seek(ids.get(target), inclusive);
                Optional<Message> m = c.receive(WAIT);
                assertThat(m).as("seed %d round %d", seed, round).isPresent();
                assertThat(m.get().id()).as("seed %d round %d", seed, round)
                        .isEqualTo(ids.get(inclusive ? target : target + 1));
            }
        }
    }

    @Test
    void deletingTheSubscriptionFailsTheOpenConsumer() throws Exception {
        try (Producer p = client.createProducer("t");
             RocksMqConsumer c = subscribe("t", 10)) {
            List<MessageId> ids = send(p, 3);
            assertThat(c.receive(WAIT)).isPresent();
            client.deleteSubscription("t", "s");
            awaitTrue(() -> {
                try {
                    c.receive(Duration.ZERO);
                    return false;
                } catch (ConsumerGroupNotFoundException e) {
                    return true;
                }
            });
            assertThatThrownBy(() -> c.ack(ids.get(0))).isInstanceOf(ConsumerGroupNotFoundException.class);
        }
        // The subscription is free again, and new: it starts where asked.
        try (RocksMqConsumer again = subscribe("t", 10)) {
            assertThat(again.receive(WAIT)).get().extracting(m -> new String(m.payload())).isEqualTo("m0");
        }
    }

    @Test
    void aWrappedQueueOutlivesItsClientAndItsClosingStopsConsumers() throws Exception {
        RocksMq mq = RocksMq.open(dir.resolve("wrapped"));
        try {
            RocksMqClient wrapped = RocksMqClient.wrap(mq);
            Consumer c = wrapped.subscribe(ConsumerOptions.builder("t", "s").build());
            wrapped.close();
            assertThat(mq.isOpen()).isTrue();
            assertThatThrownBy(() -> c.receive(Duration.ZERO)).isInstanceOf(QueueClosedException.class);

            Consumer live = RocksMqClient.wrap(mq).subscribe(ConsumerOptions.builder("t", "s").build());
            mq.close();
            awaitTrue(() -> {
                try {
                    live.receive(Duration.ZERO);
                    return false;
                } catch (QueueClosedException e) {
                    return true;
                }
            });
        } finally {
            mq.close();
        }
    }

    @Test
    void theKeyIsStoredAsAReservedPropertyAndHiddenFromTheClient() {
        try (Producer p = client.createProducer("t");
             RocksMqConsumer c = subscribe("t", 10)) {
            p.send(io.rocksmq.api.OutgoingMessage.builder("x".getBytes()).key("k").property("a", "b").build());
            Message m = c.receive(WAIT).orElseThrow();
            assertThat(m.key()).contains("k");
            assertThat(m.properties()).containsOnlyKeys("a");
            ConsumerMessage raw = client.queue().read("t", 0, 1).get(0);
            assertThat(raw.properties()).containsEntry(MessageMapper.KEY_PROPERTY, "k").containsEntry("a", "b");
            assertThat(MessageMapper.KEY_PROPERTY).isEqualTo("__rmq.key");
        }
    }

    @Test
    void aListenerClosingItsConsumerAtOnceAlwaysFreesTheSubscription() throws Exception {
        try (Producer p = client.createProducer("t")) {
            send(p, 1);
        }
        // The listener may run before subscribe() has returned; the subscription must still be released.
        for (int round = 0; round < 200; round++) {
            CountDownLatch closed = new CountDownLatch(1);
            client.subscribe(ConsumerOptions.builder("t", "s")
                    .initialPosition(SubscriptionInitialPosition.EARLIEST)
                    .messageListener((consumer, m) -> {
                        consumer.close();
                        closed.countDown();
                    }).build());
            assertThat(closed.await(20, TimeUnit.SECONDS)).as("round %d", round).isTrue();
        }
        try (Consumer c = client.subscribe(ConsumerOptions.builder("t", "s").build())) {
            assertThat(c.subscription()).isEqualTo("s");
        }
    }

    private static Thread deliveryThread(String topic, String subscription) {
        String name = "rocksmq-consumer-" + topic + "/" + subscription;
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no thread named " + name));
    }

    private static final int MIB = 1 << 20;

    private RocksMqConsumer subscribeBytes(String topic, int bufferSize, long bufferBytes) {
        return (RocksMqConsumer) client.subscribe(ConsumerOptions.builder(topic, "s")
                .initialPosition(SubscriptionInitialPosition.EARLIEST).receiveBufferSize(bufferSize)
                .receiveBufferBytes(bufferBytes).build());
    }

    /** Sends {@code sizes.length} messages, message i of {@code sizes[i]} bytes whose first 4 bytes are i. */
    private static List<MessageId> sendSized(Producer p, int... sizes) {
        List<MessageId> ids = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] payload = new byte[Math.max(4, sizes[i])];
            java.nio.ByteBuffer.wrap(payload).putInt(i);
            ids.add(p.send(payload));
        }
        return ids;
    }

    /** Polls until {@code n} messages came, acknowledging each, and checks they are 0..n-1 in order. */
    private static void drainInOrder(Consumer c, List<MessageId> ids) {
        List<MessageId> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (got.size() < ids.size() && System.nanoTime() < deadline) {
            for (Message m : c.poll(100, Duration.ofMillis(200))) {
                assertThat(java.nio.ByteBuffer.wrap(m.payload()).getInt()).isEqualTo(got.size());
                got.add(m.id());
                c.ack(m.id());
            }
        }
        assertThat(got).as("every message once, in order").isEqualTo(ids);
        assertThat(c.poll(10, Duration.ZERO)).isEmpty();
    }

    @Test
    void aStalledConsumerHoldsNoMoreBytesThanItsByteBound() throws Exception {
        try (Producer p = client.createProducer("t");
             RocksMqConsumer c = subscribeBytes("t", 1000, 3L * MIB)) {
            int[] sizes = new int[20];
            java.util.Arrays.fill(sizes, MIB);
            List<MessageId> ids = sendSized(p, sizes);
            awaitTrue(() -> c.buffered() == 3);
            assertThat(c.bufferedBytes()).isEqualTo(3L * MIB);
            assertThat(c.unacknowledged()).as("read: no more than it holds").isEqualTo(3);
            drainInOrder(c, ids);
            assertThat(c.bufferedBytes()).isZero();
        }
    }

    @Test
    void messagesGrowingLargerAreCutToTheByteBound() throws Exception {
        int[] sizes = new int[40];
        java.util.Arrays.fill(sizes, 0, 10, 10);
        java.util.Arrays.fill(sizes, 10, 40, MIB);
        List<MessageId> ids;
        try (Producer p = client.createProducer("t")) {
            ids = sendSized(p, sizes); // all stored before the consumer reads
        }
        try (RocksMqConsumer c = subscribeBytes("t", 40, 3L * MIB)) {
            // Its first read takes one message; the next, sized by that small one, asks for 39 and gets 9
            // small and 30 large ones: only what fits is kept (2 large), the rest is read again later.
            awaitTrue(() -> c.unacknowledged() >= 12);
            long held = c.bufferedBytes();
            assertThat(held).isLessThanOrEqualTo(3L * MIB);
            assertThat(c.buffered()).isEqualTo(12);
            assertThat(c.unacknowledged()).isEqualTo(12);
            drainInOrder(c, ids);
        }
    }

    @Test
    void aMessageLargerThanTheByteBoundIsDeliveredAlone() throws Exception {
        try (Producer p = client.createProducer("t");
             RocksMqConsumer c = subscribeBytes("t", 1000, MIB)) {
            List<MessageId> ids = sendSized(p, 10, 3 * MIB, 3 * MIB, 10);
            awaitTrue(() -> c.buffered() == 1);
            // The next read gets the large ones, which do not fit beside the small one: it keeps nothing
            // and waits until the buffer is empty.
            assertThat(c.bufferedBytes()).isEqualTo(10);
            drainInOrder(c, ids);
        }
    }

    @Test
    void aPollBoundedByBytesTakesAtLeastOneMessage() throws Exception {
        try (Producer p = client.createProducer("t");
             RocksMqConsumer c = subscribeBytes("t", 1000, 10L * MIB)) {
            List<MessageId> ids = sendSized(p, MIB, MIB, MIB, 10);
            awaitTrue(() -> c.buffered() == 4);
            assertThat(c.poll(100, 10, Duration.ZERO)).extracting(Message::id).containsExactly(ids.get(0));
            assertThat(c.poll(100, 2L * MIB, Duration.ZERO)).extracting(Message::id)
                    .containsExactly(ids.get(1), ids.get(2));
            assertThat(c.poll(100, 2L * MIB, Duration.ZERO)).extracting(Message::id).containsExactly(ids.get(3));
            assertThatThrownBy(() -> c.poll(1, 0, Duration.ZERO)).isInstanceOf(io.rocksmq.api.InvalidArgumentException.class);
        }
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 30 s");
            }
            Thread.sleep(1);
        }
    }
}
