package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The queue's {@link QueueListener} and the two calls that tell it of a produce or a consume. The
 * callbacks run after the operation left the queue's lifecycle, so a listener that closes the queue does
 * not wait for itself; a listener's failure is logged, never thrown to the producer or consumer.
 *
 * <p>Thread-safe: the listener is one volatile reference, read once per callback; installing another
 * while operations run means each of them tells the old or the new one, never both.
 */
final class ListenerSlot {
    private static final Logger LOG = LoggerFactory.getLogger(RocksMq.class);

    /** Read on every produce and consume; never null ({@link QueueListener#NO_OP} by default). */
    private volatile QueueListener listener = QueueListener.NO_OP;

    void set(QueueListener newListener) {
        if (newListener == null) {
            throw new InvalidArgumentException("listener must not be null (use QueueListener.NO_OP)");
        }
        listener = newListener;
    }

    QueueListener get() {
        return listener;
    }

    void produced(String topic, List<ProducerMessage> messages, long startNanos) {
        QueueListener l = listener;
        tell("produce to", topic, () -> l.onProduce(topic, messages, System.nanoTime() - startNanos));
    }

    /** As {@link #produced}, for {@link RocksMq#producePayloads}: the messages are built only for a listener. */
    void producedPayloads(String topic, PayloadBlock block, long startNanos) {
        QueueListener l = listener;
        if (l != QueueListener.NO_OP) {
            tell("produce to", topic, () -> l.onProduce(topic, block.asMessages(), System.nanoTime() - startNanos));
        }
    }

    void consumed(String topic, String group, List<ConsumerMessage> got, long startNanos) {
        QueueListener l = listener;
        tell("consume from", topic, () -> l.onConsume(topic, group, got, System.nanoTime() - startNanos));
    }

    private static void tell(String operation, String topic, Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("queue listener failed on {} '{}'", operation, topic, e);
        }
    }
}
