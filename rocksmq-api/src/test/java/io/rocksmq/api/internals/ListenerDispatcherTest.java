package io.rocksmq.api.internals;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MessageListener;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.RocksMqException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import static io.rocksmq.api.internals.ReceiveBufferTest.messages;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ListenerDispatcherTest {
    private static final int MESSAGES = 20_000;

    /** A consumer reduced to what the dispatcher needs: a ReceiveBuffer under its lock, acks recorded. */
    static final class FakeConsumer implements Consumer, ListenerDispatcher.Target {
        final ReentrantLock lock = new ReentrantLock();
        final ReceiveBuffer buffer = new ReceiveBuffer(lock, Integer.MAX_VALUE, () -> new QueueClosedException("closed"));
        final List<Long> autoAcked = Collections.synchronizedList(new ArrayList<>());
        volatile RuntimeException ackFailure;

        private <T> T locked(Supplier<T> action) {
            lock.lock();
            try {
                return action.get();
            } finally {
                lock.unlock();
            }
        }

        void offer(List<Message> batch) {
            locked(() -> buffer.offer(buffer.generation(), batch));
        }

        RuntimeException failure() {
            return locked(buffer::failure);
        }

        @Override
        public Consumer consumer() {
            return this;
        }

        @Override
        public Message nextForListener() {
            return locked(buffer::poll);
        }

        @Override
        public boolean hasNextForListener() {
            return locked(buffer::hasMessages);
        }

        @Override
        public void autoAck(MessageId id) {
            if (ackFailure != null) {
                throw ackFailure;
            }
            autoAcked.add(id.offset());
        }

        @Override
        public boolean fail(RuntimeException e) {
            return locked(() -> buffer.fail(e));
        }

        @Override public String topic() {
            return "t";
        }

        @Override public String subscription() {
            return "s";
        }

        @Override public List<Message> poll(int maxMessages, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override public void ack(MessageId id) {
            throw new UnsupportedOperationException();
        }

        @Override public void ackCumulative(MessageId id) {
            throw new UnsupportedOperationException();
        }

        @Override public void seek(MessageId id, boolean inclusive) {
            throw new UnsupportedOperationException();
        }

        @Override public void seekToTimestamp(long epochMillis) {
            throw new UnsupportedOperationException();
        }

        @Override public Optional<MessageId> latestMessageId() {
            throw new UnsupportedOperationException();
        }

        @Override public void close() {
        }
    }

    /** Records every report. */
    static final class RecordingErrors implements ListenerErrors {
        final List<String> reports = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void listenerFailed(Consumer consumer, Message message, RuntimeException e) {
            reports.add("listener " + message.id().offset() + " " + e.getMessage());
        }

        @Override
        public void autoAckFailed(Consumer consumer, Message message, RuntimeException e) {
            reports.add("auto-ack " + message.id().offset() + " " + e.getMessage());
        }

        @Override
        public void consumerStopped(Consumer consumer, RuntimeException e) {
            reports.add("stopped " + e.getMessage());
        }
    }

    /**
     * The listener's view: the order it saw and whether two calls ever overlapped. The first call lingers (up
     * to a second) until another call enters: a dispatcher that lets calls overlap is then caught however the
     * threads are scheduled, while a correct one only makes that first call wait.
     */
    static final class Observer implements MessageListener {
        final List<Long> seen = new ArrayList<>(); // plain list: overlapping calls would corrupt or reorder it
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();

        @Override
        public void received(Consumer consumer, Message message) {
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            if (message.id().offset() == 0) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (overlaps.get() == 0 && System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();
                }
            }
            seen.add(message.id().offset());
            inside.decrementAndGet();
        }
    }

    /**
     * Feeds {@link #MESSAGES} messages in batches of 10, calling dispatch after each as a backend does, then
     * waits until the buffer is drained and the executor idle.
     */
    private static Observer run(boolean broken, ExecutorService pool, FakeConsumer consumer) throws Exception {
        Observer observer = new Observer();
        Runnable dispatch = broken
                ? new BrokenListenerDispatcher(consumer, observer, pool)::dispatch
                : new ListenerDispatcher(consumer, observer, pool, false, new RecordingErrors())::dispatch;
        for (int i = 0; i < MESSAGES; i += 10) {
            consumer.offer(messages(i, 10));
            dispatch.run();
        }
        // Every message is taken once; wait until the buffer is drained and no call is running.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (consumer.hasNextForListener() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        return observer;
    }

    private static List<Long> inOrder() {
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < MESSAGES; i++) {
            expected.add(i);
        }
        return expected;
    }

    @Test
    void onAFourThreadExecutorCallsAreInOrderAndNeverOverlap() throws Exception {
        Observer o = run(false, Executors.newFixedThreadPool(4), new FakeConsumer());
        assertThat(o.overlaps.get()).isZero();
        synchronized (o.seen) {
            assertThat(o.seen).isEqualTo(inOrder());
        }
    }

    /** The same scenario against a dispatcher without the one-task-at-a-time flag: the test must catch it. */
    @Test
    void theScenarioCatchesADispatcherThatLetsTasksOverlap() throws Exception {
        Observer o = run(true, Executors.newFixedThreadPool(4), new FakeConsumer());
        boolean caught;
        synchronized (o.seen) {
            caught = o.overlaps.get() > 0 || !o.seen.equals(inOrder());
        }
        assertThat(caught).as("overlapping or reordered calls of the broken dispatcher are seen").isTrue();
    }

    @Test
    void withoutAnExecutorTheCallingThreadDeliversEverythingBuffered() {
        FakeConsumer consumer = new FakeConsumer();
        Observer observer = new Observer();
        ListenerDispatcher d = new ListenerDispatcher(consumer, observer, null, true, new RecordingErrors());
        consumer.offer(messages(0, 5));
        d.dispatch();
        assertThat(observer.seen).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(consumer.autoAcked).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void aRejectedExecutorFailsTheConsumerAndReportsIt() {
        FakeConsumer consumer = new FakeConsumer();
        RecordingErrors errors = new RecordingErrors();
        ListenerDispatcher d = new ListenerDispatcher(consumer, new Observer(), task -> {
            throw new RejectedExecutionException("full");
        }, false, errors);
        consumer.offer(messages(0, 1));
        d.dispatch();
        assertThat(consumer.failure()).isInstanceOf(RocksMqException.class)
                .hasMessageContaining("rejected").hasCauseInstanceOf(RejectedExecutionException.class);
        assertThat(consumer.hasNextForListener()).as("a failed consumer delivers nothing more").isFalse();
        assertThat(errors.reports).containsExactly("stopped " + consumer.failure().getMessage());
    }

    @Test
    void listenerAndAutoAckFailuresAreReportedNeverThrownAndDeliveryGoesOn() {
        FakeConsumer consumer = new FakeConsumer();
        RecordingErrors errors = new RecordingErrors();
        List<Long> seen = new ArrayList<>();
        ListenerDispatcher d = new ListenerDispatcher(consumer, (c, m) -> {
            seen.add(m.id().offset());
            if (m.id().offset() == 1) {
                throw new IllegalStateException("boom");
            }
        }, null, true, errors);
        consumer.ackFailure = new RocksMqException("commit failed");
        consumer.offer(messages(0, 3));
        d.dispatch(); // returns normally
        assertThat(seen).containsExactly(0L, 1L, 2L);
        assertThat(errors.reports).containsExactly(
                "auto-ack 0 commit failed", "listener 1 boom", "auto-ack 2 commit failed");
    }
}
