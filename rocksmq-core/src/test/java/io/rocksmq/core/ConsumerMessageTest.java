package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ConsumerMessage}: a view into its stored batch that reads as the message produced. */
class ConsumerMessageTest {
    @Test
    void aViewReadsAsTheProducedMessage() {
        ConsumerMessage m = ConsumerMessage.of(42, "hello".getBytes(), Map.of("k", "v", "ü", "☃"), 1234L);
        assertThat(m.id()).isEqualTo(42);
        assertThat(m.publishTime()).isEqualTo(1234L);
        assertThat(m.payloadSize()).isEqualTo(5);
        assertThat(new String(m.payload())).isEqualTo("hello");
        assertThat(m.payload()).as("copied once, then the same array").isSameAs(m.payload());
        assertThat(m.properties()).containsExactlyInAnyOrderEntriesOf(Map.of("k", "v", "ü", "☃"));
        ByteBuffer b = m.payloadBuffer();
        assertThat(b.position()).isZero();
        assertThat(b.remaining()).isEqualTo(5);
        assertThat(b.get(0)).isEqualTo((byte) 'h');
        assertThatThrownBy(() -> b.put(0, (byte) 'x')).isInstanceOf(ReadOnlyBufferException.class);
        assertThat(m).isEqualTo(ConsumerMessage.of(42, "hello".getBytes(), Map.of("ü", "☃", "k", "v"), 1234L))
                .hasSameHashCodeAs(ConsumerMessage.of(42, "hello".getBytes(), Map.of("ü", "☃", "k", "v"), 1234L))
                .isNotEqualTo(ConsumerMessage.of(42, "hellO".getBytes(), Map.of("ü", "☃", "k", "v"), 1234L));
        assertThat(m.toString()).contains("id=42", "5 bytes");
    }

    @Test
    void anEmptyPayloadWithoutPropertiesIsFine() {
        ConsumerMessage m = ConsumerMessage.of(0, new byte[0], Map.of(), 0);
        assertThat(m.payload()).isEmpty();
        assertThat(m.payloadBuffer().remaining()).isZero();
        assertThat(m.properties()).isEmpty();
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> ConsumerMessage.of(1, null, Map.of(), 0)).isInstanceOf(InvalidArgumentException.class);
        String longKey = "k".repeat(BatchFormat.MAX_PROPERTY_KEY_BYTES + 1);
        assertThatThrownBy(() -> ConsumerMessage.of(1, new byte[1], Map.of(longKey, "v"), 0))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(ConsumerMessage.of(1, new byte[1], null, 0).properties()).as("null: none").isEmpty();
    }
}
