package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.rocksmq.testkit.ContractFixture.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Contract: deduplication ids ({@link OutgoingMessage.Builder#deduplicationId}). A resend with an id
 * already stored (within the default window, which every test here stays well inside) stores nothing
 * and answers the original's id; also in one burst of sends, and after a restart. A backend without
 * broker-side deduplication declares {@link BackendTraits#deduplication()} off; every backend validates
 * the id.
 *
 * <p>Not thread-safe: the default methods are JUnit tests run on a {@link MqClientContract} instance.
 */
public interface DeduplicationContract extends ContractSupport {

    private static OutgoingMessage withId(String text, String id) {
        return OutgoingMessage.textBuilder(text).deduplicationId(id).build();
    }

    @Test
    default void aResendWithTheSameDeduplicationIdIsStoredOnceAndAnswersTheOriginalId() {
        ContractFixture f = fixture();
        assumeTrue(f.traits().deduplication(), "backend trait: deduplication");
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            MessageId first = p.send(withId("a", "id-a"));
            assertThat(p.send(withId("a, resent", "id-a"))).isEqualTo(first);
            p.send(withId("b", "id-b"));
            p.send("no id");
            p.send("no id");
            assertThat(texts(f.receive(c, 4))).containsExactly("a", "b", "no id", "no id");
            f.assertNothingDelivered(c);
        }
    }

    @Test
    default void producersOfOneNameNeverDropEachOthersMessages() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        ProducerOptions named = ProducerOptions.builder(topic).producerName("orders-service").build();
        List<String> expected = new ArrayList<>();
        try (Consumer c = f.subscribeEarliest(topic, "s")) {
            try (Producer first = f.client().createProducer(named);
                 Producer second = f.client().createProducer(named)) {
                for (int i = 0; i < 20; i++) {
                    first.send("first " + i);
                    second.send("second " + i);
                    expected.add("first " + i);
                    expected.add("second " + i);
                }
            }
            try (Producer restarted = f.client().createProducer(named)) { // same name again, as after a restart
                restarted.send("restarted");
                expected.add("restarted");
            }
            assertThat(texts(f.receive(c, expected.size()))).containsExactlyElementsOf(expected);
            f.assertNothingDelivered(c);
        }
    }

    @Test
    default void aNamedProducerKeepsAMessagesOwnDeduplicationId() {
        ContractFixture f = fixture();
        assumeTrue(f.traits().deduplication(), "backend trait: deduplication");
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(ProducerOptions.builder(topic).producerName("p").build());
             Consumer c = f.subscribeEarliest(topic, "s")) {
            MessageId first = p.send(withId("a", "own-id"));
            assertThat(p.send(withId("a, resent", "own-id"))).isEqualTo(first);
            assertThat(texts(f.receive(c, 1))).containsExactly("a");
            f.assertNothingDelivered(c);
        }
    }

    @Test
    default void sendsOfOneIdInOneBurstAreStoredOnce() {
        ContractFixture f = fixture();
        assumeTrue(f.traits().deduplication(), "backend trait: deduplication");
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            List<CompletableFuture<MessageId>> sent = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                sent.add(p.sendAsync(withId("m" + (i % 10), "id-" + (i % 10))));
            }
            p.flush();
            for (int i = 10; i < 30; i++) {
                assertThat(sent.get(i).join()).isEqualTo(sent.get(i % 10).join());
            }
            assertThat(texts(f.receive(c, 10))).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
            f.assertNothingDelivered(c);
        }
    }

    @Test
    default void theDeduplicationWindowSurvivesARestart() {
        ContractFixture f = fixture();
        assumeTrue(f.traits().deduplication(), "backend trait: deduplication");
        String topic = f.newTopic();
        MessageId first;
        try (Producer p = f.client().createProducer(topic)) {
            first = p.send(withId("a", "id-a"));
        }
        f.restartClient();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            assertThat(p.send(withId("a, resent after restart", "id-a"))).isEqualTo(first);
            p.send("after");
            assertThat(texts(f.receive(c, 2))).containsExactly("a", "after");
            f.assertNothingDelivered(c);
        }
    }

    @Test
    default void aBadDeduplicationIdIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> OutgoingMessage.textBuilder("x").deduplicationId(""))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> OutgoingMessage.textBuilder("x").deduplicationId("x".repeat(257)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> OutgoingMessage.textBuilder("x").deduplicationId("bad \uD800"))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(OutgoingMessage.textBuilder("x").deduplicationId("k").build().deduplicationId()).contains("k");
    }
}
