package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.internals.Durations;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The wake-up handle of one consumer of a consumer group, from {@link RocksMq#registerConsumer}.
 *
 * <p>Use it as a loop that never loses a wake-up:
 * <pre>{@code
 * try (ConsumerRegistration reg = mq.registerConsumer("orders", "billing")) {
 *     while (true) {
 *         List<ConsumerMessage> batch = mq.consume("orders", "billing", 1000);
 *         if (!batch.isEmpty()) { handle(batch); continue; }      // drain first
 *         AwaitResult r = reg.await(Duration.ofSeconds(1));        // then wait
 *         if (r.isTerminal()) break;                                // destroyed / closed
 *     }
 * }
 * }</pre>
 * {@link #await} compares a sequence against the value it saw when it last returned (or when the
 * registration was made): any produce to the topic, {@link RocksMq#notifyGroup}, or seek of the group after
 * that point makes it return {@link AwaitResult#SIGNALLED} at once, so a produce that lands between
 * an empty {@code consume} and the {@code await} is never missed. Wake-ups may be spurious.
 *
 * <p>A registration belongs to one consumer-group incarnation: once that group is destroyed,
 * {@code await} returns {@link AwaitResult#GROUP_DESTROYED} forever, even if a group of the same name
 * is created again (register anew for that one).
 *
 * <p>Thread-safe, but at most one thread may be inside {@link #await} at a time (a second concurrent
 * caller gets {@link IllegalStateException}); {@link #close()} may be called from any thread.
 */
public final class ConsumerRegistration implements AutoCloseable {
    private final Topic topic;
    private final ConsumerGroup group;
    /** Null while live; the first terminal result set wins and is final. */
    private final AtomicReference<AwaitResult> terminal = new AtomicReference<>();
    /** The thread inside await(), published before it parks (see TopicSignal). */
    private final AtomicReference<Thread> waiter = new AtomicReference<>();
    /** Sequence value last returned to the consumer; touched only by the thread owning {@link #waiter}. */
    private long seen;

    ConsumerRegistration(Topic topic, ConsumerGroup group) {
        this.topic = topic;
        this.group = group;
        this.seen = currentSequence();
    }

    /** The topic name. */
    public String topic() {
        return topic.name();
    }

    /** The consumer group name. */
    public String group() {
        return group.name();
    }

    /**
     * Blocks until messages may be available for the group, the timeout elapses, or the registration
     * ends (group destroyed, queue closed, registration closed).
     *
     * <p>If the calling thread is interrupted (before or while waiting) it returns
     * {@link AwaitResult#TIMED_OUT} early and leaves the interrupt status set.
     *
     * @param timeout how long to wait at most; zero checks without blocking
     * @return why it returned; terminal results repeat on every later call
     * @throws InvalidArgumentException if the timeout is null or negative
     * @throws IllegalStateException    if another thread is already awaiting on this registration
     */
    public AwaitResult await(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new InvalidArgumentException("timeout must be zero or positive, was " + timeout);
        }
        Thread me = Thread.currentThread();
        if (!waiter.compareAndSet(null, me)) {
            throw new IllegalStateException("another thread is already awaiting on this registration");
        }
        try {
            long remaining = Durations.saturatedNanos(timeout); // deadline arithmetic below wraps safely
            long deadline = System.nanoTime() + remaining;
            TopicSignal signal = topic.signal();
            while (true) {
                AwaitResult end = terminal.get();
                if (end != null) {
                    return end;
                }
                long current = currentSequence();
                if (current != seen) {
                    // Re-check: an end that raced the sequence read wins, so a registration whose group
                    // is destroyed never reports SIGNALLED after the end (keeps await linearizable).
                    end = terminal.get();
                    if (end != null) {
                        return end;
                    }
                    seen = current;
                    return AwaitResult.SIGNALLED;
                }
                if (remaining <= 0 || me.isInterrupted()) {
                    // An interrupted thread's park returns at once: waiting on would spin until the deadline.
                    return AwaitResult.TIMED_OUT;
                }
                signal.beforePark();
                try {
                    // Re-check after announcing ourselves: a signal before the announcement is seen
                    // here, a signal after it sees parked > 0 and unparks us.
                    if (terminal.get() == null && currentSequence() == seen) {
                        LockSupport.parkNanos(this, remaining);
                    }
                } finally {
                    signal.afterPark();
                }
                remaining = deadline - System.nanoTime();
            }
        } finally {
            waiter.set(null);
        }
    }

    /** True once the registration has ended (group destroyed, queue closed, or closed by the consumer). */
    public boolean isTerminal() {
        return terminal.get() != null;
    }

    /** Ends this registration: a concurrent or later {@link #await} returns UNREGISTERED. Idempotent. */
    @Override
    public void close() {
        if (end(AwaitResult.UNREGISTERED)) {
            topic.unregister(this);
        }
    }

    ConsumerGroup consumerGroup() {
        return group;
    }

    /** Sets the terminal result if none is set yet and wakes the waiter. */
    boolean end(AwaitResult result) {
        boolean won = terminal.compareAndSet(null, result);
        unparkWaiter();
        return won;
    }

    void unparkWaiter() {
        Thread t = waiter.get();
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private long currentSequence() {
        // Both counters only grow, so their sum changes whenever either does.
        return topic.signal().sequence() + group.signals();
    }
}
