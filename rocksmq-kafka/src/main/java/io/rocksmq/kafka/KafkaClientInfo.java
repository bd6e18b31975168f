package io.rocksmq.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * One Kafka client opened by a {@link KafkaMqClient}, as told to a {@link KafkaClientListener}.
 * Immutable; the Kafka client it names is thread-safe only as Kafka documents ({@code metrics()} is).
 *
 * @param role         what the client is for
 * @param topic        the RocksMQ topic of a producer or consumer; null for the admin client
 * @param subscription the subscription of a consumer; null otherwise
 * @param client       the Kafka {@link Admin}, {@link Producer} or {@link Consumer}
 */
public record KafkaClientInfo(Role role, String topic, String subscription, Object client) {
    /** What a Kafka client is for. */
    public enum Role {
        /** The client's one admin client (topics, groups, offsets). */
        ADMIN,
        /** The Kafka producer behind one {@link io.rocksmq.api.Producer}. */
        PRODUCER,
        /** The Kafka consumer behind one {@link io.rocksmq.api.Consumer}. */
        CONSUMER
    }
}
