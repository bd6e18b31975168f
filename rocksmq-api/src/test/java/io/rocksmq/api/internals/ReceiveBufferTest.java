package io.rocksmq.api.internals;

import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.RocksMqException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReceiveBufferTest {
    private final ReentrantLock lock = new ReentrantLock();
    private final ReceiveBuffer buffer = new ReceiveBuffer(lock, 3, () -> new QueueClosedException("closed"));

    static Message message(long offset) {
        return new Message("t", MessageId.of(0, offset), new byte[0], Map.of(), null, 0);
    }

    static List<Message> messages(long from, int n) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(message(from + i));
        }
        return out;
    }

    private <T> T locked(java.util.function.Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private static List<Long> offsets(List<Message> ms) {
        return ms.stream().map(m -> m.id().offset()).toList();
    }

    @Test
    void takesInOrderAtMostMaxAndTracksRoom() {
        assertThat(locked(() -> buffer.offer(buffer.generation(), messages(0, 2)))).isTrue();
        assertThat(locked(buffer::room)).isEqualTo(1);
        assertThat(offsets(locked(() -> buffer.take(1, 0)))).containsExactly(0L);
        assertThat(offsets(locked(() -> buffer.take(5, 0)))).containsExactly(1L);
        assertThat(locked(() -> buffer.take(5, 0))).as("empty, no wait").isEmpty();
        assertThat(locked(buffer::room)).isEqualTo(3);
        assertThat(locked(buffer::poll)).isNull();
    }

    @Test
    void aFetchBegunBeforeAClearIsDropped() {
        long before = locked(buffer::generation);
        locked(() -> buffer.offer(before, messages(0, 1)));
        lock.lock();
        try {
            buffer.clear(); // a seek
        } finally {
            lock.unlock();
        }
        assertThat(locked(() -> buffer.offer(before, messages(1, 1)))).isFalse();
        assertThat(locked(buffer::size)).isZero();
        assertThat(locked(() -> buffer.offer(buffer.generation(), messages(5, 1)))).isTrue();
        assertThat(offsets(locked(() -> buffer.take(5, 0)))).containsExactly(5L);
    }

    @Test
    void aWaitingTakeIsWokenByAnOfferAndAFailure() throws Exception {
        CompletableFuture<List<Message>> waiting = parked(() -> locked(() -> buffer.take(5, TimeUnit.SECONDS.toNanos(30))));
        assertThat(waiting).isNotDone();
        locked(() -> buffer.offer(buffer.generation(), messages(7, 2)));
        assertThat(offsets(waiting.get(30, TimeUnit.SECONDS))).containsExactly(7L, 8L);

        CompletableFuture<List<Message>> failing = parked(() -> locked(() -> buffer.take(5, TimeUnit.SECONDS.toNanos(30))));
        assertThat(failing).isNotDone();
        RocksMqException why = new RocksMqException("subscription deleted");
        assertThat(locked(() -> buffer.fail(why))).isTrue();
        assertThatThrownBy(() -> failing.get(30, TimeUnit.SECONDS)).hasCause(why);
        assertThat(locked(() -> buffer.fail(new RocksMqException("second")))).as("first stop wins").isFalse();
        assertThat(locked(() -> buffer.offer(buffer.generation(), messages(9, 1)))).as("stopped: accepts nothing").isFalse();
        assertThatThrownBy(() -> locked(() -> buffer.take(1, 0))).isSameAs(why);
        assertThat(locked(buffer::close)).as("closing a failed buffer stops nothing running").isFalse();
        assertThatThrownBy(() -> locked(() -> buffer.take(1, 0))).isInstanceOf(QueueClosedException.class);
        assertThat(locked(buffer::failure)).as("kept after close").isSameAs(why);
    }

    @Test
    void aReaderWaitingForRoomIsWokenByATakeAndByClose() throws Exception {
        locked(() -> buffer.offer(buffer.generation(), messages(0, 3)));
        CompletableFuture<Boolean> reader = parked(() -> locked(buffer::awaitRoom));
        assertThat(reader).isNotDone();
        locked(() -> buffer.take(1, 0));
        assertThat(reader.get(30, TimeUnit.SECONDS)).isTrue();

        locked(() -> buffer.offer(buffer.generation(), messages(3, 1)));
        CompletableFuture<Boolean> stopped = parked(() -> locked(buffer::awaitRoom));
        assertThat(stopped).isNotDone();
        assertThat(locked(buffer::close)).isTrue();
        assertThat(stopped.get(30, TimeUnit.SECONDS)).as("false: the consumer stopped").isFalse();
        assertThat(locked(buffer::size)).as("stopping empties the buffer").isZero();
    }

    @Test
    void everyCallDemandsTheOwnersLock() {
        boolean assertionsOn = false;
        assert assertionsOn = true;
        if (assertionsOn) {
            assertThatThrownBy(buffer::room).isInstanceOf(AssertionError.class);
        }
    }

    /** Runs {@code action} on a new thread and returns once that thread is parked (waiting in the buffer). */
    private static <T> CompletableFuture<T> parked(java.util.function.Supplier<T> action) throws InterruptedException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(action.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        t.start();
        while (!result.isDone() && t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(1);
        }
        return result;
    }
}
