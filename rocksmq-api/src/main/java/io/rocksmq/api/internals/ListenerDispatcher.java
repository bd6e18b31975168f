package io.rocksmq.api.internals;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MessageListener;
import io.rocksmq.api.RocksMqException;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Push delivery of one consumer to its {@link MessageListener}, the same on every backend: messages reach
 * the listener in buffer order, one call at a time, and each call happens-after the previous one.
 *
 * <p>The backend calls {@link #dispatch()} after it buffered messages. Without an executor the calling
 * thread (the consumer's own delivery thread) runs the listener until the buffer is empty, so a slow
 * listener stops reading: backpressure. With one, at most one task of this consumer is queued or running
 * on the executor at any time ({@link #scheduled}); a task handles at most {@link #MESSAGES_PER_TASK}
 * messages, then yields the executor thread and reschedules itself if more are buffered. The CAS on
 * {@link #scheduled} orders consecutive tasks, so calls never overlap even on a multi-threaded executor.
 *
 * <p>Errors go to {@link ListenerErrors}, never to the application: a listener that throws leaves its
 * message unacknowledged; a failed auto-ack is reported; an executor that rejects a task stops the
 * consumer ({@link Target#fail}).
 *
 * <p>Thread-safe.
 */
public final class ListenerDispatcher {
    /** Messages one executor task handles before yielding its thread. */
    public static final int MESSAGES_PER_TASK = 256;

    /** What the dispatcher needs from its consumer. Implementations are thread-safe. */
    public interface Target {
        /** The consumer the listener is given. */
        Consumer consumer();

        /** The next buffered message, marked as delivered; null if none or the consumer stopped. */
        Message nextForListener();

        /** Whether {@link #nextForListener()} would return a message. */
        boolean hasNextForListener();

        /**
         * Acknowledges a message the listener handled (auto-ack). Does nothing once the application closed
         * the consumer (a listener may close it); throws if the consumer failed or the acknowledgement did.
         */
        void autoAck(MessageId id);

        /** Stops the consumer with {@code e}; false if it had already stopped. */
        boolean fail(RuntimeException e);

        /**
         * The listener threw on {@code m} (already reported). A SHARED consumer releases the message here so
         * that another delivery comes without waiting for the lock to expire; the default does nothing (an
         * EXCLUSIVE one delivers it again after a reconnect). Must not throw.
         */
        default void listenerFailed(Message m) {
        }
    }

    private final Target target;
    private final MessageListener listener;
    /** Null: run on the thread calling {@link #dispatch()}. */
    private final Executor executor;
    private final boolean autoAck;
    private final ListenerErrors errors;
    /**
     * Null: {@link #dispatch()} schedules on the calling thread. Otherwise the thread it hands scheduling
     * to, for a backend whose calling thread must never run the listener: the application's executor may
     * run tasks on the calling thread ({@code Runnable::run}), and a listener there that acknowledges
     * would wait for that very thread (a gRPC stream's callback thread, a Kafka poll thread).
     */
    private final Executor handoff;
    /** True while a task is queued or running on {@link #executor}. */
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /**
     * @param executor null to run the listener on the thread calling {@link #dispatch()}
     */
    public ListenerDispatcher(Target target, MessageListener listener, Executor executor, boolean autoAck,
                              ListenerErrors errors) {
        this(target, listener, executor, null, autoAck, errors);
    }

    /**
     * @param executor where the listener runs (not null here)
     * @param handoff  null, or the thread {@link #dispatch()} hands scheduling to (see {@link #handoff});
     *                 once it rejects work (shut down: the consumer closed) nothing more is dispatched
     */
    public ListenerDispatcher(Target target, MessageListener listener, Executor executor, Executor handoff,
                              boolean autoAck, ListenerErrors errors) {
        if (handoff != null && executor == null) {
            throw new IllegalArgumentException("a hand-off thread needs an executor to hand off to");
        }
        this.target = target;
        this.listener = listener;
        this.executor = executor;
        this.handoff = handoff;
        this.autoAck = autoAck;
        this.errors = errors;
    }

    /** Called after messages were buffered: delivers them now, or schedules a task that will. */
    public void dispatch() {
        if (executor == null) {
            run(Integer.MAX_VALUE);
        } else if (handoff == null) {
            schedule();
        } else {
            try {
                handoff.execute(this::schedule);
            } catch (RejectedExecutionException e) {
                // the consumer closed its hand-off thread: nothing more is dispatched
            }
        }
    }

    /** Reports that the consumer stopped with {@code e} (the backend calls this for its own failures). */
    public void reportStopped(RuntimeException e) {
        errors.consumerStopped(target.consumer(), e);
    }

    private void schedule() {
        if (!scheduled.compareAndSet(false, true)) {
            return; // the queued or running task re-checks the buffer before it ends
        }
        try {
            executor.execute(this::task);
        } catch (RejectedExecutionException e) {
            scheduled.set(false);
            Consumer c = target.consumer();
            RocksMqException stop = new RocksMqException("the listener executor of '" + c.topic() + "/"
                    + c.subscription() + "' rejected a task", e);
            if (target.fail(stop)) {
                errors.consumerStopped(c, stop);
            }
        }
    }

    private void task() {
        try {
            run(MESSAGES_PER_TASK);
        } finally {
            scheduled.set(false);
        }
        // A message buffered after our last take but before the flag cleared saw the flag set and did not
        // schedule: pick it up here.
        if (target.hasNextForListener()) {
            schedule();
        }
    }

    private void run(int max) {
        Consumer consumer = target.consumer();
        for (int i = 0; i < max; i++) {
            Message m = target.nextForListener();
            if (m == null) {
                return;
            }
            try {
                listener.received(consumer, m);
            } catch (RuntimeException e) {
                errors.listenerFailed(consumer, m, e);
                target.listenerFailed(m);
                continue;
            }
            if (autoAck) {
                try {
                    target.autoAck(m.id());
                } catch (RuntimeException e) {
                    errors.autoAckFailed(consumer, m, e);
                }
            }
        }
    }
}
