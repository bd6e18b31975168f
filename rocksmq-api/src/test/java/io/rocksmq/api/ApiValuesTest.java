package io.rocksmq.api;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Options, messages and backend discovery, without any backend. */
class ApiValuesTest {

    @Test
    void producerOptionsHaveDocumentedDefaultsAndBounds() {
        ProducerOptions o = ProducerOptions.of("t");
        assertThat(o.topic()).isEqualTo("t");
        assertThat(o.batchingMaxMessages()).isEqualTo(ProducerOptions.DEFAULT_BATCHING_MAX_MESSAGES);
        assertThat(o.batchingMaxBytes()).isEqualTo(ProducerOptions.DEFAULT_BATCHING_MAX_BYTES);
        assertThat(o.batchingMaxDelay()).isEqualTo(ProducerOptions.DEFAULT_BATCHING_MAX_DELAY);
        assertThat(o.maxPendingMessages()).isEqualTo(ProducerOptions.DEFAULT_MAX_PENDING_MESSAGES);
        assertThat(ProducerOptions.builder("t").batchingMaxDelay(ProducerOptions.MAX_BATCHING_DELAY).build()
                .batchingMaxDelay()).isEqualTo(ProducerOptions.MAX_BATCHING_DELAY);
        assertThatThrownBy(() -> ProducerOptions.builder("t")
                .batchingMaxDelay(ProducerOptions.MAX_BATCHING_DELAY.plusNanos(1)).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ProducerOptions.of("")).isInstanceOf(InvalidNameException.class);
    }

    @Test
    void aProducerNameTurnsAutomaticDeduplicationIdsOnAndIsValidated() {
        assertThat(ProducerOptions.of("t").producerName()).isNull();
        assertThat(ProducerOptions.of("t").sendTimeout()).isEqualTo(ProducerOptions.DEFAULT_SEND_TIMEOUT);
        ProducerOptions named = ProducerOptions.builder("t").producerName("orders-1").build();
        assertThat(named.producerName()).isEqualTo("orders-1");
        io.rocksmq.api.internals.AutoDeduplicationIds ids = io.rocksmq.api.internals.AutoDeduplicationIds.of(named);
        String first = ids.next();
        assertThat(first).startsWith("orders-1:").endsWith(":0");
        assertThat(ids.next()).endsWith(":1").startsWith(first.substring(0, first.length() - 1));
        assertThat(ids.prefix() + ":0").as("the prefix and sequence the embedded producer hands").isEqualTo(first);
        assertThat(ids.nextSequence()).as("one counter for both").isEqualTo(2);
        assertThat(ids.next()).isEqualTo(ids.prefix() + ":3");
        assertThat(io.rocksmq.api.internals.AutoDeduplicationIds.of(named).next())
                .as("another producer of the name draws another epoch").isNotEqualTo(first);
        assertThat(io.rocksmq.api.internals.AutoDeduplicationIds.of(ProducerOptions.of("t"))).isNull();
        String longest = "n".repeat(ProducerOptions.MAX_PRODUCER_NAME_LENGTH);
        assertThat(io.rocksmq.api.internals.AutoDeduplicationIds.of(ProducerOptions.builder("t").producerName(longest)
                .build()).next().length()).isLessThanOrEqualTo(OutgoingMessage.MAX_DEDUPLICATION_ID_BYTES);
        for (String bad : new String[] {"", longest + "n", "with space", "caf\u00e9"}) {
            assertThatThrownBy(() -> ProducerOptions.builder("t").producerName(bad).build())
                    .isInstanceOf(InvalidArgumentException.class);
        }
        assertThatThrownBy(() -> ProducerOptions.builder("t").sendTimeout(Duration.ZERO).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ProducerOptions.builder("t").sendTimeout(null).build())
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void consumerOptionsHaveDocumentedDefaults() {
        ConsumerOptions o = ConsumerOptions.builder("t", "s").build();
        assertThat(o.initialPosition()).isEqualTo(SubscriptionInitialPosition.LATEST);
        assertThat(o.receiveBufferSize()).isEqualTo(ConsumerOptions.DEFAULT_RECEIVE_BUFFER_SIZE);
        assertThat(o.autoAck()).isFalse();
        assertThat(o.messageListener()).isEmpty();
        assertThat(o.listenerExecutor()).isEmpty();
        MessageListener l = (c, m) -> { };
        ConsumerOptions withListener = ConsumerOptions.builder("t", "s").messageListener(l)
                .listenerExecutor(Runnable::run).build();
        assertThat(withListener.messageListener()).contains(l);
        assertThat(withListener.listenerExecutor()).isPresent();
        assertThatThrownBy(() -> ConsumerOptions.builder(null, "s").build()).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> ConsumerOptions.builder("t", "s").receiveBufferSize(0).build())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("receiveBufferSize");
        assertThatThrownBy(() -> ConsumerOptions.builder("t", "s").receiveBufferBytes(0).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ConsumerOptions.builder("t", "s").receiveBufferBytes(-1).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(ConsumerOptions.builder("t", "s").build().receiveBufferBytes())
                .isEqualTo(ConsumerOptions.DEFAULT_RECEIVE_BUFFER_BYTES);
        assertThat(ConsumerOptions.builder("t", "s").receiveBufferBytes(5).build().receiveBufferBytes()).isEqualTo(5);
    }

    @Test
    void outgoingMessagesCopyPropertiesAndRejectReservedOnes() {
        Map<String, String> props = new HashMap<>(Map.of("a", "1"));
        OutgoingMessage.Builder b = OutgoingMessage.builder(new byte[0]).properties(props).key("k");
        props.put("b", "2");
        OutgoingMessage m = b.build();
        assertThat(m.properties()).isEqualTo(Map.of("a", "1"));
        assertThat(m.key()).contains("k");
        assertThat(OutgoingMessage.builder(new byte[0]).key("k").key(null).build().key()).isEmpty();
        assertThatThrownBy(() -> m.properties().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);

        Map<String, String> mixed = new HashMap<>(Map.of("ok", "1", OutgoingMessage.RESERVED_PROPERTY_PREFIX + "x", "2"));
        OutgoingMessage.Builder partial = OutgoingMessage.builder(new byte[0]);
        assertThatThrownBy(() -> partial.properties(mixed)).isInstanceOf(InvalidArgumentException.class);
        assertThat(partial.build().properties()).as("a rejected call adds nothing").isEmpty();
        // Only the exact prefix is reserved.
        assertThat(OutgoingMessage.builder(new byte[0]).property("__rmq", "v").property("_rmq.x", "v").build()
                .properties()).hasSize(2);
    }

    @Test
    void deliveredMessagesValidateAndCopy() {
        Map<String, String> props = new HashMap<>(Map.of("a", "1"));
        Message m = new Message("t", MessageId.of(0, 1), new byte[] {1}, props, null, 5);
        props.clear();
        assertThat(m.properties()).containsEntry("a", "1");
        assertThat(m.key()).isEmpty();
        assertThat(m.toString()).contains("0:1").contains("t");
        assertThatThrownBy(() -> new Message("t", null, new byte[0], Map.of(), null, 0))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void openingAUriNoBackendHandlesFailsClearly() {
        assertThatThrownBy(() -> MqClient.open("nosuch:thing")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("nosuch");
        assertThatThrownBy(() -> MqClient.open("no scheme")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MqClient.open("relative/path")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("no scheme");
        assertThatThrownBy(() -> MqClient.open(" ")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MqClient.open((String) null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MqClient.open((java.nio.file.Path) null)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void durationsAboveTheMaximumAreRejected() {
        assertThatThrownBy(() -> ProducerOptions.builder("t").batchingMaxDelay(Duration.ofDays(1)).build())
                .isInstanceOf(InvalidArgumentException.class);
    }
}
