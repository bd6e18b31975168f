package io.rocksmq.kafka;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SharedSubscription;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.api.WrongGroupTypeException;
import io.rocksmq.testkit.kafka.SharedKafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SHARED subscriptions on Kafka share groups beyond the contract suite: what Kafka cannot hold is refused
 * at subscribe with nothing created, a release with a delay is refused but still gives the message back at
 * once, and the two subscription types refuse each other's names on one topic.
 */
@Timeout(180)
class KafkaShareGroupsIT {
    @RegisterExtension
    static final SharedKafkaBroker KAFKA = new SharedKafkaBroker();

    private static MqClient client() {
        return MqClient.open("kafka://" + KAFKA.bootstrapServers());
    }

    private static String topic() {
        return "share-" + UUID.randomUUID();
    }

    @Test
    void settingsKafkaCannotHoldAreRefusedAtSubscribeAndNothingIsCreated() {
        String topic = topic();
        try (MqClient client = client()) {
            assertThatThrownBy(() -> client.subscribe(ConsumerOptions.builder(topic, "w")
                    .shared(SharedSubscription.DEFAULTS.withMaxDeliveries(SharedSubscription.UNLIMITED)).build()))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("share.delivery.count.limit");
            assertThatThrownBy(() -> client.subscribe(ConsumerOptions.builder(topic, "w")
                    .shared(SharedSubscription.DEFAULTS.withRedeliveryDelays(List.of(Duration.ofSeconds(1)))).build()))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("redeliveryDelays");
            assertThat(client.listTopics()).doesNotContain(topic);
            // Below the broker's group.share.min.record.lock.duration.ms (1 s on the test broker): Kafka refuses it.
            assertThatThrownBy(() -> client.subscribe(ConsumerOptions.builder(topic, "w")
                    .shared(SharedSubscription.DEFAULTS.withLockDuration(Duration.ofMillis(200))).build()))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("share.record.lock.duration.ms");
        }
    }

    @Test
    void aReleaseWithADelayIsRefusedButTheMessageComesBackAtOnce() {
        String topic = topic();
        try (MqClient client = client();
             Producer p = client.createProducer(topic);
             Consumer c = client.subscribe(ConsumerOptions.builder(topic, "w").shared(SharedSubscription.DEFAULTS).build())) {
            p.send("job");
            Message first = c.receive(Duration.ofSeconds(30)).orElseThrow();
            assertThatThrownBy(() -> c.release(first, Duration.ofSeconds(5)))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("at once");
            Message again = c.receive(Duration.ofSeconds(30)).orElseThrow();
            assertThat(again.id()).isEqualTo(first.id());
            assertThat(again.deliveryCount()).isEqualTo(2);
            c.ack(again.id());
        }
    }

    @Test
    void anExclusiveSubscriptionRefusesToBecomeShared() {
        String topic = topic();
        try (MqClient client = client();
             Producer p = client.createProducer(topic)) {
            p.send("m");
            try (Consumer e = client.subscribe(ConsumerOptions.builder(topic, "s")
                    .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
                e.ack(e.receive(Duration.ofSeconds(30)).orElseThrow().id()); // commits: the group has offsets here
            }
            assertThatThrownBy(() -> client.subscribe(ConsumerOptions.builder(topic, "s")
                    .shared(SharedSubscription.DEFAULTS).build())).isInstanceOf(WrongGroupTypeException.class);
            // The same name on another topic is another subscription: SHARED there is fine.
            try (Consumer other = client.subscribe(ConsumerOptions.builder(topic(), "s")
                    .shared(SharedSubscription.DEFAULTS).build())) {
                assertThat(other.poll(1, Duration.ZERO)).isEmpty();
            }
        }
    }
}
