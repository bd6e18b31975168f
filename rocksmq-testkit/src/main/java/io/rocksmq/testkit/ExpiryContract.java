package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SharedSubscription;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.rocksmq.testkit.ContractFixture.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Contract: message expiry ({@link OutgoingMessage.Builder#ttl}, {@link OutgoingMessage.Builder#expiresAt}).
 * A message whose expiry passed before a subscription reads it is never delivered; the messages around
 * it are. A backend that cannot declares {@link BackendTraits#expiry()} off; every backend validates.
 *
 * <p>Not thread-safe: the default methods are JUnit tests run on a {@link MqClientContract} instance.
 */
public interface ExpiryContract extends ContractSupport {

    @Test
    default void anExpiredMessageIsNeverDelivered() throws InterruptedException {
        ContractFixture f = fixture();
        assumeTrue(f.traits().expiry(), "backend trait: expiry");
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            p.send("before");
            p.send(OutgoingMessage.textBuilder("expired at once").expiresAt(Instant.now().minusSeconds(3600)).build());
            p.send(OutgoingMessage.textBuilder("short ttl").ttl(Duration.ofMillis(200)).build());
            p.send(OutgoingMessage.textBuilder("long ttl").ttl(Duration.ofHours(1)).build());
            p.send("after");
        }
        Thread.sleep(400); // the short ttl has passed: expiry is checked against the clock when read
        try (Consumer c = f.subscribeEarliest(topic, "s")) {
            assertThat(texts(f.receive(c, 3))).containsExactly("before", "long ttl", "after");
            f.assertNothingDelivered(c);
        }
    }

    @Test
    default void expiredMessagesAreCountedForEachSubscriptionThatSkippedThem() {
        ContractFixture f = fixture();
        assumeTrue(f.traits().expiry(), "backend trait: expiry");
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            p.send("before");
            p.send(OutgoingMessage.textBuilder("expired 1").expiresAt(Instant.now().minusSeconds(3600)).build());
            p.send(OutgoingMessage.textBuilder("expired 2").expiresAt(Instant.now().minusSeconds(3600)).build());
            p.send("after");
        }
        for (String subscription : new String[] {"first", "second"}) {
            try (Consumer c = f.subscribeEarliest(topic, subscription)) {
                List<Message> got = f.receive(c, 2);
                assertThat(texts(got)).containsExactly("before", "after");
                // Once "after" is acknowledged the subscription has moved past both expired messages: a
                // backend counts them by then (Kafka when its read drops them, the embedded one on commit).
                c.ackCumulative(got.get(1).id());
                long expired = f.expiredMessages(topic, subscription);
                assumeTrue(expired >= 0, "backend keeps no expired count (MqClientContract.expiredMessages not overridden)");
                assertThat(expired).as(subscription).isEqualTo(2);
            }
        }
    }

    @Test
    default void expiredMessagesAreCountedForASharedSubscription() {
        ContractFixture f = fixture();
        assumeTrue(f.traits().expiry(), "backend trait: expiry");
        assumeTrue(f.traits().sharedSubscriptions(), "backend trait: sharedSubscriptions");
        String topic = f.newTopic();
        try (Consumer c = f.client().subscribe(ConsumerOptions.builder(topic, "workers")
                .shared(SharedSubscription.DEFAULTS).build());
             Producer p = f.client().createProducer(topic)) {
            p.send("before");
            p.send(OutgoingMessage.textBuilder("expired 1").expiresAt(Instant.now().minusSeconds(3600)).build());
            p.send(OutgoingMessage.textBuilder("expired 2").expiresAt(Instant.now().minusSeconds(3600)).build());
            p.send("after");
            List<Message> got = f.receive(c, 2);
            assertThat(texts(got)).containsExactly("before", "after");
            for (Message m : got) {
                c.ack(m.id());
            }
            long expired = f.expiredMessages(topic, "workers");
            assumeTrue(expired >= 0, "backend keeps no expired count (MqClientContract.expiredMessages not overridden)");
            assertThat(expired).isEqualTo(2);
        }
    }

    @Test
    default void badExpiriesAreRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> OutgoingMessage.textBuilder("x").ttl(Duration.ZERO))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> OutgoingMessage.textBuilder("x").ttl(Duration.ofSeconds(-1)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> OutgoingMessage.textBuilder("x").expiresAt(Instant.EPOCH))
                .isInstanceOf(InvalidArgumentException.class);
        OutgoingMessage m = OutgoingMessage.textBuilder("x").expiresAt(Instant.ofEpochSecond(5)).ttl(Duration.ofSeconds(1)).build();
        assertThat(m.ttl()).contains(Duration.ofSeconds(1));
        assertThat(m.expiresAt()).isEmpty();
    }
}
