package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 50 producer threads and 100 consumer threads on one group: every produced message reaches the group
 * exactly once, every consume call returns ids in increasing order, and per producer the order is kept.
 * Checked over the recorded history after the run.
 */
class ConcurrencySmokeTest {
    @TempDir
    Path dir;

    @Test
    void fiftyProducersHundredConsumersOneGroupExactlyOnce() throws Exception {
        int producers = 50;
        int batchesPerProducer = 40;
        int batchSize = 5;
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            ExecutorService pool = Executors.newFixedThreadPool(producers + 100);
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean producing = new AtomicBoolean(true);
            Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
            ConcurrentLinkedQueue<List<ConsumerMessage>> consumed = new ConcurrentLinkedQueue<>();
            List<Future<?>> producerFutures = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                producerFutures.add(pool.submit(() -> {
                    start.await();
                    for (int b = 0; b < batchesPerProducer; b++) {
                        List<ProducerMessage> batch = new ArrayList<>();
                        for (int i = 0; i < batchSize; i++) {
                            batch.add(ProducerMessage.of(ByteBuffer.allocate(8)
                                    .putInt(producer).putInt(b * batchSize + i).array()));
                        }
                        for (long id : mq.produce("t", batch)) {
                            acknowledged.add(id);
                        }
                    }
                    return null;
                }));
            }
            List<Future<?>> consumerFutures = new ArrayList<>();
            for (int c = 0; c < 100; c++) {
                consumerFutures.add(pool.submit(() -> {
                    start.await();
                    while (true) {
                        boolean wasProducing = producing.get();
                        List<ConsumerMessage> got = mq.consume("t", "g", 7);
                        if (!got.isEmpty()) {
                            consumed.add(got);
                        } else if (!wasProducing) {
                            return null;
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                }));
            }
            start.countDown();
            for (Future<?> f : producerFutures) {
                f.get(2, TimeUnit.MINUTES);
            }
            producing.set(false);
            for (Future<?> f : consumerFutures) {
                f.get(2, TimeUnit.MINUTES);
            }
            pool.shutdown();

            Set<Long> seen = new java.util.HashSet<>();
            int[] lastSeqPerProducer = new int[producers];
            java.util.Arrays.fill(lastSeqPerProducer, -1);
            List<ConsumerMessage> all = new ArrayList<>();
            for (List<ConsumerMessage> call : consumed) {
                for (int i = 1; i < call.size(); i++) {
                    assertThat(call.get(i).id()).isGreaterThan(call.get(i - 1).id());
                }
                for (ConsumerMessage m : call) {
                    assertThat(seen.add(m.id())).as("duplicate delivery of %d", m.id()).isTrue();
                    all.add(m);
                }
            }
            assertThat(seen).isEqualTo(acknowledged);
            assertThat(seen).hasSize(producers * batchesPerProducer * batchSize);
            all.sort(java.util.Comparator.comparingLong(ConsumerMessage::id));
            for (ConsumerMessage m : all) {
                ByteBuffer b = ByteBuffer.wrap(m.payload());
                int producer = b.getInt();
                int seq = b.getInt();
                assertThat(seq).as("producer %d order", producer).isGreaterThan(lastSeqPerProducer[producer]);
                lastSeqPerProducer[producer] = seq;
            }
        }
    }
}
