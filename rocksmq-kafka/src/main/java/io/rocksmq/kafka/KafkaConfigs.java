package io.rocksmq.kafka;

import io.rocksmq.api.ProducerOptions;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Kafka client settings of the backend's admin client, producers and consumers: the backend's
 * defaults, then the user's pass-through {@link KafkaOptions#clientProperties()}, then the settings the
 * mapping rests on (which {@link KafkaOptions} refuses to take from the user).
 *
 * <p>Thread-safe: stateless apart from an atomic counter for client ids.
 */
final class KafkaConfigs {
    /** Kafka's own limit on one produce request; a batch never exceeds it. */
    static final int MAX_BATCH_BYTES = 1 << 20;
    private static final AtomicLong IDS = new AtomicLong();

    private KafkaConfigs() {
    }

    static Map<String, Object> admin(KafkaOptions o) {
        Map<String, Object> m = common(o);
        m.put("default.api.timeout.ms", Long.toString(o.requestTimeout().toMillis()));
        m.putAll(o.clientProperties());
        m.put("bootstrap.servers", o.bootstrapServers());
        m.put("client.id", "rocksmq-admin-" + IDS.incrementAndGet());
        return m;
    }

    /**
     * Durable by default: {@code acks=all} with idempotence, so a send that returned survives the loss of
     * a broker (given replication) and retries never duplicate or reorder. Batching maps to
     * {@code linger.ms} and {@code batch.size}.
     */
    static Map<String, Object> producer(KafkaOptions o, ProducerOptions p) {
        Map<String, Object> m = common(o);
        m.put("acks", "all");
        m.put("enable.idempotence", "true");
        m.put("max.block.ms", Long.toString(o.requestTimeout().toMillis()));
        long linger = p.batchingMaxDelay().toMillis();
        m.put("linger.ms", Long.toString(linger));
        m.put("batch.size", Integer.toString(Math.min(p.batchingMaxBytes(), MAX_BATCH_BYTES)));
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms; keep its 2-minute default otherwise.
        m.put("delivery.timeout.ms", Long.toString(Math.max(120_000L, linger + o.requestTimeout().toMillis())));
        m.putAll(o.clientProperties());
        m.put("bootstrap.servers", o.bootstrapServers());
        m.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        m.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        m.put("client.id", "rocksmq-producer-" + p.topic() + "-" + IDS.incrementAndGet());
        return m;
    }

    /** What every reading client gets: the common settings, the user's, and byte-array deserializers. */
    private static Map<String, Object> reader(KafkaOptions o) {
        Map<String, Object> m = common(o);
        m.put("default.api.timeout.ms", Long.toString(o.requestTimeout().toMillis()));
        m.putAll(o.clientProperties());
        m.put("bootstrap.servers", o.bootstrapServers());
        m.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        m.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        return m;
    }

    /**
     * A consumer of one subscription: the group id is the subscription name, offsets are committed only by
     * the backend (never automatically), an offset that fell out of retention restarts at the earliest
     * retained message (the embedded backend's "first retained message at or after the position"), and a
     * poll returns at most {@code maxPollRecords} so that it always fits the receive buffer.
     */
    static Map<String, Object> consumer(KafkaOptions o, String subscription, int maxPollRecords) {
        Map<String, Object> m = reader(o);
        m.put("group.id", subscription);
        m.put("enable.auto.commit", "false");
        m.put("auto.offset.reset", "earliest");
        m.put("allow.auto.create.topics", "false");
        m.put("max.poll.records", Integer.toString(maxPollRecords));
        m.put("client.id", "rocksmq-consumer-" + IDS.incrementAndGet());
        return m;
    }

    /**
     * A member of the share group of a SHARED subscription: explicit acknowledgement (each record answered
     * on its own) and at most {@code maxPollRecords} records acquired per poll ({@code record_limit}), so
     * that a consumer never locks more than its receive buffer.
     */
    static Map<String, Object> shareConsumer(KafkaOptions o, String shareGroupId, int maxPollRecords) {
        Map<String, Object> m = reader(o);
        m.put("group.id", shareGroupId);
        m.put("share.acknowledgement.mode", "explicit");
        m.put("share.acquire.mode", "record_limit");
        m.put("max.poll.records", Integer.toString(maxPollRecords));
        m.put("client.id", "rocksmq-share-consumer-" + IDS.incrementAndGet());
        return m;
    }

    private static Map<String, Object> common(KafkaOptions o) {
        Map<String, Object> m = new HashMap<>();
        String request = Long.toString(o.requestTimeout().toMillis());
        m.put("request.timeout.ms", request);
        String connect = Long.toString(o.connectionTimeout().toMillis());
        m.put("socket.connection.setup.timeout.ms", connect);
        m.put("socket.connection.setup.timeout.max.ms", connect);
        return m;
    }
}
