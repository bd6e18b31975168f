package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.api.SubscriptionInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.rocksmq.testkit.ContractFixture.numbered;
import static io.rocksmq.testkit.ContractFixture.sendNumbered;
import static io.rocksmq.testkit.ContractFixture.text;
import static io.rocksmq.testkit.ContractFixture.texts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract: at-least-once delivery, resume after reconnect, individual, cumulative and automatic acks, lag.
 *
 * <p>Not thread-safe: the default methods are JUnit tests run on a {@link MqClientContract} instance.
 */
public interface AcknowledgementContract extends ContractSupport {

    @Test
    default void unacknowledgedMessagesAreDeliveredAgainAfterReconnect() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "m", 5);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                assertThat(texts(f.receive(c, 5))).containsExactlyElementsOf(numbered("m", 0, 5));
            }
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                assertThat(texts(f.receive(c, 5))).containsExactlyElementsOf(numbered("m", 0, 5));
            }
        }
    }

    @Test
    default void cumulativeAckResumesAfterTheAcknowledgedMessage() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "m", 20);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                List<Message> got = f.receive(c, 15);
                c.ackCumulative(got.get(9).id());
            }
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                assertThat(texts(f.receive(c, 10))).containsExactlyElementsOf(numbered("m", 10, 20));
                f.assertNothingDelivered(c);
            }
        }
    }

    @Test
    default void individualAcksCommitOnlyTheContiguousPrefix() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "m", 6);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                List<Message> got = f.receive(c, 6);
                c.ack(got.get(0).id());
                c.ack(got.get(1).id());
                c.ack(got.get(3).id());
                c.ack(got.get(5).id());
            }
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                // m2 was never acknowledged: delivery resumes there; later ones may come again (at-least-once).
                List<Message> again = f.receive(c, 4);
                assertThat(text(again.get(0))).isEqualTo("m2");
                assertThat(texts(again)).containsExactly("m2", "m3", "m4", "m5");
            }
        }
    }

    @Test
    default void acknowledgingALaterMessageAloneSkipsNothing() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "m", 5);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                List<Message> got = f.receive(c, 5);
                c.ack(got.get(4).id());
            }
            assertThat(f.lag(topic, "s")).isEqualTo(5);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                assertThat(text(f.receiveOne(c))).isEqualTo("m0");
            }
        }
    }

    @Test
    default void acknowledgingAnIdNotYetStoredNeverSkipsLaterMessages() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            List<MessageId> ids = sendNumbered(p, "m", 4);
            MessageId beyond = MessageId.of(ids.get(3).partition(), ids.get(3).offset() + 1000);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                f.receive(c, 2);
                c.ack(beyond);
                c.ackCumulative(beyond);
            }
            sendNumbered(p, "n", 1);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                // What was read may count as acknowledged; what was stored later must still come.
                List<String> got = new java.util.ArrayList<>();
                while (!got.contains("n0")) {
                    got.add(text(f.receiveOne(c)));
                }
                assertThat(List.of("m0", "m1", "m2", "m3", "n0")).endsWith(got.toArray(new String[0]));
            }
        }
    }

    @Test
    default void autoAckAdvancesThePositionOnDelivery() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "m", 6);
            try (Consumer c = f.client().subscribe(ConsumerOptions.builder(topic, "s")
                    .initialPosition(SubscriptionInitialPosition.EARLIEST).autoAck(true).build())) {
                assertThat(texts(f.receive(c, 3))).containsExactly("m0", "m1", "m2");
            }
            assertThat(f.lag(topic, "s")).isEqualTo(3);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                assertThat(texts(f.receive(c, 3))).containsExactly("m3", "m4", "m5");
            }
        }
    }

    @Test
    default void lagCountsMessagesAfterTheAcknowledgedPosition() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            assertThat(f.lag(topic, "s")).isZero();
            sendNumbered(p, "m", 10);
            assertThat(f.lag(topic, "s")).isEqualTo(10);
            List<Message> got = f.receive(c, 10);
            assertThat(f.lag(topic, "s")).as("reading is not acknowledging").isEqualTo(10);
            c.ackCumulative(got.get(3).id());
            assertThat(f.lag(topic, "s")).isEqualTo(6);
            c.ackCumulative(got.get(9).id());
            assertThat(f.lag(topic, "s")).isZero();
            assertThat(f.client().listSubscriptions(topic)).extracting(SubscriptionInfo::topic).containsOnly(topic);
        }
    }

    @Test
    default void positionsAndMessagesSurviveAClientRestart() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "m", 10);
        }
        try (Consumer c = f.subscribeEarliest(topic, "s")) {
            List<Message> got = f.receive(c, 10);
            c.ackCumulative(got.get(4).id());
        }
        MqClient restarted = f.restartClient();
        assertThat(restarted.listTopics()).contains(topic);
        assertThat(f.lag(topic, "s")).isEqualTo(5);
        try (Consumer c = f.subscribeEarliest(topic, "s")) {
            assertThat(texts(f.receive(c, 5))).containsExactlyElementsOf(numbered("m", 5, 10));
        }
    }

    @Test
    default void deletingASubscriptionForgetsItsPosition() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "m", 4);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                c.ackCumulative(f.receive(c, 4).get(3).id());
            }
            f.client().deleteSubscription(topic, "s");
            assertThat(f.client().listSubscriptions(topic)).extracting(SubscriptionInfo::name).doesNotContain("s");
            f.client().deleteSubscription(topic, "s"); // unknown subscription: no-op
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                assertThat(texts(f.receive(c, 4))).containsExactlyElementsOf(numbered("m", 0, 4));
            }
        }
    }
}
