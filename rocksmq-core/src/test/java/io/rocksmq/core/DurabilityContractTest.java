package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The durability contract as seen through the public API plus the package-private fsync counter:
 * FSYNC returns only after a sync that started after the call, concurrent FSYNC producers share
 * fsyncs, and WAL never syncs on the produce path.
 */
class DurabilityContractTest {
    @TempDir
    Path tmp;

    private RocksMq open(Durability durability) {
        return RocksMq.open(RocksMqConfig.builder(tmp.resolve("q")).durability(durability).build());
    }

    private static List<ProducerMessage> one(String s) {
        return List.of(ProducerMessage.of(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void everyFsyncProduceReturnsAfterAtLeastOneSyncThatCompletedDuringTheCall() {
        try (RocksMq mq = open(Durability.FSYNC)) {
            mq.createTopic("t");
            for (int i = 0; i < 50; i++) {
                long before = mq.walSyncCount();
                mq.produce("t", one("m" + i));
                assertThat(mq.walSyncCount()).as("syncs after produce %d", i).isGreaterThan(before);
            }
        }
    }

    @Test
    void walModeNeverSyncsOnTheProducePath() {
        try (RocksMq mq = open(Durability.WAL)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            for (int i = 0; i < 200; i++) {
                mq.produce("t", one("m" + i));
                mq.consume("t", "g", 10);
            }
            assertThat(mq.walSyncCount()).isZero();
        }
    }

    @Test
    void perCallDurabilityOverridesTheQueueDefault() {
        try (RocksMq mq = open(Durability.FSYNC)) {
            mq.createTopic("t");
            long before = mq.walSyncCount();
            for (int i = 0; i < 20; i++) {
                mq.produce("t", one("w" + i), Durability.WAL);
            }
            assertThat(mq.walSyncCount()).as("WAL override on an FSYNC queue").isEqualTo(before);
        }
        try (RocksMq mq = open(Durability.WAL)) {
            long before = mq.walSyncCount();
            mq.produce("t", one("f"), Durability.FSYNC);
            assertThat(mq.walSyncCount()).as("FSYNC override on a WAL queue").isGreaterThan(before);
            assertThat(mq.read("t", 0, 100)).hasSize(21);
        }
    }

    /**
     * 16 threads produce with FSYNC. Recorded per call: the sync count before the call and after it
     * returned. Invariants over the history: every call saw a sync complete inside it (so none
     * returned early), and the total number of syncs is below the number of calls (so syncs were
     * shared: group commit). The ratio is reported, not asserted beyond "below".
     */
    @Test
    void sixteenConcurrentFsyncProducersShareFsyncs() throws Exception {
        int threads = 16;
        int perThread = 150;
        try (RocksMq mq = open(Durability.FSYNC)) {
            mq.createTopic("a");
            mq.createTopic("b");
            long syncsBefore = mq.walSyncCount();
            ConcurrentLinkedQueue<long[]> history = new ConcurrentLinkedQueue<>();
            CyclicBarrier start = new CyclicBarrier(threads);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String topic = t % 2 == 0 ? "a" : "b";
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            long before = mq.walSyncCount();
                            long id = mq.produce(topic, one(thread + "/" + i))[0];
                            history.add(new long[] {before, mq.walSyncCount(), id});
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            long produces = (long) threads * perThread;
            long syncs = mq.walSyncCount() - syncsBefore;
            assertThat(history).hasSize((int) produces);
            assertThat(history).allSatisfy(h -> assertThat(h[1]).isGreaterThan(h[0]));
            assertThat(syncs).as("fsyncs for %d FSYNC produces", produces).isLessThan(produces);
            System.out.printf("group commit: %d FSYNC produces, %d fsyncs (%.1f produces per fsync)%n",
                    produces, syncs, (double) produces / syncs);
            assertThat(mq.read("a", 0, 10_000)).hasSize(threads / 2 * perThread);
            assertThat(mq.read("b", 0, 10_000)).hasSize(threads / 2 * perThread);
        }
    }
}
