package io.rocksmq.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Micrometer metrics of a client on the Kafka backend: Kafka's own client metrics (Micrometer's
 * {@link KafkaClientMetrics}: {@code kafka.producer.*}, {@code kafka.consumer.*}, {@code kafka.admin.client.*})
 * of every Kafka producer, consumer and admin client the {@link KafkaMqClient} has open, now and later,
 * tagged {@code rocksmq.topic} and {@code rocksmq.subscription}; a closed producer's or consumer's meters
 * are removed with it. The embedded backend's counterpart is {@code io.rocksmq.metrics.RocksMqMetrics}.
 * Also its gauge {@code rocksmq.group.expired} (same name and tags {@code topic}, {@code group}): per
 * subscription a consumer of the client opened while bound, {@link KafkaMqClient#expiredMessages} (this
 * client's count, since it opened); it stays after the consumer closes, until {@link #close}.
 * <pre>{@code
 * MqClient client = MqClient.open("kafka://localhost:9092");
 * KafkaMqMetrics metrics = KafkaMqMetrics.of(client);
 * metrics.bindTo(registry);     // once
 * ...
 * metrics.close();              // removes the meters; the client stays open
 * }</pre>
 * Needs {@code io.micrometer:micrometer-core} on the class path (an optional dependency of this module).
 *
 * <h2>States / Locks</h2>
 * UNBOUND → BOUND ({@link #bindTo}) → CLOSED ({@link #close}); {@link #registry}, {@link #closed} and
 * {@link #bound} change under this object's monitor. The client's listener callbacks run under the client's
 * listener monitor and take this one inside it; so {@code bindTo} and {@code close} never call the client
 * while holding this monitor (the order is always: client's, then this).
 *
 * <p>Thread-safe.
 */
public final class KafkaMqMetrics implements MeterBinder, AutoCloseable {
    private final KafkaMqClient client;
    /** Refreshes every binder's meter list (Kafka adds metrics as a client learns partitions). */
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rocksmq-kafka-metrics");
        t.setDaemon(true);
        return t;
    });
    private final Listener listener = new Listener();

    private MeterRegistry registry;
    private boolean closed;
    /** The binder of each open Kafka client, while bound. */
    private final Map<KafkaClientInfo, KafkaClientMetrics> bound = new HashMap<>();
    /** The expired-count gauge of each (topic, subscription) a consumer opened while bound. */
    private final Map<List<String>, Meter> expiredGauges = new HashMap<>();

    private KafkaMqMetrics(KafkaMqClient client) {
        this.client = client;
    }

    /**
     * Metrics of a client on the Kafka backend.
     *
     * @throws InvalidArgumentException if {@code client} is null or not a Kafka client
     */
    public static KafkaMqMetrics of(MqClient client) {
        if (client == null) {
            throw new InvalidArgumentException("client must not be null");
        }
        return new KafkaMqMetrics(client.unwrap(KafkaMqClient.class));
    }

    /**
     * Starts exporting to {@code registry}: binds the clients open now and, until {@link #close}, every one
     * opened later.
     *
     * @throws InvalidArgumentException if {@code registry} is null, or this was bound or closed before
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        if (registry == null) {
            throw new InvalidArgumentException("registry must not be null");
        }
        synchronized (this) {
            if (this.registry != null || closed) {
                throw new InvalidArgumentException("Kafka metrics are bound once (use a CompositeMeterRegistry for"
                        + " several registries)" + (closed ? "; these are closed" : ""));
            }
            this.registry = registry;
        }
        // Outside this monitor: the client replays its open clients to the listener under its own monitor,
        // and the listener then takes this one (client's monitor → this one, always in that order).
        client.addClientListener(listener);
    }

    /** Stops exporting and removes every meter this bound; the client and its Kafka clients stay open. */
    @Override
    public void close() {
        client.removeClientListener(listener); // no callback runs after this returns
        synchronized (this) {
            closed = true;
            bound.values().forEach(KafkaClientMetrics::close);
            bound.clear();
            expiredGauges.values().forEach(registry::remove);
            expiredGauges.clear();
        }
        scheduler.shutdownNow();
    }

    private final class Listener implements KafkaClientListener {
        @Override
        public void opened(KafkaClientInfo c) {
            synchronized (KafkaMqMetrics.this) {
                if (closed) {
                    return;
                }
                KafkaClientMetrics binder = binderOf(c, tags(c));
                binder.bindTo(registry);
                bound.put(c, binder);
                if (c.role() == KafkaClientInfo.Role.CONSUMER && c.topic() != null && c.subscription() != null) {
                    String topic = c.topic();
                    String subscription = c.subscription();
                    expiredGauges.computeIfAbsent(List.of(topic, subscription), k -> Gauge
                            .builder("rocksmq.group.expired", client, mq -> mq.expiredMessages(topic, subscription))
                            .description("Expired records this client's consumers of the subscription dropped (never"
                                    + " delivered) since the client opened")
                            .tags("topic", topic, "group", subscription)
                            .strongReference(true)
                            .register(registry));
                }
            }
        }

        @Override
        public void closed(KafkaClientInfo c) {
            synchronized (KafkaMqMetrics.this) {
                KafkaClientMetrics binder = bound.remove(c);
                if (binder != null) {
                    binder.close();
                }
            }
        }
    }

    private KafkaClientMetrics binderOf(KafkaClientInfo c, Tags tags) {
        return switch (c.role()) {
            case PRODUCER -> new KafkaClientMetrics((Producer<?, ?>) c.client(), tags, scheduler);
            case CONSUMER -> new KafkaClientMetrics((Consumer<?, ?>) c.client(), tags, scheduler);
            case ADMIN -> new KafkaClientMetrics((AdminClient) c.client(), tags, scheduler);
        };
    }

    private static Tags tags(KafkaClientInfo c) {
        Tags tags = Tags.empty();
        if (c.topic() != null) {
            tags = tags.and("rocksmq.topic", c.topic());
        }
        if (c.subscription() != null) {
            tags = tags.and("rocksmq.subscription", c.subscription());
        }
        return tags;
    }
}
