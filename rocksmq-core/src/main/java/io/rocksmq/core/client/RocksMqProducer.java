package io.rocksmq.core.client;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.internals.AutoDeduplicationIds;
import io.rocksmq.api.internals.Threads;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.ScheduleHandle;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded {@link Producer}: sends queue up, and one sender thread per producer writes them with
 * {@link RocksMq#produce} in batches (group commit). Every send that arrives while a write is in
 * progress joins the next batch; with a linger the sender also waits that long after the oldest
 * pending send. Ids therefore follow acceptance order, and a failed write fails exactly its batch.
 * With a {@link ProducerOptions#producerName()} each message without a deduplication id of its own gets
 * an automatic one ({@link AutoDeduplicationIds}), numbered when the send is queued (so a batch's
 * automatic sequences ascend) and handed to the queue as (prefix, sequence) without a string
 * ({@link RocksMq#produceWithSequenceIds}). This producer never resends (a write is atomic: a
 * failed one stored nothing), so here the ids only make its messages behave as on the other backends.
 *
 * <h2>Locks</h2>
 * {@link #lock} guards the queue, the pending counters, {@link #flushing}, {@link #closing} and
 * {@link #lastAccepted}; it is never held during the write, so senders keep queueing while it runs.
 *
 * <p>Thread-safe.
 */
final class RocksMqProducer implements Producer {
    private final RocksMqClient client;
    private final RocksMq mq;
    private final String topic;
    private final int maxMessages;
    private final int maxBytes;
    private final long lingerNanos;
    private final int maxPending;
    private final Thread sender;
    /** Automatic deduplication ids, or null ({@link ProducerOptions#producerName()}). */
    private final AutoDeduplicationIds autoIds;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a send is queued, a flush starts, or the producer closes. */
    private final Condition queued = lock.newCondition();
    /** Signalled when a batch completes (room for blocked senders) or the producer closes. */
    private final Condition drained = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** Queued plus being written: what {@link ProducerOptions#maxPendingMessages()} bounds. */
    private int pending;
    /** Flushes in progress: while positive the sender does not linger. */
    private int flushing;
    private boolean closing;
    /** The newest accepted send; it completes after every earlier one (one sender, batches in order). */
    private CompletableFuture<MessageId> lastAccepted;

    /** Writes made, for tests of the batching. */
    private final AtomicLong batchesWritten = new AtomicLong();

    /** A queued send; {@code sequence} its automatic id's sequence, or -1 (none, or an id of its own). */
    private record Pending(ProducerMessage message, long sequence, CompletableFuture<MessageId> future,
                           long acceptedNanos) {
    }

    RocksMqProducer(RocksMqClient client, RocksMq mq, ProducerOptions options) {
        this.client = client;
        this.mq = mq;
        this.topic = options.topic();
        this.maxMessages = options.batchingMaxMessages();
        this.maxBytes = options.batchingMaxBytes();
        this.lingerNanos = options.batchingMaxDelay().toNanos();
        this.maxPending = options.maxPendingMessages();
        this.autoIds = AutoDeduplicationIds.of(options);
        this.sender = new Thread(this::runSender, "rocksmq-producer-" + topic);
        this.sender.setDaemon(true);
    }

    void start() {
        sender.start();
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public CompletableFuture<MessageId> sendAsync(OutgoingMessage message) {
        if (message == null) {
            throw new InvalidArgumentException("message must not be null");
        }
        if (message.scheduled()) {
            throw new InvalidArgumentException("message has a delivery time: use schedule()");
        }
        ProducerMessage encoded = MessageMapper.encode(message);
        boolean autoId = autoIds != null && encoded.deduplicationId() == null;
        mq.config().checkMessageSize(encoded); // here, not in the combined produce it would fail whole
        CompletableFuture<MessageId> future = new CompletableFuture<>();
        lock.lock();
        try {
            while (!closing && pending >= maxPending) {
                Threads.await(drained, "waiting for room to send");
            }
            if (closing) {
                throw new QueueClosedException("producer of topic '" + topic + "' is closed");
            }
            // numbered under the lock: queue order is sequence order, so a batch's sequences ascend (one run)
            queue.add(new Pending(encoded, autoId ? autoIds.nextSequence() : -1, future, System.nanoTime()));
            queuedBytes += encoded.payload().length;
            pending++;
            lastAccepted = future;
            queued.signal();
        } finally {
            lock.unlock();
        }
        return future;
    }

    /** Stored by the queue's schedule directly (no batching: its order against sends does not matter). */
    @Override
    public String schedule(OutgoingMessage message) {
        if (message == null || !message.scheduled()) {
            throw new InvalidArgumentException("message must not be null and must have a delivery time");
        }
        ProducerMessage encoded = MessageMapper.encode(message);
        requireOpen();
        return mq.schedule(topic, encoded).token();
    }

    @Override
    public void cancelScheduled(String handle) {
        ScheduleHandle parsed = ScheduleHandle.parse(topic, handle);
        requireOpen();
        mq.cancelScheduled(parsed);
    }

    private void requireOpen() {
        lock.lock();
        try {
            if (closing) {
                throw new QueueClosedException("producer of topic '" + topic + "' is closed");
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() {
        CompletableFuture<MessageId> last;
        lock.lock();
        try {
            if (closing) {
                throw new QueueClosedException("producer of topic '" + topic + "' is closed");
            }
            last = lastAccepted;
            if (last == null || last.isDone()) {
                return;
            }
            flushing++;
            queued.signal();
        } finally {
            lock.unlock();
        }
        try {
            awaitQuietly(last);
        } finally {
            lock.lock();
            try {
                flushing--;
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            queued.signalAll();
            drained.signalAll();
        } finally {
            lock.unlock();
        }
        // The sender drains the queue before it exits, so joining it is "send what is pending".
        Threads.joinUninterruptibly(sender);
        client.producerClosed(this);
    }

    long batchesWritten() {
        return batchesWritten.get();
    }

    private void runSender() {
        while (true) {
            List<Pending> batch = nextBatch();
            if (batch == null) {
                return;
            }
            write(batch);
            lock.lock();
            try {
                pending -= batch.size();
                drained.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Waits for sends and the linger; null once closing and nothing is left. */
    private List<Pending> nextBatch() {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closing) {
                    return null;
                }
                queued.awaitUninterruptibly();
            }
            if (lingerNanos > 0) {
                long deadline = queue.peekFirst().acceptedNanos() + lingerNanos;
                while (!closing && flushing == 0 && queue.size() < maxMessages && queuedBytes < maxBytes) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        break;
                    }
                    try {
                        queued.awaitNanos(remaining);
                    } catch (InterruptedException e) {
                        // Nobody interrupts the sender but close(); lingering is optional, so just write.
                        break;
                    }
                }
            }
            List<Pending> batch = new ArrayList<>(Math.min(queue.size(), maxMessages));
            long bytes = 0;
            while (!queue.isEmpty() && batch.size() < maxMessages) {
                int size = queue.peekFirst().message().payload().length;
                if (!batch.isEmpty() && bytes + size > maxBytes) {
                    break;
                }
                Pending p = queue.pollFirst();
                bytes += size;
                batch.add(p);
            }
            queuedBytes -= bytes;
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void write(List<Pending> batch) {
        List<ProducerMessage> messages = new ArrayList<>(batch.size());
        long[] sequences = autoIds == null ? null : new long[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            messages.add(p.message());
            if (sequences != null) {
                sequences[i] = p.sequence();
            }
        }
        long[] ids;
        try {
            ids = sequences == null ? mq.produce(topic, messages)
                    : mq.produceWithSequenceIds(topic, messages, autoIds.prefix(), sequences, mq.config().durability());
            batchesWritten.incrementAndGet();
        } catch (Throwable t) {
            for (Pending p : batch) {
                p.future().completeExceptionally(t);
            }
            if (t instanceof Error e) {
                throw e;
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).future().complete(MessageId.of(MessageMapper.PARTITION, ids[i]));
        }
    }

    private static void awaitQuietly(CompletableFuture<?> f) {
        boolean interrupted = false;
        while (true) {
            try {
                f.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break; // its sender gets the failure; flush only waits
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
