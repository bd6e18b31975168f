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
    void messagesOfOneBatchShareNoBufferState() {
        java.util.List<ProducerMessage> in = java.util.List.of(ProducerMessage.of("first".getBytes()),
                new ProducerMessage("2nd".getBytes(), Map.of("p", "q")), ProducerMessage.of("third!".getBytes()));
        byte[] batch = BatchFormat.encodeBatch(in, 0, 3);
        BatchFormat.patchPublishTime(batch, 77L);
        MessageList list = new MessageList(3);
        BatchFormat.decodeBatch(batch, 10, 10, 3, list);
        ByteBuffer first = list.get(0).payloadBuffer();
        first.position(3).limit(4); // moving one view moves no other, nor the next view of the same message
        ByteBuffer second = list.get(1).payloadBuffer();
        assertThat(second.position()).isZero();
        assertThat(second.remaining()).isEqualTo(3);
        assertThat(second.get(0)).isEqualTo((byte) '2');
        assertThat(list.get(0).payloadBuffer().remaining()).isEqualTo(5);
        assertThat(list.get(2).payloadBuffer().get(5)).isEqualTo((byte) '!');
        assertThatThrownBy(() -> list.get(2).payloadBuffer().get(6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(list.get(1).properties()).isEqualTo(Map.of("p", "q"));
        assertThat(list.get(2).properties()).isEmpty();
        assertThat(list.get(2).publishTime()).isEqualTo(77L);
        assertThat(list.get(2).id()).isEqualTo(12L);
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
