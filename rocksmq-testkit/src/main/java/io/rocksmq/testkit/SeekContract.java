package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.Producer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.rocksmq.testkit.ContractFixture.numbered;
import static io.rocksmq.testkit.ContractFixture.sendNumbered;
import static io.rocksmq.testkit.ContractFixture.text;
import static io.rocksmq.testkit.ContractFixture.texts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract: seek to an id (inclusive and exclusive, backwards, forwards, past the end) and by time.
 *
 * <p>Not thread-safe: the default methods are JUnit tests run on a {@link MqClientContract} instance.
 */
public interface SeekContract extends ContractSupport {

    @Test
    default void inclusiveSeekDeliversThatMessageNext() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            List<MessageId> ids = sendNumbered(p, "m", 10);
            c.seek(ids.get(5), true);
            assertThat(texts(f.receive(c, 5))).containsExactlyElementsOf(numbered("m", 5, 10));
        }
    }

    @Test
    default void exclusiveSeekSkipsExactlyThatMessage() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            List<MessageId> ids = sendNumbered(p, "m", 10);
            c.seek(ids.get(5), false);
            assertThat(texts(f.receive(c, 4))).containsExactlyElementsOf(numbered("m", 6, 10));
        }
    }

    @Test
    default void seekingBackwardsDeliversAgain() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            List<MessageId> ids = sendNumbered(p, "m", 8);
            f.receive(c, 8);
            c.seek(ids.get(2), true);
            assertThat(texts(f.receive(c, 6))).containsExactlyElementsOf(numbered("m", 2, 8));
            c.seek(ids.get(0), false);
            assertThat(text(f.receiveOne(c))).isEqualTo("m1");
        }
    }

    @Test
    default void seekDropsWhatWasAlreadyReadAhead() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            List<MessageId> ids = sendNumbered(p, "m", 30);
            assertThat(text(f.receiveOne(c))).isEqualTo("m0");
            c.seek(ids.get(20), true);
            assertThat(texts(f.receive(c, 10))).containsExactlyElementsOf(numbered("m", 20, 30));
        }
    }

    @Test
    default void exclusiveSeekToTheNewestWaitsForNewMessages() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            List<MessageId> ids = sendNumbered(p, "m", 5);
            c.seek(ids.get(4), false);
            f.assertNothingDelivered(c);
            MessageId next = p.send(ContractFixture.bytes("next"));
            assertThat(f.receiveOne(c).id()).isEqualTo(next);
        }
    }

    @Test
    default void seekPastTheEndDeliversTheNextMessageSent() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            List<MessageId> ids = sendNumbered(p, "m", 3);
            c.seek(MessageId.of(ids.get(2).partition(), ids.get(2).offset() + 1_000_000), true);
            f.assertNothingDelivered(c);
            p.send(ContractFixture.bytes("after"));
            assertThat(text(f.receiveOne(c))).isEqualTo("after");
        }
    }

    @Test
    default void aSeekIsPersistedForTheNextConsumer() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            List<MessageId> ids = sendNumbered(p, "m", 10);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                c.seek(ids.get(7), true);
            }
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                assertThat(texts(f.receive(c, 3))).containsExactly("m7", "m8", "m9");
            }
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                c.seek(ids.get(1), true); // backwards, then reconnect
            }
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                assertThat(text(f.receiveOne(c))).isEqualTo("m1");
            }
        }
    }

    @Test
    default void seekToTimestampStartsAtTheFirstMessageStoredAtOrAfterIt() throws InterruptedException {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            // Record a history whose publish times span at least two distinct milliseconds; no
            // assumption about how the backend's clock relates to ours, only that it moves forward.
            List<Message> history = new ArrayList<>();
            sendNumbered(p, "m", 3);
            history.addAll(f.receive(c, 3));
            long firstTime = history.get(0).publishTime();
            for (int round = 0; history.get(history.size() - 1).publishTime() == firstTime; round++) {
                assertThat(round).as("publish time never advanced").isLessThan(200);
                Thread.sleep(5);
                p.send(ContractFixture.bytes("r" + round));
                history.add(f.receiveOne(c));
            }
            sendNumbered(p, "z", 3);
            history.addAll(f.receive(c, 3));

            long t = history.get(history.size() - 1).publishTime();
            for (Message m : history) {
                if (m.publishTime() > firstTime) {
                    t = m.publishTime();
                    break;
                }
            }
            Message expected = null;
            for (Message m : history) {
                if (m.publishTime() >= t) {
                    expected = m;
                    break;
                }
            }
            c.seekToTimestamp(t);
            assertThat(f.receiveOne(c).id()).isEqualTo(expected.id());

            c.seekToTimestamp(0);
            assertThat(f.receiveOne(c).id()).isEqualTo(history.get(0).id());

            c.seekToTimestamp(history.get(history.size() - 1).publishTime() + 3_600_000L);
            f.assertNothingDelivered(c);
            MessageId later = p.send(ContractFixture.bytes("later"));
            assertThat(f.receiveOne(c).id()).isEqualTo(later);
        }
    }
}
