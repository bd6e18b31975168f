package io.rocksmq.core.client;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.SharedSubscription;
import io.rocksmq.api.WrongGroupTypeException;
import io.rocksmq.core.RocksMq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded backend's SHARED consumers beyond the contract: across clients, close, executors. */
class RocksMqSharedConsumerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private static ConsumerOptions.Builder shared(String topic) {
        return ConsumerOptions.builder(topic, "workers").shared(SharedSubscription.DEFAULTS);
    }

    private static List<Message> receive(Consumer c, int n) {
        List<Message> got = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got.size() < n && System.nanoTime() < deadline) {
            got.addAll(c.poll(n - got.size(), Duration.ofMillis(200)));
        }
        return got;
    }

    @Test
    void consumersOfTwoClientsShareOneSubscriptionAndClosingReleasesWhatOneHeld() {
        try (RocksMq mq = RocksMq.open(dir);
             MqClient one = RocksMqClient.wrap(mq);
             MqClient two = RocksMqClient.wrap(mq);
             Producer p = one.createProducer("jobs")) {
            for (int i = 0; i < 6; i++) {
                p.send(("m" + i).getBytes());
            }
            Consumer a = one.subscribe(shared("jobs").build());
            Consumer b = two.subscribe(shared("jobs").build());
            List<Message> held = receive(a, 3);
            List<Message> rest = receive(b, 3);
            assertThat(held.stream().map(Message::text).toList()).containsExactly("m0", "m1", "m2");
            assertThat(rest.stream().map(Message::text).toList()).containsExactly("m3", "m4", "m5");
            assertThatThrownBy(() -> b.ack(held.get(0).id())).isInstanceOf(DeliveryNotFoundException.class);
            a.ack(held.get(0).id());
            a.close();                                   // m1 and m2 go back at once, not after 30 s
            List<Message> again = receive(b, 2);
            assertThat(again.stream().map(Message::text).toList()).containsExactly("m1", "m2");
            assertThat(again).allSatisfy(m -> assertThat(m.deliveryCount()).isEqualTo(2));
            assertThatThrownBy(() -> a.poll(1, Duration.ZERO)).isInstanceOf(QueueClosedException.class);
            assertThatThrownBy(() -> one.subscribe(ConsumerOptions.builder("jobs", "workers").build()))
                    .isInstanceOf(WrongGroupTypeException.class);
            b.close();
        }
    }

    @Test
    void anAnswerToADestroyedGroupsDeliveryIsRefusedByTheGroupReCreatedUnderItsName() {
        try (RocksMq mq = RocksMq.open(dir);
             MqClient client = RocksMqClient.wrap(mq);
             Producer p = client.createProducer("jobs")) {
            p.send("m0".getBytes());
            Consumer old = client.subscribe(shared("jobs").build());
            Message first = receive(old, 1).get(0);
            mq.destroyConsumerGroup("jobs", "workers");
            Consumer fresh = client.subscribe(shared("jobs").build()); // a new group: from the topic's start
            Message again = receive(fresh, 1).get(0);
            assertThat(again.id()).isEqualTo(first.id());
            assertThat(again.deliveryCount()).isEqualTo(first.deliveryCount()); // the same (id, attempt)

            // The old consumer's answers name the destroyed group's delivery: refused, nothing changed.
            assertThatThrownBy(() -> old.renew(first)).isInstanceOf(DeliveryNotFoundException.class);
            assertThatThrownBy(() -> old.ack(first.id())).isInstanceOf(DeliveryNotFoundException.class);
            fresh.ack(again.id()); // still the new group's delivery to finish
            assertThat(mq.sharedGroup("jobs", "workers").stats().acked()).isEqualTo(1);
            old.close();
            fresh.close();
        }
    }

    @Test
    void aWaitingPollEndsWhenItsConsumerCloses() throws Exception {
        try (RocksMqClient client = RocksMqClient.open(dir)) {
            Consumer c = client.subscribe(shared("jobs").build());
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                var polling = pool.submit(() -> c.poll(1, Duration.ofMinutes(5)));
                Thread.sleep(50); // let it wait (either way the close must end it)
                c.close();
                assertThatThrownBy(() -> polling.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(QueueClosedException.class);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aListenerOnAnExecutorGetsEveryMessageOnceAndAutoAcks() throws Exception {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch all = new CountDownLatch(50);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try (RocksMqClient client = RocksMqClient.open(dir);
             Producer p = client.createProducer("jobs");
             Consumer c = client.subscribe(shared("jobs").autoAck(true).listenerExecutor(executor)
                     .messageListener((consumer, m) -> {
                         if (seen.add(m.text())) {
                             all.countDown();
                         }
                     }).build())) {
            for (int i = 0; i < 50; i++) {
                p.send(("m" + i).getBytes());
            }
            assertThat(all.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + WAIT.toNanos(); // the auto-ack follows the listener's return
            while (client.queue().sharedGroup("jobs", "workers").stats().acked() < 50 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(client.queue().sharedGroup("jobs", "workers").stats().acked()).isEqualTo(50);
            assertThatThrownBy(() -> c.poll(1, Duration.ZERO)).isInstanceOf(IllegalStateException.class);
        } finally {
            executor.shutdownNow();
        }
    }
}
