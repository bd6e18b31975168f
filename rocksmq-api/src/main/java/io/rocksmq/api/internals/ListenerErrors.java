package io.rocksmq.api.internals;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a {@link ListenerDispatcher} reports what goes wrong in push delivery. Nothing here is ever thrown
 * at the application: there is no caller to throw to. Every backend uses {@link #LOGGING}, so the same
 * failure reads the same whatever the backend; tests pass their own to observe it.
 *
 * <p>Implementations must be thread-safe: any delivery thread may call them.
 */
public interface ListenerErrors {
    /** The listener threw on {@code message}; it stays unacknowledged and is delivered again after a reconnect. */
    void listenerFailed(Consumer consumer, Message message, RuntimeException e);

    /** The listener returned, but acknowledging {@code message} for auto-ack failed. */
    void autoAckFailed(Consumer consumer, Message message, RuntimeException e);

    /** The consumer stopped with {@code e} (its executor rejected a task, its subscription was deleted, ...). */
    void consumerStopped(Consumer consumer, RuntimeException e);

    /** WARN for a listener or auto-ack failure, ERROR for a consumer that stopped (SLF4J, this interface's logger). */
    ListenerErrors LOGGING = new ListenerErrors() {
        private final Logger log = LoggerFactory.getLogger(ListenerErrors.class);

        @Override
        public void listenerFailed(Consumer consumer, Message message, RuntimeException e) {
            log.warn("listener of '{}/{}' failed on message {}; it stays unacknowledged", consumer.topic(),
                    consumer.subscription(), message.id(), e);
        }

        @Override
        public void autoAckFailed(Consumer consumer, Message message, RuntimeException e) {
            log.warn("auto-ack of message {} on '{}/{}' failed; it will be delivered again after a reconnect",
                    message.id(), consumer.topic(), consumer.subscription(), e);
        }

        @Override
        public void consumerStopped(Consumer consumer, RuntimeException e) {
            log.error("consumer of '{}/{}' stopped", consumer.topic(), consumer.subscription(), e);
        }
    };
}
