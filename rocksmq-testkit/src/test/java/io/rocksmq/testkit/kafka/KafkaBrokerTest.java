package io.rocksmq.testkit.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaBrokerTest {

    @Test
    void startsProducesConsumesWithAGroupAndStops(@TempDir Path dir) throws Exception {
        ProcessHandle process;
        try (KafkaBroker broker = KafkaBroker.builder(dir).start()) {
            process = broker.process();
            assertThat(broker.isAlive()).isTrue();

            RecordMetadata sent;
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "1"), new StringSerializer(), new StringSerializer())) {
                sent = producer.send(new ProducerRecord<>("fixture-topic", "k", "hello")).get(60, TimeUnit.SECONDS);
            }
            assertThat(sent.offset()).isZero();

            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "fixture-group",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("fixture-topic"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (got.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(got::add);
                }
                consumer.commitSync(Duration.ofSeconds(30));
                assertThat(consumer.groupMetadata().generationId()).isPositive();
            }
            assertThat(got).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo("k");
                assertThat(r.value()).isEqualTo("hello");
            });
        }
        process.onExit().get(30, TimeUnit.SECONDS);
        assertThat(process.isAlive()).isFalse();
    }
}
