package io.rocksmq.kafka;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.internals.AckRing;
import io.rocksmq.api.internals.ListenerDispatcher;
import io.rocksmq.api.internals.ReceiveBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a {@link KafkaMqConsumer}'s application threads and its poll loop ({@link KafkaPollWorker}) share:
 * the receive buffer, the per-partition acknowledgement state, the requests the poll loop must carry
 * out on the {@code KafkaConsumer} (which only its thread may touch), and the wake-up protocol.
 *
 * <h2>Wake-ups</h2>
 * The poll loop blocks in {@code KafkaConsumer.poll(timeout)}, Kafka's long poll. Whoever gives it work
 * while it is there (a seek, a commit, room in a full buffer, close) calls {@code KafkaConsumer.wakeup()},
 * which makes the poll return at once. {@link #polling} says whether the loop is in (or committed to
 * entering) the poll: the loop sets it in {@link #prepareToPoll()} only when no work is pending, and a
 * producer of work clears it and wakes the loop, both under {@link #lock}, so no work waits for a poll
 * timeout and at most one wake-up is issued per poll (a stray one only makes the loop's next blocking
 * call return early, which the loop retries).
 *
 * <h2>Locks</h2>
 * {@link #lock} guards every field below; nothing that talks to Kafka, and no listener, runs under it.
 *
 * <p>Thread-safe.
 */
final class ConsumerState {
    /** What the poll loop should do next, from {@link #prepareToPoll()}. */
    enum Next {
        /** Work arrived or the consumer stops: do not poll, loop. */
        AGAIN,
        /** Poll with every partition fetching. */
        POLL,
        /** Poll with every partition paused: the buffer has no room for another poll's worth. */
        POLL_PAUSED
    }

    /** A seek the poll loop carries out; {@code future} completes when it is done and persisted. */
    sealed interface Request permits SeekToId, SeekToTime {
        CompletableFuture<Void> future();
    }

    record SeekToId(int partition, long offset, boolean inclusive, CompletableFuture<Void> future) implements Request {
    }

    record SeekToTime(long epochMillis, CompletableFuture<Void> future) implements Request {
    }

    /** Work handed to the poll loop by {@link #takeWork()}. */
    record Work(boolean stop, List<Request> requests, List<CompletableFuture<Void>> commitWaiters, boolean commit) {
    }

    private final String topic;
    private final String subscription;
    /** Records one poll may return ({@code max.poll.records}); the loop polls only when the buffer has that much room. */
    private final int batch;
    private final Runnable wakeup;

    final ReentrantLock lock = new ReentrantLock();
    /** The read-ahead buffer and whether the consumer still runs (closed, or failed with a cause). */
    private final ReceiveBuffer buffer;
    private final Map<Integer, AckRing> partitions = new HashMap<>();
    private final ArrayDeque<Request> requests = new ArrayDeque<>();
    /** Callers of a synchronous ack waiting for the next commit. */
    private List<CompletableFuture<Void>> commitWaiters = new ArrayList<>();
    /** Acknowledgements to commit without anyone waiting (async commit mode, auto-ack). */
    private boolean commitWanted;
    private boolean polling;
    private boolean pausedForRoom;
    /** Push delivery, or null; set once before the poll loop starts (thread start orders it). */
    private ListenerDispatcher dispatcher;

    /**
     * @param capacity     the receive buffer's bound in messages
     * @param byteCapacity its bound in payload bytes: the loop pauses fetching once the buffer holds this
     *                     many (one Kafka poll may exceed it)
     */
    ConsumerState(String topic, String subscription, int capacity, long byteCapacity, int batch, Map<Integer, Long> start,
                  Runnable wakeup) {
        this.topic = topic;
        this.subscription = subscription;
        this.batch = batch;
        this.wakeup = wakeup;
        this.buffer = new ReceiveBuffer(lock, capacity, byteCapacity, this::closedException);
        start.forEach((p, offset) -> partitions.put(p, new AckRing(offset)));
    }

    /** Delivers to a listener from now on: after each buffered poll, and reports failures. Before the loop starts. */
    void listenWith(ListenerDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    // ------------------------------------------------------------------ application side

    /**
     * Up to {@code max} buffered messages, waiting up to {@code nanos} for the first; marks them
     * acknowledged if {@code autoAck}. Empty if none arrived in time or the thread was interrupted (its
     * interrupt status set).
     */
    List<Message> take(int max, long nanos, boolean autoAck) {
        boolean wake;
        List<Message> out;
        lock.lock();
        try {
            out = buffer.take(max, nanos);
            for (Message m : out) {
                partitions.get(m.id().partition()).delivered(m.id().offset());
            }
            if (autoAck && !out.isEmpty()) {
                for (Message m : out) {
                    partitions.get(m.id().partition()).ack(m.id().offset());
                }
                commitWanted = true;
            }
            wake = wakeIfNeededLocked(autoAck && !out.isEmpty());
        } finally {
            lock.unlock();
        }
        if (wake) {
            wakeup.run();
        }
        return out;
    }

    /** The next buffered message for the listener, marked delivered; null if none or the consumer stopped. */
    Message nextForListener() {
        boolean wake;
        Message m;
        lock.lock();
        try {
            m = buffer.poll();
            if (m == null) {
                return null;
            }
            partitions.get(m.id().partition()).delivered(m.id().offset());
            wake = wakeIfNeededLocked(false);
        } finally {
            lock.unlock();
        }
        if (wake) {
            wakeup.run();
        }
        return m;
    }

    /** Whether {@link #nextForListener()} would return a message. */
    boolean hasNextForListener() {
        lock.lock();
        try {
            return buffer.hasMessages();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Acknowledges one message ({@code cumulative}: and every earlier one read from its partition).
     *
     * @return a future completed by the next commit if {@code waitForCommit} and the committable position
     *         moved; null if nothing needs committing or nobody waits
     * @throws InvalidArgumentException if the id's partition is not one this consumer reads
     */
    CompletableFuture<Void> ack(MessageId id, boolean cumulative, boolean waitForCommit) {
        CompletableFuture<Void> future = null;
        boolean wake;
        lock.lock();
        try {
            buffer.checkUsable();
            AckRing acks = partitions.get(id.partition());
            if (acks == null) {
                throw new InvalidArgumentException("message id " + id + " is of partition " + id.partition()
                        + ", which this consumer of topic '" + topic + "' does not read (partitions "
                        + partitions.keySet() + ")");
            }
            boolean moved = cumulative ? acks.ackUpTo(id.offset()) : acks.ack(id.offset());
            if (!moved) {
                return null;
            }
            if (waitForCommit) {
                future = new CompletableFuture<>();
                commitWaiters.add(future);
            } else {
                commitWanted = true;
            }
            wake = wakeIfPollingLocked();
        } finally {
            lock.unlock();
        }
        if (wake) {
            wakeup.run();
        }
        return future;
    }

    /**
     * Marks a message acknowledged for auto-ack; committed asynchronously. Does nothing once closed;
     * throws the failure if the consumer failed (its topic or subscription was deleted).
     */
    void autoAck(MessageId id) {
        boolean wake = false;
        lock.lock();
        try {
            if (buffer.isClosed()) {
                return;
            }
            buffer.checkUsable();
            AckRing acks = partitions.get(id.partition());
            if (acks != null && acks.ack(id.offset())) {
                commitWanted = true;
                wake = wakeIfPollingLocked();
            }
        } finally {
            lock.unlock();
        }
        if (wake) {
            wakeup.run();
        }
    }

    /** Hands a seek to the poll loop; the caller waits on its future. */
    void submit(Request request) {
        boolean wake;
        lock.lock();
        try {
            buffer.checkUsable();
            if (request instanceof SeekToId s && !partitions.containsKey(s.partition())) {
                throw new InvalidArgumentException("partition " + s.partition() + " is not one this consumer of"
                        + " topic '" + topic + "' reads (partitions " + partitions.keySet() + ")");
            }
            requests.addLast(request);
            wake = wakeIfPollingLocked();
        } finally {
            lock.unlock();
        }
        if (wake) {
            wakeup.run();
        }
    }

    /** Closes: later calls throw {@link QueueClosedException}. False if it was already closed. */
    boolean close() {
        return stop(null);
    }

    /** Stops the consumer with {@code e}, thrown by later calls. False if it had already stopped. */
    boolean fail(RuntimeException e) {
        return stop(e);
    }

    boolean isClosed() {
        lock.lock();
        try {
            return buffer.isClosed();
        } finally {
            lock.unlock();
        }
    }

    QueueClosedException closedException() {
        return new QueueClosedException("consumer of subscription '" + subscription + "' on topic '" + topic
                + "' is closed");
    }

    // ------------------------------------------------------------------ poll-loop side

    /** Takes the pending work; {@code stop} once the consumer is closed or failed. */
    Work takeWork() {
        lock.lock();
        try {
            boolean stop = buffer.isStopped();
            List<Request> r = requests.isEmpty() ? List.of() : new ArrayList<>(requests);
            requests.clear();
            List<CompletableFuture<Void>> waiters = commitWaiters;
            if (!waiters.isEmpty()) {
                commitWaiters = new ArrayList<>();
            }
            boolean commit = commitWanted || !waiters.isEmpty();
            commitWanted = false;
            return new Work(stop, r, waiters, commit);
        } finally {
            lock.unlock();
        }
    }

    /** Decides whether to poll, and marks the loop as polling so that new work wakes it. */
    Next prepareToPoll() {
        lock.lock();
        try {
            if (buffer.isStopped() || !requests.isEmpty() || !commitWaiters.isEmpty() || commitWanted) {
                return Next.AGAIN;
            }
            polling = true;
            pausedForRoom = buffer.room() < batch || !buffer.hasRoom();
            return pausedForRoom ? Next.POLL_PAUSED : Next.POLL;
        } finally {
            lock.unlock();
        }
    }

    /** The poll returned (or was woken). */
    void polled() {
        lock.lock();
        try {
            polling = false;
        } finally {
            lock.unlock();
        }
    }

    /** Buffers what a poll returned, unless the consumer stopped meanwhile, and hands it to the listener. */
    boolean publish(List<Message> messages) {
        if (!buffer(messages)) {
            return false;
        }
        if (dispatcher != null) {
            dispatcher.dispatch();
        }
        return true;
    }

    private boolean buffer(List<Message> messages) {
        lock.lock();
        try {
            if (!buffer.offer(buffer.generation(), messages)) {
                return false;
            }
            for (Message m : messages) {
                AckRing acks = partitions.get(m.id().partition());
                if (m.id().offset() < acks.next()) {
                    // Kafka reset the partition backwards (its offset fell out of range after a truncation):
                    // what was read beyond it no longer exists as read, so reading restarts here.
                    acks.reset(m.id().offset());
                }
                acks.read(m.id().offset());
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Per partition, where the committed offset may move: the first unacknowledged offset read, or the next to read. */
    Map<Integer, Long> positions() {
        lock.lock();
        try {
            Map<Integer, Long> out = new HashMap<>();
            partitions.forEach((p, acks) -> out.put(p, acks.position()));
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Restarts reading at {@code positions} (every partition): drops the buffer and all acknowledgement
     * state, as a seek does.
     */
    void reset(Map<Integer, Long> positions) {
        lock.lock();
        try {
            buffer.clear();
            positions.forEach((p, offset) -> partitions.computeIfAbsent(p, k -> new AckRing(offset)).reset(offset));
        } finally {
            lock.unlock();
        }
    }

    /** Starts reading partitions added to the topic. */
    void addPartitions(Map<Integer, Long> start) {
        lock.lock();
        try {
            start.forEach((p, offset) -> partitions.putIfAbsent(p, new AckRing(offset)));
        } finally {
            lock.unlock();
        }
    }

    /** True if the consumer stopped through {@link #fail} (even if it was closed afterwards). */
    boolean failed() {
        lock.lock();
        try {
            return buffer.failure() != null;
        } finally {
            lock.unlock();
        }
    }

    /** Fails every request and waiter still pending; the poll loop's last act. */
    void abandonPending() {
        List<Request> r;
        List<CompletableFuture<Void>> waiters;
        RuntimeException why;
        lock.lock();
        try {
            r = new ArrayList<>(requests);
            requests.clear();
            waiters = commitWaiters;
            commitWaiters = new ArrayList<>();
            why = buffer.failure() != null ? buffer.failure() : closedException();
        } finally {
            lock.unlock();
        }
        r.forEach(req -> req.future().completeExceptionally(why));
        waiters.forEach(w -> w.completeExceptionally(why));
    }

    /** Read but unacknowledged messages, including buffered ones (tests). */
    int unacknowledged() {
        lock.lock();
        try {
            int n = 0;
            for (AckRing acks : partitions.values()) {
                n += acks.unacknowledged();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    int buffered() {
        lock.lock();
        try {
            return buffer.size();
        } finally {
            lock.unlock();
        }
    }

    long bufferedBytes() {
        lock.lock();
        try {
            return buffer.bytes();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ internals

    private boolean stop(RuntimeException e) {
        boolean wake;
        lock.lock();
        try {
            // Closing a failed consumer still marks it closed: later calls then say "closed".
            if (!(e == null ? buffer.close() : buffer.fail(e))) {
                return false;
            }
            wake = wakeIfPollingLocked();
        } finally {
            lock.unlock();
        }
        if (wake) {
            wakeup.run();
        }
        if (e != null && dispatcher != null) {
            dispatcher.reportStopped(e);
        }
        return true;
    }

    /** Under {@link #lock}: after a take, wakes a loop that paused for room once there is room again. */
    private boolean wakeIfNeededLocked(boolean workAdded) {
        if (pausedForRoom && buffer.room() >= batch && buffer.hasRoom()) {
            pausedForRoom = false;
            return wakeIfPollingLocked();
        }
        return workAdded && wakeIfPollingLocked();
    }

    private boolean wakeIfPollingLocked() {
        if (polling) {
            polling = false;
            return true;
        }
        return false;
    }
}
