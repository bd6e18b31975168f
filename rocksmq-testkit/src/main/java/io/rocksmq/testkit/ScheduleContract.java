package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.FeatureNotSupportedException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ScheduleNotFoundException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.rocksmq.testkit.ContractFixture.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Contract: scheduled delivery ({@link Producer#schedule}, {@link OutgoingMessage.Builder#deliverAt},
 * {@link OutgoingMessage.Builder#deliverAfter}). A scheduled message appears when due and a cancelled one
 * never; a backend without it declares {@link BackendTraits#scheduledDelivery()} off and must refuse
 * {@code schedule} with {@link FeatureNotSupportedException} (never accept and drop the time). Every
 * backend refuses to {@code send} a message with a delivery time.
 *
 * <p>Not thread-safe: the default methods are JUnit tests run on a {@link MqClientContract} instance.
 */
public interface ScheduleContract extends ContractSupport {

    @Test
    default void aScheduledMessageAppearsWhenDueAndACancelledOneNever() {
        ContractFixture f = fixture();
        assumeTrue(f.traits().scheduledDelivery(), "backend trait: scheduledDelivery");
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            // The cancel must come before the message is due: 1 s, not less, so that a test thread stalled on
            // a loaded machine between the two calls does not find it delivered already. "due" falls due after
            // it, so once "due" arrives the cancelled one's time has passed too and its absence means something.
            String cancelled = p.schedule(OutgoingMessage.textBuilder("cancelled").deliverAfter(Duration.ofSeconds(1)).build());
            p.cancelScheduled(cancelled);
            assertThatThrownBy(() -> p.cancelScheduled(cancelled)).isInstanceOf(ScheduleNotFoundException.class);
            String due = p.schedule(OutgoingMessage.textBuilder("due").deliverAfter(Duration.ofSeconds(1)).build());
            p.schedule(OutgoingMessage.textBuilder("past").deliverAt(Instant.now().minusSeconds(60)).build());
            p.send("sent");
            assertThat(texts(f.receive(c, 3))).containsExactlyInAnyOrder("due", "past", "sent");
            f.assertNothingDelivered(c);
            assertThatThrownBy(() -> p.cancelScheduled(due)).isInstanceOf(ScheduleNotFoundException.class);
        }
    }

    @Test
    default void aBackendWithoutScheduledDeliveryRefusesIt() {
        ContractFixture f = fixture();
        assumeFalse(f.traits().scheduledDelivery(), "backend has scheduled delivery");
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic);
             Consumer c = f.subscribeEarliest(topic, "s")) {
            assertThatThrownBy(() -> p.schedule(OutgoingMessage.textBuilder("x").deliverAfter(Duration.ZERO).build()))
                    .isInstanceOf(FeatureNotSupportedException.class);
            p.send("sent");
            assertThat(texts(f.receive(c, 1))).containsExactly("sent");
            f.assertNothingDelivered(c);
        }
    }

    @Test
    default void aMessageWithADeliveryTimeIsNotSentAndBadTimesAreRefused() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            assertThatThrownBy(() -> p.send(OutgoingMessage.textBuilder("x").deliverAfter(Duration.ofSeconds(1)).build()))
                    .isInstanceOf(InvalidArgumentException.class);
        }
        assertThatThrownBy(() -> OutgoingMessage.textBuilder("x").deliverAfter(Duration.ofSeconds(-1)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> OutgoingMessage.textBuilder("x").deliverAt(Instant.EPOCH))
                .isInstanceOf(InvalidArgumentException.class);
        OutgoingMessage m = OutgoingMessage.textBuilder("x").deliverAt(Instant.ofEpochSecond(5))
                .deliverAfter(Duration.ofSeconds(1)).build();
        assertThat(m.deliverAfter()).contains(Duration.ofSeconds(1));
        assertThat(m.deliverAt()).isEmpty();
        assertThat(m.scheduled()).isTrue();
        assertThat(OutgoingMessage.text("y").scheduled()).isFalse();
    }
}
