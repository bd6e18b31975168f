package io.rocksmq.kafka;

import io.rocksmq.api.InvalidNameException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The broker-free parts of the Kafka backend: names, record mapping, the acknowledgement tracker. */
class KafkaUnitsTest {

    @Test
    void topicNamesFollowKafkasRule() {
        assertThat(KafkaNames.topic("orders.v2_EU-1")).isEqualTo("orders.v2_EU-1");
        assertThat(KafkaNames.topic("x".repeat(249))).hasSize(249);
        for (String bad : new String[] {"", ".", "..", "a b", "a/b", "ünï", "x".repeat(250), "tab\t"}) {
            assertThatThrownBy(() -> KafkaNames.topic(bad)).as(bad).isInstanceOf(InvalidNameException.class);
        }
        assertThatThrownBy(() -> KafkaNames.topic(null)).isInstanceOf(InvalidNameException.class);
    }

    @Test
    void subscriptionNamesFollowTheEmbeddedRule() {
        assertThat(KafkaNames.subscription("billing service ✓ 🚀")).isNotNull();
        assertThat(KafkaNames.subscription("s".repeat(255))).hasSize(255);
        for (String bad : new String[] {"", "s".repeat(256), "a\u0000b", "a\nb", "\uD800x"}) {
            assertThatThrownBy(() -> KafkaNames.subscription(bad)).isInstanceOf(InvalidNameException.class);
        }
    }

    @Test
    void messagesMapToRecordsAndBack() {
        OutgoingMessage m = OutgoingMessage.builder("payload".getBytes(StandardCharsets.UTF_8))
                .key("ключ").property("a", "1").property("empty", "").property("ü", "值").build();
        ProducerRecord<byte[], byte[]> r = RecordCodec.encode("t", m);
        assertThat(r.topic()).isEqualTo("t");
        assertThat(r.partition()).isNull();
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("ключ");
        assertThat(r.value()).isSameAs(m.payload());
        Map<String, String> headers = new TreeMap<>();
        r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        assertThat(headers).isEqualTo(Map.of("a", "1", "empty", "", "ü", "值"));

        ConsumerRecord<byte[], byte[]> back = new ConsumerRecord<>("t", 2, 41, 1_700_000_000_000L,
                TimestampType.LOG_APPEND_TIME, 0, 0, r.key(), r.value(), r.headers(), Optional.empty());
        Message decoded = RecordCodec.decode(back);
        assertThat(decoded.id()).isEqualTo(MessageId.of(2, 41));
        assertThat(decoded.topic()).isEqualTo("t");
        assertThat(decoded.key()).contains("ключ");
        assertThat(decoded.properties()).isEqualTo(m.properties());
        assertThat(decoded.payload()).isEqualTo("payload".getBytes(StandardCharsets.UTF_8));
        assertThat(decoded.publishTime()).isEqualTo(1_700_000_000_000L);

        assertThat(RecordCodec.encode("t", OutgoingMessage.of(new byte[0])).key()).isNull();
    }

    @Test
    void recordsFromOtherKafkaClientsAreReadLeniently() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("dup", "first".getBytes(StandardCharsets.UTF_8)));
        headers.add(new RecordHeader("dup", "second".getBytes(StandardCharsets.UTF_8)));
        headers.add(new RecordHeader("nullValue", (byte[]) null));
        headers.add(new RecordHeader(OutgoingMessage.RESERVED_PROPERTY_PREFIX + "internal", new byte[] {1}));
        headers.add(new RecordHeader("bin", new byte[] {(byte) 0xff}));
        ConsumerRecord<byte[], byte[]> tombstone = new ConsumerRecord<>("t", 0, 7, 5L, TimestampType.CREATE_TIME,
                0, 0, null, null, headers, Optional.empty());
        Message m = RecordCodec.decode(tombstone);
        assertThat(m.payload()).isEmpty();
        assertThat(m.key()).isEmpty();
        assertThat(m.properties()).containsEntry("dup", "second").containsEntry("nullValue", "")
                .containsEntry("bin", "\uFFFD").hasSize(3);
    }
}
