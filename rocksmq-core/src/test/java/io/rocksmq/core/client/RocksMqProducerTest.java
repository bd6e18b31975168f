package io.rocksmq.core.client;

import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.TopicNotFoundException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Batching of the embedded producer. The linger used here is the maximum (10 s): every batch boundary
 * asserted below comes from a size limit or a flush, never from the linger expiring, so nothing
 * depends on how fast the machine is.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RocksMqProducerTest {
    private static final Duration LONG_LINGER = ProducerOptions.MAX_BATCHING_DELAY;

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

    private RocksMqProducer producer(ProducerOptions.Builder options) {
        return (RocksMqProducer) client.createProducer(options.build());
    }

    private static OutgoingMessage msg(int i) {
        return OutgoingMessage.of(("m" + i).getBytes());
    }

    @Test
    void sendsQueuedDuringTheLingerGoOutAsOneWriteOnceTheBatchIsFull() throws Exception {
        RocksMqProducer p = producer(ProducerOptions.builder("t").batchingMaxDelay(LONG_LINGER).batchingMaxMessages(50));
        List<CompletableFuture<MessageId>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(p.sendAsync(msg(i)));
        }
        for (CompletableFuture<MessageId> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        assertThat(p.batchesWritten()).isEqualTo(1);
        for (int i = 1; i < 50; i++) {
            assertThat(futures.get(i).join().offset()).isEqualTo(futures.get(i - 1).join().offset() + 1);
        }
    }

    @Test
    void batchesAreCutAtMaxMessagesAndFlushSendsTheRest() {
        RocksMqProducer p = producer(ProducerOptions.builder("t").batchingMaxDelay(LONG_LINGER).batchingMaxMessages(50));
        List<CompletableFuture<MessageId>> futures = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            futures.add(p.sendAsync(msg(i)));
        }
        p.flush();
        assertThat(futures).allMatch(CompletableFuture::isDone);
        assertThat(p.batchesWritten()).isEqualTo(3);
    }

    @Test
    void batchesAreCutAtMaxBytes() {
        RocksMqProducer p = producer(ProducerOptions.builder("t").batchingMaxDelay(LONG_LINGER).batchingMaxBytes(4096));
        List<CompletableFuture<MessageId>> futures = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            futures.add(p.sendAsync(OutgoingMessage.of(new byte[1000])));
        }
        p.flush();
        // 4 x 1000 bytes fit in 4096, a fifth would not: three writes of four.
        assertThat(p.batchesWritten()).isEqualTo(3);
        // A message larger than the limit still goes, alone.
        p.sendAsync(OutgoingMessage.of(new byte[10_000]));
        p.flush();
        assertThat(p.batchesWritten()).isEqualTo(4);
    }

    @Test
    void flushEndsTheLingerInsteadOfWaitingItOut() throws Exception {
        RocksMqProducer p = producer(ProducerOptions.builder("t").batchingMaxDelay(LONG_LINGER));
        CompletableFuture<MessageId> f = p.sendAsync(msg(0));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            // Liveness bound, not a timing assertion: the linger is 10 s, a working flush takes milliseconds.
            Future<?> flush = pool.submit(p::flush);
            flush.get(LONG_LINGER.toMillis() / 2, TimeUnit.MILLISECONDS);
            assertThat(f).isDone();
            assertThat(p.batchesWritten()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentAsyncSendsWithoutLingerGetDistinctIdsInEachThreadsOrder() throws Exception {
        RocksMqProducer p = producer(ProducerOptions.builder("t"));
        int threads = 4;
        int perThread = 300;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<CompletableFuture<MessageId>>>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                all.add(pool.submit(() -> {
                    List<CompletableFuture<MessageId>> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(p.sendAsync(msg(i)));
                    }
                    return mine;
                }));
            }
            List<Long> offsets = new ArrayList<>();
            for (Future<List<CompletableFuture<MessageId>>> f : all) {
                List<Long> mine = new ArrayList<>();
                for (CompletableFuture<MessageId> id : f.get()) {
                    mine.add(id.get().offset());
                }
                assertThat(mine).isSorted();
                offsets.addAll(mine);
            }
            assertThat(offsets).doesNotHaveDuplicates().hasSize(threads * perThread);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFullPendingQueueBlocksTheSenderUntilThereIsRoom() throws Exception {
        RocksMqProducer p = producer(ProducerOptions.builder("t").batchingMaxDelay(LONG_LINGER).maxPendingMessages(1));
        CompletableFuture<MessageId> first = p.sendAsync(msg(0));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            AtomicReference<Thread> blocked = new AtomicReference<>();
            Future<CompletableFuture<MessageId>> second = pool.submit(() -> {
                blocked.set(Thread.currentThread());
                return p.sendAsync(msg(1));
            });
            awaitWaiting(blocked::get);
            assertThat(second).isNotDone();
            assertThat(first).isNotDone(); // still lingering: the queue really is full
            p.flush();
            CompletableFuture<MessageId> secondId = second.get(30, TimeUnit.SECONDS);
            p.flush();
            assertThat(secondId.get().offset()).isEqualTo(first.get().offset() + 1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedWriteFailsItsSendsAndTheProducerCarriesOn() throws Exception {
        Producer p = client.createProducer("t");
        p.send("before".getBytes());
        client.deleteTopic("t");
        CompletableFuture<MessageId> failed = p.sendAsync(msg(0));
        assertThatThrownBy(failed::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TopicNotFoundException.class);
        assertThatThrownBy(() -> p.send(msg(1))).isInstanceOf(TopicNotFoundException.class);
        client.createTopic("t");
        assertThat(p.send(msg(2))).isNotNull();
        p.close();
        assertThat(client.listTopics()).containsExactly("t");
    }

    private static void awaitWaiting(java.util.function.Supplier<Thread> thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Thread t = thread.get();
            if (t != null && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING)) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("sender never blocked");
    }
}
