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
 * {@code MqClient.open(uri)} call an application makes. Every contract test runs: the Kafka backend
 * declares no trait off.
 */
class KafkaMqClientContractIT extends MqClientContract implements IntegrityContract, ConvenienceContract {
    @RegisterExtension
    static final SharedKafkaBroker KAFKA = new SharedKafkaBroker();

    @Override
    protected MqClient createClient() {
        return MqClient.open("kafka://" + KAFKA.bootstrapServers());
    }

    @Override
    protected BackendTraits traits() {
        // Network round trips and a broker in another JVM: wait longer for what must come, and watch a
        // little longer for what must not. Kafka has no broker-side deduplication by message id.
        return BackendTraits.builder().deduplication(false).deliveryTimeout(Duration.ofSeconds(30)).quietPeriod(Duration.ofMillis(500))
                .sharedSubscriptions(false) // not wired to Kafka share groups yet: KafkaMqClient refuses SHARED
                .scheduledDelivery(false) // Kafka has no scheduled delivery: Producer.schedule refuses it
                .build();
    }
}
