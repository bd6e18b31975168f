package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrent produces to one topic, which the topic writes several at a time ({@code Topic.append}
 * combines whatever is queued into one RocksDB write): every produce must still get consecutive ids
 * that name exactly its own messages, in its own order, and the ids of all produces together must be
 * contiguous, each given once. Checked over the recorded history of every produce call.
 */
class WriteCombiningTest {
    @TempDir
    Path dir;

    private record Call(int thread, int seq, long[] ids) {
    }

    private static byte[] payload(int thread, int seq, int index) {
        return ByteBuffer.allocate(12).putInt(thread).putInt(seq).putInt(index).array();
    }

    @Test
    void concurrentProducesKeepTheirOwnConsecutiveIds() throws Exception {
        for (Durability durability : Durability.values()) {
            check(dir.resolve(durability.name()), durability, durability == Durability.FSYNC ? 60 : 400, 5, 300);
        }
    }

    /** Batches of up to 1 MiB: what is queued exceeds what one combined write takes ({@code Topic.MAX_COMBINED_BYTES}). */
    @Test
    void producesQueuedBeyondOneCombinedWriteAreWrittenByTheNext() throws Exception {
        check(dir.resolve("large"), Durability.WAL, 12, 87_000, 87_000);
    }

    private void check(Path d, Durability durability, int calls, int usualMax, int rareMax) throws Exception {
        {
            int threads = 8;
            ConcurrentLinkedQueue<Call> history = new ConcurrentLinkedQueue<>();
            try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(d).retentionInterval(Duration.ZERO)
                    .defaultRetention(RetentionPolicy.KEEP_ALL).build())) {
                mq.createTopic("t");
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Thread> workers = new ArrayList<>();
                ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    Thread w = new Thread(() -> {
                        try {
                            SplittableRandom random = new SplittableRandom(thread);
                            start.await();
                            for (int seq = 0; seq < calls; seq++) {
                                int n = 1 + random.nextInt(random.nextInt(10) == 0 ? rareMax : usualMax);
                                List<ProducerMessage> batch = new ArrayList<>(n);
                                for (int i = 0; i < n; i++) {
                                    batch.add(ProducerMessage.of(payload(thread, seq, i)));
                                }
                                history.add(new Call(thread, seq, mq.produce("t", batch, durability)));
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

                long first = mq.earliestMessageId("t");
                List<ConsumerMessage> all = new ArrayList<>();
                for (List<ConsumerMessage> got; !(got = mq.read("t", first + all.size(), 1000)).isEmpty(); ) {
                    all.addAll(got);
                }
                long total = history.stream().mapToLong(c -> c.ids().length).sum();
                assertThat(all).as(durability.name()).hasSize((int) total);
                long time = Long.MIN_VALUE;
                for (int i = 0; i < all.size(); i++) {
                    assertThat(all.get(i).id()).as("contiguous ids").isEqualTo(first + i);
                    assertThat(all.get(i).publishTime()).as("publish time never decreases").isGreaterThanOrEqualTo(time);
                    time = all.get(i).publishTime();
                }
                for (Call c : history) {
                    for (int i = 0; i < c.ids().length; i++) {
                        long id = c.ids()[i];
                        if (i > 0) {
                            assertThat(id).as("consecutive within one produce").isEqualTo(c.ids()[i - 1] + 1);
                        }
                        ByteBuffer p = all.get((int) (id - first)).payloadBuffer();
                        assertThat(new int[] {p.getInt(0), p.getInt(4), p.getInt(8)})
                                .as("id %d names message %d of call %d of thread %d", id, i, c.seq(), c.thread())
                                .containsExactly(c.thread(), c.seq(), i);
                    }
                }
            }
        }
    }
}
