package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.rocksmq.testkit.ContractFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract: many producers and many subscriptions at once. The tests record what every send returned
 * and what every consumer got, then check invariants over that history: nothing lost, nothing
 * duplicated, each sender's order kept, ids unique and delivered in increasing order, and what was
 * delivered is exactly what was sent under that id.
 *
 * <p>Not thread-safe: the default methods are JUnit tests run on a {@link MqClientContract} instance
 * (each starts its own threads).
 */
public interface ConcurrencyContract extends ContractSupport {

    /** One message as recorded on either side. */
    record Sent(int producer, int seq, MessageId id) {
    }

    @Test
    default void manyProducersAndSubscriptionsAtOnce() throws Exception {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        int producers = 4;
        int perProducer = 250;
        int subscriptions = 3;
        long seed = System.nanoTime();
        f.client().createTopic(topic);
        List<Consumer> consumers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(producers + subscriptions);
        try {
            for (int s = 0; s < subscriptions; s++) {
                consumers.add(f.subscribeEarliest(topic, "sub" + s));
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Sent>>> sends = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                Random random = new Random(seed + p);
                sends.add(pool.submit(() -> {
                    List<Sent> out = new ArrayList<>(perProducer);
                    try (Producer pr = f.client().createProducer(topic)) {
                        start.await();
                        List<CompletableFuture<MessageId>> pending = new ArrayList<>();
                        for (int i = 0; i < perProducer; i++) {
                            OutgoingMessage m = OutgoingMessage.builder(bytes(producer + ":" + i))
                                    .property("producer", Integer.toString(producer))
                                    .property("seq", Integer.toString(i)).build();
                            if (random.nextBoolean()) {
                                pending.add(pr.sendAsync(m));
                            } else {
                                pending.add(CompletableFuture.completedFuture(pr.send(m)));
                            }
                        }
                        for (int i = 0; i < perProducer; i++) {
                            out.add(new Sent(producer, i, pending.get(i).get()));
                        }
                    }
                    return out;
                }));
            }
            int total = producers * perProducer;
            List<Future<List<Message>>> receives = new ArrayList<>();
            for (Consumer c : consumers) {
                receives.add(pool.submit(() -> {
                    List<Message> got = new ArrayList<>(total);
                    start.await();
                    while (got.size() < total) {
                        List<Message> batch = c.poll(64, f.traits().deliveryTimeout());
                        assertThat(batch).as("seed %d: delivery stalled after %d", seed, got.size()).isNotEmpty();
                        got.addAll(batch);
                        c.ackCumulative(batch.get(batch.size() - 1).id());
                    }
                    return got;
                }));
            }
            start.countDown();

            Map<MessageId, Sent> sentById = new HashMap<>();
            for (Future<List<Sent>> fut : sends) {
                List<Sent> mine = fut.get(5, TimeUnit.MINUTES);
                for (int i = 1; i < mine.size(); i++) {
                    assertThat(mine.get(i).id()).as("seed %d: producer order", seed).isGreaterThan(mine.get(i - 1).id());
                }
                for (Sent s : mine) {
                    assertThat(sentById.put(s.id(), s)).as("seed %d: id %s given twice", seed, s.id()).isNull();
                }
            }
            assertThat(sentById).hasSize(total);
            for (Future<List<Message>> fut : receives) {
                checkHistory(fut.get(5, TimeUnit.MINUTES), sentById, producers, seed);
            }
            for (Consumer c : consumers) {
                f.assertNothingDelivered(c);
            }
            for (int s = 0; s < subscriptions; s++) {
                assertThat(f.lag(topic, "sub" + s)).isZero();
            }
        } finally {
            for (Consumer c : consumers) {
                c.close();
            }
            pool.shutdownNow();
        }
    }

    private static void checkHistory(List<Message> got, Map<MessageId, Sent> sentById, int producers, long seed) {
        assertThat(got).as("seed %d: delivered count", seed).hasSize(sentById.size());
        int[] nextSeq = new int[producers];
        MessageId previous = null;
        for (Message m : got) {
            Sent s = sentById.get(m.id());
            assertThat(s).as("seed %d: delivered id %s was never returned by a send", seed, m.id()).isNotNull();
            assertThat(ContractFixture.text(m)).isEqualTo(s.producer() + ":" + s.seq());
            assertThat(m.properties()).containsEntry("producer", Integer.toString(s.producer()))
                    .containsEntry("seq", Integer.toString(s.seq()));
            assertThat(s.seq()).as("seed %d: producer %d order", seed, s.producer()).isEqualTo(nextSeq[s.producer()]);
            nextSeq[s.producer()]++;
            if (previous != null) {
                assertThat(m.id()).as("seed %d: delivery order", seed).isGreaterThan(previous);
            }
            previous = m.id();
        }
    }

    @Test
    default void oneProducerSharedByManyThreadsKeepsEachThreadsOrder() throws Exception {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        int threads = 6;
        int perThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<MessageId>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<CompletableFuture<MessageId>> futures = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        futures.add(p.sendAsync(ContractFixture.text(thread + ":" + i)));
                    }
                    List<MessageId> ids = new ArrayList<>();
                    for (CompletableFuture<MessageId> fut : futures) {
                        ids.add(fut.get());
                    }
                    return ids;
                }));
            }
            start.countDown();
            Map<MessageId, String> expected = new ConcurrentHashMap<>();
            for (int t = 0; t < threads; t++) {
                List<MessageId> ids = results.get(t).get(5, TimeUnit.MINUTES);
                assertThat(ids).as("thread %d order", t).isSorted().doesNotHaveDuplicates();
                for (int i = 0; i < ids.size(); i++) {
                    assertThat(expected.put(ids.get(i), t + ":" + i)).isNull();
                }
            }
            List<Message> got = f.receive(c, threads * perThread);
            for (Message m : got) {
                assertThat(ContractFixture.text(m)).isEqualTo(expected.get(m.id()));
            }
            assertThat(ContractFixture.ids(got)).isSorted().doesNotHaveDuplicates();
        } finally {
            pool.shutdownNow();
        }
    }
}
