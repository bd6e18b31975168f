package io.rocksmq.kafka;

import io.rocksmq.api.MqClient;
import io.rocksmq.testkit.BackendTraits;
import io.rocksmq.testkit.ConvenienceContract;
import io.rocksmq.testkit.IntegrityContract;
import io.rocksmq.testkit.MqClientContract;
import io.rocksmq.testkit.kafka.SharedKafkaBroker;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

/**
 * The client-API contract suite, unchanged, on a real single-node KRaft broker, through the same
 * {@code MqClient.open(uri)} call an application makes. Traits declared off: deduplication (Kafka has none by
 * message id), scheduledDelivery, and sharedWithoutReadAhead (a share consumer's poll locks a batch to it); SHARED subscriptions
 * run on share groups with locks of at least 3 s.
 */
class KafkaMqClientContractIT extends MqClientContract implements IntegrityContract, ConvenienceContract {
    @RegisterExtension
    static final SharedKafkaBroker KAFKA = new SharedKafkaBroker();

    @Override
    protected MqClient createClient() {
        return MqClient.open("kafka://" + KAFKA.bootstrapServers());
    }

    @Override
    protected long expiredMessages(MqClient client, String topic, String subscription) {
        return client.unwrap(KafkaMqClient.class).expiredMessages(topic, subscription);
    }

    @Override
    protected BackendTraits traits() {
        // Network round trips and a broker in another JVM: wait longer for what must come, and watch a
        // little longer for what must not. Kafka has no broker-side deduplication by message id.
        return BackendTraits.builder().deduplication(false).deliveryTimeout(Duration.ofSeconds(30)).quietPeriod(Duration.ofMillis(500))
                .scheduledDelivery(false) // Kafka has no scheduled delivery: Producer.schedule refuses it
                .sharedWithoutReadAhead(false) // one poll locks up to receiveBufferSize records to a consumer
                .sharedSubscriptionAdmin(false) // share groups are neither listed nor deleted by this backend
                .minLockDuration(Duration.ofSeconds(3)) // the broker allows 1 s (group.share.min.record.lock.duration.ms); 3 s leaves a loaded machine time to answer
                .build();
    }
}
