package io.rocksmq.kafka;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.testkit.MqAwait;
import io.rocksmq.testkit.kafka.RawKafka;
import io.rocksmq.testkit.kafka.SharedKafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link KafkaMqMetrics}: Kafka's own client metrics of every producer, consumer and admin client a
 * {@link KafkaMqClient} opens, tagged with the RocksMQ topic and subscription, following them as they open
 * and close.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KafkaMqMetricsIT {
    @RegisterExtension
    static final SharedKafkaBroker KAFKA = new SharedKafkaBroker();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void exportsTheMetricsOfEveryKafkaClientWhileItIsOpen() throws Exception {
        String topic = RawKafka.uniqueTopic("metrics");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (MqClient client = KafkaMqClient.open(KafkaOptions.builder(KAFKA.bootstrapServers()).build())) {
            Producer producer = client.createProducer(topic); // opened before binding: replayed
            KafkaMqMetrics metrics = KafkaMqMetrics.of(client);
            metrics.bindTo(registry);
            assertThat(meters(registry, "kafka.admin.client.", null)).as("the admin client's").isNotEmpty();

            for (int i = 0; i < 10; i++) {
                producer.send("m" + i);
            }
            producer.flush();
            await().atMost(WAIT).untilAsserted(() -> assertThat(
                    value(registry, "kafka.producer.record.send.total", topic)).isGreaterThanOrEqualTo(10));

            try (Consumer consumer = client.subscribe(ConsumerOptions.builder(topic, "billing")
                    .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) { // opened after binding
                List<Message> got = MqAwait.messages(consumer, 10, WAIT);
                got.forEach(m -> consumer.ack(m.id()));
                await().atMost(WAIT).untilAsserted(() -> assertThat(
                        value(registry, "kafka.consumer.fetch.manager.records.consumed.total", topic))
                        .isGreaterThanOrEqualTo(10));
                assertThat(meters(registry, "kafka.consumer.", topic))
                        .allMatch(m -> "billing".equals(m.getId().getTag("rocksmq.subscription")));
            }
            assertThat(meters(registry, "kafka.consumer.", topic)).as("a closed consumer's meters").isEmpty();

            producer.close();
            assertThat(meters(registry, "kafka.producer.", topic)).as("a closed producer's meters").isEmpty();

            metrics.close();
            assertThat(meters(registry, "kafka.", null)).as("after close").isEmpty();
            client.createProducer(topic).close(); // a client opened after close binds nothing
            assertThat(meters(registry, "kafka.", null)).isEmpty();
            assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(InvalidArgumentException.class);
        }
    }

    @Test
    void exportsEachSubscriptionsExpiredCountUntilClosed() {
        String topic = RawKafka.uniqueTopic("metrics-expired");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (MqClient client = KafkaMqClient.open(KafkaOptions.builder(KAFKA.bootstrapServers()).build())) {
            KafkaMqMetrics metrics = KafkaMqMetrics.of(client);
            metrics.bindTo(registry);
            try (Producer producer = client.createProducer(topic)) {
                producer.send(OutgoingMessage.textBuilder("expired").expiresAt(Instant.now().minusSeconds(60)).build());
                producer.send("live");
            }
            try (Consumer consumer = client.subscribe(ConsumerOptions.builder(topic, "billing")
                    .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
                assertThat(MqAwait.messages(consumer, 1, WAIT)).extracting(m -> new String(m.payload(),
                        java.nio.charset.StandardCharsets.UTF_8)).containsExactly("live");
            }
            assertThat(registry.get("rocksmq.group.expired").tags("topic", topic, "group", "billing").gauge().value())
                    .as("kept after the consumer closed").isEqualTo(1.0);
            metrics.close();
            assertThat(registry.find("rocksmq.group.expired").meters()).isEmpty();
        }
    }

    @Test
    void refusesANullClient() {
        assertThatThrownBy(() -> KafkaMqMetrics.of(null)).isInstanceOf(InvalidArgumentException.class);
    }

    /** Meters whose name starts with {@code prefix}, of {@code topic}'s clients (any when null). */
    private static List<Meter> meters(SimpleMeterRegistry registry, String prefix, String topic) {
        return registry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith(prefix))
                .filter(m -> topic == null || topic.equals(m.getId().getTag("rocksmq.topic")))
                .toList();
    }

    private static double value(SimpleMeterRegistry registry, String name, String topic) {
        double sum = 0;
        for (Meter m : meters(registry, name, topic)) {
            if (m.getId().getName().equals(name)) {
                for (Measurement measurement : m.measure()) {
                    sum += measurement.getValue();
                }
            }
        }
        return sum;
    }
}
