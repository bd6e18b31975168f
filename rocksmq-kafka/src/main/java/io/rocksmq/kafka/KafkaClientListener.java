package io.rocksmq.kafka;

/**
 * Hears of the Kafka clients (admin, producers, consumers) a {@link KafkaMqClient} opens and closes, to bind
 * their metrics or inspect them; see {@link KafkaMqClient#addClientListener} and {@link KafkaMqMetrics}.
 *
 * <p>Callbacks of one client are never concurrent and come in order (an {@code opened} before its
 * {@code closed}); they run on the thread that opened or closed the Kafka client, so they must be quick and
 * must not call back into the {@link KafkaMqClient}. A callback that throws is logged and ignored.
 */
public interface KafkaClientListener {
    /** {@code client} was opened (or was open when this listener was added). */
    void opened(KafkaClientInfo client);

    /** {@code client} was closed; it is not used again. */
    void closed(KafkaClientInfo client);
}
