package io.rocksmq.core.client;

import io.rocksmq.api.Message;
import io.rocksmq.api.MessageListener;
import io.rocksmq.api.RocksMqException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Push delivery of one {@link RocksMqConsumer} to its {@link MessageListener}: after the delivery
 * thread buffers a read, it calls {@link #dispatch()}, which hands the buffered messages to the
 * listener in order, one at a time.
 *
 * <p>Without an executor the delivery thread itself calls the listener until the buffer is empty, so
 * a slow listener stops reading (backpressure). With one, at most one task of this consumer is queued
 * or running on the executor at any time ({@link #scheduled}); it handles a bounded number of messages
 * and then yields the executor thread, rescheduling itself if more are buffered. The CAS on
 * {@link #scheduled} orders consecutive tasks, so listener calls never overlap and each happens-after
 * the previous one even on a multi-threaded executor.
 *
 * <p>Thread-safe.
 */
final class ListenerDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerDispatcher.class);
    /** Messages one executor task handles before yielding its thread. */
    static final int MESSAGES_PER_TASK = 256;

    private final RocksMqConsumer consumer;
    private final MessageListener listener;
    /** Null: run on the delivery thread. */
    private final Executor executor;
    private final boolean autoAck;
    /** True while a task is queued or running on {@link #executor}. */
    private final AtomicBoolean scheduled = new AtomicBoolean();

    ListenerDispatcher(RocksMqConsumer consumer, MessageListener listener, Executor executor, boolean autoAck) {
        this.consumer = consumer;
        this.listener = listener;
        this.executor = executor;
        this.autoAck = autoAck;
    }

    /** Called by the delivery thread after it buffered messages. */
    void dispatch() {
        if (executor == null) {
            run(Integer.MAX_VALUE);
        } else {
            schedule();
        }
    }

    private void schedule() {
        if (!scheduled.compareAndSet(false, true)) {
            return; // the queued or running task re-checks the buffer before it ends
        }
        try {
            executor.execute(this::task);
        } catch (RejectedExecutionException e) {
            scheduled.set(false);
            consumer.fail(new RocksMqException("the listener executor of '" + consumer.topic() + "/"
                    + consumer.subscription() + "' rejected a task", e));
        }
    }

    private void task() {
        try {
            run(MESSAGES_PER_TASK);
        } finally {
            scheduled.set(false);
        }
        // A message buffered after our last take but before the flag cleared saw the flag set and did
        // not schedule: pick it up here.
        if (consumer.hasBuffered()) {
            schedule();
        }
    }

    private void run(int max) {
        for (int i = 0; i < max; i++) {
            Message m = consumer.takeForListener();
            if (m == null) {
                return;
            }
            try {
                listener.received(consumer, m);
            } catch (RuntimeException e) {
                LOG.warn("listener of '{}/{}' failed on message {}; it stays unacknowledged",
                        consumer.topic(), consumer.subscription(), m.id(), e);
                continue;
            }
            if (autoAck) {
                try {
                    consumer.ack(m.id());
                } catch (RocksMqException e) {
                    if (!consumer.isClosed()) {
                        LOG.warn("auto-ack of message {} on '{}/{}' failed", m.id(), consumer.topic(),
                                consumer.subscription(), e);
                    }
                }
            }
        }
    }
}
