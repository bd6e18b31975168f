package io.rocksmq.kafka;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.InvalidNameException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInUseException;
import io.rocksmq.api.SubscriptionInfo;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.testkit.kafka.RawKafka;
import io.rocksmq.testkit.kafka.SharedKafkaBroker;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Kafka mapping as other Kafka clients see it: records, headers and timestamps, topic settings,
 * subscriptions as consumer groups with committed offsets, and topics with several partitions.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KafkaMappingIT {
    @RegisterExtension
    static final SharedKafkaBroker KAFKA = new SharedKafkaBroker();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static KafkaOptions.Builder options() {
        return KafkaOptions.builder(KAFKA.bootstrapServers());
    }

    @Test
    void messagesAreOrdinaryKafkaRecordsBothWays() throws Exception {
        String topic = RawKafka.uniqueTopic("interop");
        try (MqClient client = KafkaMqClient.open(options().build());
             Producer p = client.createProducer(topic)) {
            MessageId id = p.send(OutgoingMessage.builder(bytes("hello")).key("k-1").property("a", "1")
                    .property("ü", "值").build());

            List<ConsumerRecord<byte[], byte[]>> records = KAFKA.raw().read(topic, 0, 1);
            assertThat(records).hasSize(1);
            ConsumerRecord<byte[], byte[]> r = records.get(0);
            assertThat(MessageId.of(r.partition(), r.offset())).isEqualTo(id);
            assertThat(text(r.key())).isEqualTo("k-1");
            assertThat(text(r.value())).isEqualTo("hello");
            Map<String, String> headers = new HashMap<>();
            r.headers().forEach(h -> headers.put(h.key(), text(h.value())));
            assertThat(headers).isEqualTo(Map.of("a", "1", "ü", "值"));
            assertThat(r.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);

            try (KafkaProducer<byte[], byte[]> other = KAFKA.raw().producer()) {
                ProducerRecord<byte[], byte[]> foreign = new ProducerRecord<>(topic, 0, null, null, null,
                        List.of(new RecordHeader("x", (byte[]) null), new RecordHeader("y", bytes("2")),
                                new RecordHeader(OutgoingMessage.RESERVED_PROPERTY_PREFIX + "hidden", bytes("z"))));
                other.send(foreign).get(30, TimeUnit.SECONDS);
            }
            try (Consumer c = subscribeEarliest(client, topic, "reader")) {
                Message first = c.receive(WAIT).orElseThrow();
                assertThat(first.id()).isEqualTo(id);
                assertThat(first.key()).contains("k-1");
                assertThat(first.properties()).isEqualTo(Map.of("a", "1", "ü", "值"));
                assertThat(first.publishTime()).isEqualTo(r.timestamp());
                Message second = c.receive(WAIT).orElseThrow();
                assertThat(second.payload()).isEmpty();
                assertThat(second.key()).isEmpty();
                assertThat(second.properties()).isEqualTo(Map.of("x", "", "y", "2"));
                assertThat(second.publishTime()).isGreaterThanOrEqualTo(first.publishTime());
            }
        }
    }

    @Test
    void topicsAreCreatedWithTheConfiguredSettingsAndExistingOnesAreLeftAlone() throws Exception {
        String topic = RawKafka.uniqueTopic("settings");
        String createTime = RawKafka.uniqueTopic("settings-ct");
        KafkaOptions o = options().partitions(3).retention(Duration.ofHours(5)).retentionBytes(1_000_000L)
                .topicConfig("max.message.bytes", "2000000").build();
        try (MqClient client = KafkaMqClient.open(o)) {
            client.createTopic(topic);
        }
        try (MqClient client = KafkaMqClient.open(options().partitions(5).logAppendTime(false).build())) {
            client.createTopic(topic); // exists: unchanged
            client.createTopic(createTime);
        }
        Map<String, TopicDescription> d = KAFKA.admin().describeTopics(List.of(topic, createTime)).allTopicNames().get(30, TimeUnit.SECONDS);
        assertThat(d.get(topic).partitions()).hasSize(3);
        assertThat(d.get(createTime).partitions()).hasSize(5);
        Config c = topicConfig(topic);
        assertThat(c.get("retention.ms").value()).isEqualTo(Long.toString(Duration.ofHours(5).toMillis()));
        assertThat(c.get("retention.bytes").value()).isEqualTo("1000000");
        assertThat(c.get("max.message.bytes").value()).isEqualTo("2000000");
        assertThat(c.get("message.timestamp.type").value()).isEqualTo("LogAppendTime");
        assertThat(topicConfig(createTime).get("message.timestamp.type").value()).isEqualTo("CreateTime");
    }

    @Test
    void aSubscriptionIsAConsumerGroupWithCommittedOffsets() throws Exception {
        String topic = RawKafka.uniqueTopic("groups");
        try (MqClient client = KafkaMqClient.open(options().build());
             Producer p = client.createProducer(topic)) {
            for (int i = 0; i < 10; i++) {
                p.send(bytes("m" + i));
            }
            Consumer c = subscribeEarliest(client, topic, "billing");
            assertThat(KAFKA.raw().committed(KAFKA.admin(), "billing", topic, 1)).as("fixed when subscribe returns").containsEntry(0, 0L);
            List<Message> got = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                got.add(c.receive(WAIT).orElseThrow());
            }
            for (int i : new int[] {0, 1, 2, 3, 5}) {
                c.ack(got.get(i).id());
            }
            // The committed offset is Kafka's "next to read": the first unacknowledged message.
            assertThat(KAFKA.raw().committed(KAFKA.admin(), "billing", topic, 1)).containsEntry(0, got.get(4).id().offset());
            assertThat(client.listSubscriptions(topic)).containsExactly(new SubscriptionInfo(topic, "billing", 6));

            client.deleteSubscription(topic, "billing");
            assertThat(KAFKA.raw().committed(KAFKA.admin(), "billing", topic, 1)).isEmpty();
            assertThat(client.listSubscriptions(topic)).isEmpty();
            assertThatThrownBy(() -> c.receive(Duration.ZERO)).isInstanceOf(ConsumerGroupNotFoundException.class);
            assertThatThrownBy(() -> c.ack(got.get(4).id())).isInstanceOf(ConsumerGroupNotFoundException.class);
            // Like the embedded backend: the failed consumer holds the subscription until it is closed.
            assertThatThrownBy(() -> subscribeEarliest(client, topic, "billing")).isInstanceOf(SubscriptionInUseException.class);
            c.close();
            assertThat(KAFKA.raw().committed(KAFKA.admin(), "billing", topic, 1)).as("a failed consumer commits nothing").isEmpty();

            try (Consumer again = subscribeEarliest(client, topic, "billing")) {
                assertThat(text(again.receive(WAIT).orElseThrow().payload())).isEqualTo("m0");
            }
        }
    }

    @Test
    void severalPartitionsKeepPerKeyOrderAndAcknowledgePerPartition() throws Exception {
        String topic = RawKafka.uniqueTopic("partitions");
        int keys = 6;
        int perKey = 10;
        try (MqClient client = KafkaMqClient.open(options().partitions(3).build());
             Producer p = client.createProducer(topic)) {
            Map<MessageId, String> sent = new HashMap<>();
            for (int i = 0; i < perKey; i++) {
                for (int k = 0; k < keys; k++) {
                    MessageId id = p.send(OutgoingMessage.builder(bytes("k" + k + ":" + i)).key("k" + k).build());
                    sent.put(id, "k" + k + ":" + i);
                }
            }
            Set<Integer> used = new HashSet<>();
            sent.keySet().forEach(id -> used.add(id.partition()));
            assertThat(used).as("keys spread over partitions").hasSizeGreaterThan(1);
            int acked = used.iterator().next();
            assertThat(client.listSubscriptions(topic)).isEmpty();

            Map<Integer, List<Message>> byPartition = new HashMap<>();
            try (Consumer c = subscribeEarliest(client, topic, "s")) {
                Map<String, Integer> nextSeq = new HashMap<>();
                Map<String, Integer> partitionOfKey = new HashMap<>();
                for (int n = 0; n < keys * perKey; n++) {
                    Message m = c.receive(WAIT).orElseThrow();
                    assertThat(text(m.payload())).isEqualTo(sent.get(m.id()));
                    String key = m.key().orElseThrow();
                    int seq = Integer.parseInt(text(m.payload()).substring(key.length() + 1));
                    assertThat(seq).as("order of %s", key).isEqualTo(nextSeq.getOrDefault(key, 0));
                    nextSeq.put(key, seq + 1);
                    assertThat(partitionOfKey.computeIfAbsent(key, k -> m.id().partition())).isEqualTo(m.id().partition());
                    byPartition.computeIfAbsent(m.id().partition(), k -> new ArrayList<>()).add(m);
                }
                assertThat(c.latestMessageId()).get().satisfies(latest -> {
                    List<Message> inPartition = byPartition.get(latest.partition());
                    assertThat(latest).isEqualTo(inPartition.get(inPartition.size() - 1).id());
                });
                assertThatThrownBy(() -> c.ack(MessageId.of(7, 0))).isInstanceOf(InvalidArgumentException.class);
                assertThatThrownBy(() -> c.seek(MessageId.of(7, 0), true)).isInstanceOf(InvalidArgumentException.class);
                // Cumulative acknowledgement covers the id's partition only.
                List<Message> ackedPartition = byPartition.get(acked);
                c.ackCumulative(ackedPartition.get(ackedPartition.size() - 1).id());
                assertThat(client.listSubscriptions(topic)).singleElement()
                        .extracting(SubscriptionInfo::lag).isEqualTo((long) (keys * perKey - ackedPartition.size()));
            }
            try (Consumer c = subscribeEarliest(client, topic, "s")) {
                int expected = keys * perKey - byPartition.get(acked).size();
                Set<MessageId> again = new HashSet<>();
                for (int n = 0; n < expected; n++) {
                    again.add(c.receive(WAIT).orElseThrow().id());
                }
                assertThat(again).allSatisfy(id -> assertThat(id.partition()).isNotEqualTo(acked));
                assertThat(c.receive(Duration.ofMillis(500))).isEmpty();

                // A seek moves its partition; the others restart at their first unacknowledged message.
                int other = again.iterator().next().partition();
                List<Message> otherPartition = byPartition.get(other);
                c.seek(otherPartition.get(2).id(), true);
                Map<Integer, Integer> counts = new HashMap<>();
                for (int n = 0; n < expected - 2; n++) {
                    Message m = c.receive(WAIT).orElseThrow();
                    counts.merge(m.id().partition(), 1, Integer::sum);
                    if (m.id().partition() == other) {
                        assertThat(m.id().offset()).isGreaterThanOrEqualTo(otherPartition.get(2).id().offset());
                    }
                }
                assertThat(counts.get(other)).isEqualTo(otherPartition.size() - 2);
            }
        }
    }

    @Test
    void namesKafkaRejectsAreInvalidNamesAndCreateNothing() {
        try (MqClient client = KafkaMqClient.open(options().build())) {
            List<String> before = client.listTopics();
            for (String bad : new String[] {"a b", "ünïcode", "x".repeat(250), ".."}) {
                assertThatThrownBy(() -> client.createTopic(bad)).as(bad).isInstanceOf(InvalidNameException.class);
                assertThatThrownBy(() -> client.createProducer(bad)).as(bad).isInstanceOf(InvalidNameException.class);
                assertThatThrownBy(() -> subscribeEarliest(client, bad, "s")).as(bad).isInstanceOf(InvalidNameException.class);
            }
            String topic = RawKafka.uniqueTopic("names");
            assertThatThrownBy(() -> subscribeEarliest(client, topic, "bad\u0001name")).isInstanceOf(InvalidNameException.class);
            assertThat(client.listTopics()).doesNotContain(topic).containsAll(before);
        }
    }

    private static Config topicConfig(String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return KAFKA.admin().describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
    }

    static Consumer subscribeEarliest(MqClient client, String topic, String subscription) {
        return client.subscribe(ConsumerOptions.builder(topic, subscription)
                .initialPosition(SubscriptionInitialPosition.EARLIEST).build());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> texts(List<Message> messages) {
        List<String> out = new ArrayList<>(messages.size());
        messages.forEach(m -> out.add(text(m.payload())));
        return out;
    }

    static List<String> numbered(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
