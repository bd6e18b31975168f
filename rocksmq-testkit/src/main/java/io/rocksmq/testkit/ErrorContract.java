package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.TopicNotFoundException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.rocksmq.testkit.ContractFixture.bytes;
import static io.rocksmq.testkit.ContractFixture.sendNumbered;
import static io.rocksmq.testkit.ContractFixture.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Contract: bad input fails with a typed exception and changes nothing; message ids round-trip.
 *
 * <p>Not thread-safe: the default methods are JUnit tests run on a {@link MqClientContract} instance.
 */
public interface ErrorContract extends ContractSupport {

    @Test
    default void optionsRejectEmptyNamesAndNonPositiveSizes() {
        assertThatThrownBy(() -> ProducerOptions.of("")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ProducerOptions.of(null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ConsumerOptions.builder("", "s").build()).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ConsumerOptions.builder("t", "").build()).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ConsumerOptions.builder("t", null).build()).isInstanceOf(InvalidArgumentException.class);
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> ConsumerOptions.builder("t", "s").receiveBufferSize(bad).build())
                    .isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> ProducerOptions.builder("t").batchingMaxMessages(bad).build())
                    .isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> ProducerOptions.builder("t").batchingMaxBytes(bad).build())
                    .isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> ProducerOptions.builder("t").maxPendingMessages(bad).build())
                    .isInstanceOf(InvalidArgumentException.class);
        }
        assertThatThrownBy(() -> ProducerOptions.builder("t").batchingMaxDelay(Duration.ofMillis(-1)).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ProducerOptions.builder("t").batchingMaxDelay(null).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ConsumerOptions.builder("t", "s").initialPosition(null).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ConsumerOptions.builder("t", "s").listenerExecutor(Runnable::run).build())
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    default void clientRejectsBadArgumentsAndUnknownTopics() {
        ContractFixture f = fixture();
        String unknown = f.newTopic();
        assertThatThrownBy(() -> f.client().createProducer((ProducerOptions) null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> f.client().subscribe(null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> f.client().createTopic("")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> f.client().createTopic(null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> f.client().deleteTopic(unknown)).isInstanceOf(TopicNotFoundException.class);
        assertThatThrownBy(() -> f.client().listSubscriptions(unknown)).isInstanceOf(TopicNotFoundException.class);
        assertThatThrownBy(() -> f.client().deleteSubscription(unknown, "s")).isInstanceOf(TopicNotFoundException.class);
        assertThat(f.client().listTopics()).doesNotContain(unknown);
    }

    @Test
    default void badMessagesAreRejectedAndNothingIsStored() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            assertThatThrownBy(() -> OutgoingMessage.of(null)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> p.send((byte[]) null)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> p.send((OutgoingMessage) null)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> p.sendAsync(null)).isInstanceOf(InvalidArgumentException.class);
            String reserved = OutgoingMessage.RESERVED_PROPERTY_PREFIX + "key";
            assertThatThrownBy(() -> OutgoingMessage.builder(bytes("x")).property(reserved, "v"))
                    .isInstanceOf(InvalidArgumentException.class);
            Map<String, String> withNull = new HashMap<>();
            withNull.put("k", null);
            assertThatThrownBy(() -> OutgoingMessage.builder(bytes("x")).properties(withNull))
                    .isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> OutgoingMessage.builder(bytes("x")).property("", "v"))
                    .isInstanceOf(InvalidArgumentException.class);
            p.send(bytes("good"));
            assertThat(texts(f.receive(c, 1))).containsExactly("good");
            f.assertNothingDelivered(c);
            assertThat(f.lag(topic, "s")).isEqualTo(1);
        }
    }

    @Test
    default void consumerRejectsBadArguments() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            sendNumbered(p, "m", 2);
            assertThatThrownBy(() -> c.receive(null)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> c.receive(Duration.ofMillis(-1))).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> c.poll(0, Duration.ZERO)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> c.poll(-5, Duration.ZERO)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> c.poll(1, null)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> c.ack(null)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> c.ackCumulative(null)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> c.seek(null, true)).isInstanceOf(InvalidArgumentException.class);
            // None of that moved anything.
            assertThat(texts(f.receive(c, 2))).containsExactly("m0", "m1");
        }
    }

    @Test
    default void deliveredIdsRoundTripThroughBytesAndOrderLikeDelivery() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            sendNumbered(p, "m", 5);
            List<Message> got = f.receive(c, 5);
            for (int i = 0; i < got.size(); i++) {
                MessageId id = got.get(i).id();
                MessageId decoded = MessageId.fromBytes(id.toBytes());
                assertThat(decoded).isEqualTo(id).hasSameHashCodeAs(id);
                assertThat(decoded.toString()).isEqualTo(id.toString());
                if (i > 0) {
                    assertThat(id).isGreaterThan(got.get(i - 1).id());
                }
            }
            // A decoded id is as good as the original for seeking.
            c.seek(MessageId.fromBytes(got.get(2).id().toBytes()), true);
            assertThat(ContractFixture.text(f.receiveOne(c))).isEqualTo("m2");
        }
        assertThatThrownBy(() -> MessageId.fromBytes(null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MessageId.fromBytes(new byte[0])).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MessageId.fromBytes(new byte[] {1, 2, 3})).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MessageId.fromBytes(new byte[13])).isInstanceOf(InvalidArgumentException.class);
    }
}
