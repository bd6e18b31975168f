package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrent producers of the same deduplication ids, checked over the recorded history of every
 * produce call: every call that carried an id got the same message id for it, and the topic stores
 * exactly one message per id, at that id. The producers run into a {@link Topic} over a real store
 * (so the test can give the topic a broken {@link Deduplication}); the result is then read back through
 * a {@link RocksMq} opened on the same directory. The same checker must catch the broken variant
 * ({@link CheckOutsideLockDeduplication}, which checks before the produce lock).
 */
class DeduplicationRaceTest {
    private static final long TOPIC_ID = 1;
    private static final int THREADS = 6;
    private static final int CALLS = 250;

    @TempDir
    Path dir;

    private record Call(String[] dedupIds, long[] ids) {
    }

    @Test
    void concurrentProducersOfOneIdStoreItOnce() throws Exception {
        for (int round = 0; round < 3; round++) {
            List<String> violations = run(dir.resolve("ok" + round), id -> new Deduplication(id, 120_000), round);
            assertThat(violations).isEmpty();
        }
    }

    @Test
    void theCheckerCatchesACheckOutsideTheProduceLock() throws Exception {
        List<String> violations = new ArrayList<>();
        int round = 0;
        while (round < 10 && violations.isEmpty()) {
            violations = run(dir.resolve("broken" + round), id -> new CheckOutsideLockDeduplication(id, 120_000), round);
            round++;
        }
        System.out.println("broken deduplication: " + violations.size() + " violations in round " + round
                + (violations.isEmpty() ? "" : ", first: " + violations.get(0)));
        assertThat(violations).as("the broken variant must store some id twice").isNotEmpty();
    }

    private static List<String> run(Path d, LongFunction<Deduplication> dedup, long seed) throws Exception {
        ConcurrentLinkedQueue<Call> history = new ConcurrentLinkedQueue<>();
        RocksMqConfig config = RocksMqConfig.builder(d).retentionInterval(Duration.ZERO)
                .defaultRetention(RetentionPolicy.KEEP_ALL).build();
        try (RocksStore store = RocksStore.open(config)) {
            long now = config.clock().millis();
            store.putMeta(StorageLayout.formatKey(), StorageLayout.formatValue());
            store.putMeta(StorageLayout.topicKey("t"), StorageLayout.topicValue(new StorageLayout.TopicRecord(TOPIC_ID, 0, now)));
            store.putMeta(StorageLayout.globalKey(), StorageLayout.globalValue(TOPIC_ID + 1, 0));
            Topic topic = new Topic("t", TOPIC_ID, 0, 0, now, 0, store.recentReadsBudget(), dedup.apply(TOPIC_ID));
            CyclicBarrier start = new CyclicBarrier(THREADS);
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                Thread w = new Thread(() -> {
                    SplittableRandom random = new SplittableRandom(seed * 1000 + thread);
                    try {
                        start.await();
                        for (int seq = 0; seq < CALLS; seq++) {
                            int n = 1 + random.nextInt(3);
                            List<ProducerMessage> messages = new ArrayList<>();
                            String[] ids = new String[n];
                            for (int i = 0; i < n; i++) {
                                // Ids move forward with seq, so the threads race for each new id at once.
                                // Odd rounds use ids of the sequence form (held as runs), even rounds others.
                                ids[i] = (seed % 2 == 1 ? "k:" : "k") + (seq + random.nextInt(3));
                                byte[] payload = (ids[i] + "/" + thread + "/" + seq).getBytes(StandardCharsets.UTF_8);
                                messages.add(ProducerMessage.of(payload).withDeduplicationId(ids[i]));
                            }
                            Topic.Append a = new Topic.Append(messages, ProducePath.dedupIds(messages), 1 << 20,
                                    config.clock().millis());
                            topic.append(store, a);
                            history.add(new Call(ids, a.ids));
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                workers.add(w);
                w.start();
            }
            for (Thread w : workers) {
                w.join();
            }
            assertThat(errors).isEmpty();
        }
        return check(config, history);
    }

    private static List<String> check(RocksMqConfig config, ConcurrentLinkedQueue<Call> history) {
        List<String> violations = new ArrayList<>();
        Map<String, Set<Long>> answered = new HashMap<>();
        for (Call c : history) {
            for (int i = 0; i < c.dedupIds.length; i++) {
                answered.computeIfAbsent(c.dedupIds[i], k -> new TreeSet<>()).add(c.ids[i]);
            }
        }
        answered.forEach((k, ids) -> {
            if (ids.size() != 1) {
                violations.add("id " + k + " answered with message ids " + ids);
            }
        });
        Map<String, List<Long>> stored = new HashMap<>();
        try (RocksMq mq = RocksMq.open(config)) {
            for (long from = 0; ; ) {
                List<ConsumerMessage> batch = mq.read("t", from, 1000);
                if (batch.isEmpty()) {
                    break;
                }
                for (ConsumerMessage m : batch) {
                    String k = new String(m.payload(), StandardCharsets.UTF_8).split("/")[0];
                    stored.computeIfAbsent(k, x -> new ArrayList<>()).add(m.id());
                }
                from = batch.get(batch.size() - 1).id() + 1;
            }
        }
        stored.forEach((k, ids) -> {
            if (ids.size() != 1) {
                violations.add("id " + k + " stored " + ids.size() + " times, at " + ids);
            }
        });
        answered.forEach((k, ids) -> {
            List<Long> at = stored.get(k);
            if (at == null || ids.size() == 1 && !at.contains(ids.iterator().next())) {
                violations.add("id " + k + " answered " + ids + " but stored at " + at);
            }
        });
        return violations;
    }
}
