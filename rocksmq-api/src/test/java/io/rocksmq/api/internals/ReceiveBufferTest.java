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

    /** A message of {@code size} payload bytes. */
    static Message sized(long offset, int size) {
        return new Message("t", MessageId.of(0, offset), new byte[size], Map.of(), null, 0);
    }

    @Test
    void theByteBoundLimitsWhatFitsButAnEmptyBufferTakesOneLargerMessage() {
        ReceiveBuffer bytes = new ReceiveBuffer(lock, 100, 10, () -> new QueueClosedException("closed"));
        List<Message> big = List.of(sized(0, 25), sized(1, 1));
        lock.lock();
        try {
            assertThat(bytes.fitting(big)).as("the first message goes alone into an empty buffer").isEqualTo(1);
            bytes.offer(bytes.generation(), big.subList(0, 1));
            assertThat(bytes.bytes()).isEqualTo(25);
            assertThat(bytes.hasRoom()).isFalse();
            assertThat(bytes.roomBytes()).isZero();
            assertThat(bytes.fitting(List.of(sized(1, 1)))).as("nothing more while over the bound").isZero();
            assertThat(offsets(bytes.take(5, 0))).containsExactly(0L);
            assertThat(bytes.bytes()).isZero();

            List<Message> four = List.of(sized(1, 4), sized(2, 4), sized(3, 4), sized(4, 1));
            assertThat(bytes.fitting(four)).as("4 + 4 fit in 10, a third 4 does not").isEqualTo(2);
            bytes.offer(bytes.generation(), four.subList(0, 2));
            assertThat(bytes.roomBytes()).isEqualTo(2);
            assertThat(bytes.hasRoom()).isTrue();
            assertThat(bytes.fitting(List.of(sized(3, 4)))).isZero();
            assertThat(bytes.fitting(List.of(sized(3, 2), sized(4, 1)))).isEqualTo(1);

            assertThat(bytes.poll().id().offset()).isEqualTo(1);
            assertThat(bytes.bytes()).isEqualTo(4);
            bytes.clear();
            assertThat(bytes.bytes()).as("a seek drops the bytes with the messages").isZero();
        } finally {
            lock.unlock();
        }
    }

    @Test
    void aTakeBoundedByBytesTakesAtLeastOneMessage() {
        ReceiveBuffer bytes = new ReceiveBuffer(lock, 100, 1000, () -> new QueueClosedException("closed"));
        lock.lock();
        try {
            bytes.offer(bytes.generation(), List.of(sized(0, 30), sized(1, 30), sized(2, 30), sized(3, 5)));
            assertThat(offsets(bytes.take(10, 10, 0))).as("larger than the bound: alone").containsExactly(0L);
            assertThat(offsets(bytes.take(10, 60, 0))).containsExactly(1L, 2L);
            assertThat(bytes.bytes()).isEqualTo(5);
            assertThat(offsets(bytes.take(10, 60, 0))).containsExactly(3L);
            assertThat(bytes.bytes()).isZero();
        } finally {
            lock.unlock();
        }
    }

    @Test
    void aReaderWaitingForRoomForOneMessageIsWokenWhenItFits() throws Exception {
        ReceiveBuffer bytes = new ReceiveBuffer(lock, 100, 10, () -> new QueueClosedException("closed"));
        locked(() -> bytes.offer(bytes.generation(), List.of(sized(0, 4), sized(1, 4))));
        CompletableFuture<Boolean> reader = parked(() -> locked(() -> bytes.awaitRoomFor(5)));
        assertThat(reader).isNotDone();
        locked(() -> bytes.take(1, 0));
        assertThat(reader.get(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Boolean> larger = parked(() -> locked(() -> bytes.awaitRoomFor(50)));
        assertThat(larger).as("larger than the bound: waits for an empty buffer").isNotDone();
        locked(() -> bytes.take(1, 0));
        assertThat(larger.get(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void bytesStayTheSumOfWhatIsBufferedThroughOffersTakesPollsAndClears() {
        ReceiveBuffer b = new ReceiveBuffer(lock, 10_000, Long.MAX_VALUE, () -> new QueueClosedException("closed"));
        java.util.ArrayDeque<Message> model = new java.util.ArrayDeque<>();
        java.util.Random random = new java.util.Random(42);
        long next = 0;
        lock.lock();
        try {
            for (int step = 0; step < 5_000; step++) {
                int op = random.nextInt(10);
                if (op < 5) {
                    List<Message> batch = new ArrayList<>();
                    for (int i = random.nextInt(40); i > 0; i--) {
                        batch.add(sized(next++, random.nextInt(100)));
                    }
                    b.offer(b.generation(), batch);
                    model.addAll(batch);
                } else if (op < 8) {
                    long maxBytes = 1 + random.nextInt(500);
                    int max = 1 + random.nextInt(30);
                    List<Message> got = b.take(max, maxBytes, 0);
                    long taken = 0;
                    for (Message m : got) {
                        assertThat(m).isSameAs(model.pollFirst());
                        taken += m.payload().length;
                    }
                    assertThat(got.size() == 1 || taken <= maxBytes).isTrue();
                    if (!model.isEmpty() && got.size() < max) { // stopped by the bytes: the next did not fit
                        assertThat(taken + model.peekFirst().payload().length).isGreaterThan(maxBytes);
                    }
                } else if (op < 9) {
                    assertThat(b.poll()).isSameAs(model.pollFirst());
                } else if (random.nextInt(10) == 0) {
                    b.clear();
                    model.clear();
                }
                assertThat(b.bytes()).isEqualTo(model.stream().mapToLong(m -> m.payload().length).sum());
                assertThat(b.size()).isEqualTo(model.size());
            }
        } finally {
            lock.unlock();
        }
    }

    @Test
    void aByteBoundMustBePositive() {
        assertThatThrownBy(() -> new ReceiveBuffer(lock, 1, 0, () -> new QueueClosedException("closed")))
                .isInstanceOf(IllegalArgumentException.class);
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
