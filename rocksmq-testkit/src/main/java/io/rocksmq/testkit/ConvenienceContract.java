package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import org.junit.jupiter.api.Test;

import static io.rocksmq.testkit.ContractFixture.sendNumbered;
import static io.rocksmq.testkit.ContractFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Contract: the conveniences every backend gets from the API's default methods behave as their primitives
 * say: text messages, {@link Consumer#seekToEarliest()}, {@link Consumer#seekToLatest()}, and
 * {@link io.rocksmq.api.MqClient#unwrap}.
 *
 * <p>A backend's contract test implements this interface beside extending {@link MqClientContract}.
 *
 * <p>Not thread-safe: the default methods are JUnit tests run on a {@link MqClientContract} instance.
 */
public interface ConvenienceContract extends ContractSupport {

    @Test
    default void textMessagesGoAndComeBackAsSent() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            p.send("héllo ✓");
            p.send(OutgoingMessage.textBuilder("with key").key("k").build());
            assertThatThrownBy(() -> p.send("bad \uD800")).isInstanceOf(InvalidArgumentException.class);
            Message first = f.receiveOne(c);
            assertThat(first.text()).isEqualTo("héllo ✓");
            Message second = f.receiveOne(c);
            assertThat(second.text()).isEqualTo("with key");
            assertThat(second.key()).contains("k");
            f.assertNothingDelivered(c);
        }
    }

    @Test
    default void seekToEarliestReplaysAndSeekToLatestSkipsToNewMessages() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            sendNumbered(p, "m", 3);
            for (int i = 0; i < 3; i++) {
                c.ack(f.receiveOne(c).id());
            }
            c.seekToEarliest();
            assertThat(text(f.receiveOne(c))).isEqualTo("m0");
            c.seekToLatest();
            f.assertNothingDelivered(c);
            p.send("after");
            assertThat(text(f.receiveOne(c))).isEqualTo("after");
        }
    }

    @Test
    default void aClientUnwrapsToItselfAndRefusesWhatItDoesNotHave() {
        ContractFixture f = fixture();
        assertThat(f.client().unwrap(io.rocksmq.api.MqClient.class)).isSameAs(f.client());
        assertThatThrownBy(() -> f.client().unwrap(StringBuilder.class)).isInstanceOf(InvalidArgumentException.class);
    }
}
