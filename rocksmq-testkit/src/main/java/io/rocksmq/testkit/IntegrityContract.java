package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.rocksmq.testkit.ContractFixture.bytes;
import static io.rocksmq.testkit.ContractFixture.sendNumbered;
import static io.rocksmq.testkit.ContractFixture.text;
import static io.rocksmq.testkit.ContractFixture.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Contract: a call either does what it says or is refused with a typed error and changes nothing, and data
 * never changes silently (issue 13: items 7, 8 and 9), plus push-delivery failures reported one way.
 *
 * <p>A backend's contract test implements this interface beside extending {@link MqClientContract}.
 *
 * <p>Not thread-safe: the default methods are JUnit tests run on a {@link MqClientContract} instance.
 */
public interface IntegrityContract extends ContractSupport {

    /** UTF-8 cannot hold an unpaired surrogate: stored, it would come back as '?'. */
    @Test
    default void anUnpairedSurrogateInAKeyOrPropertyIsRefusedAndNothingIsSent() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            assertThatThrownBy(() -> p.send(OutgoingMessage.builder(bytes("bad")).key("k\uD800").build()))
                    .isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> p.send(OutgoingMessage.builder(bytes("bad")).property("p", "\uDC00v").build()))
                    .isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> p.send(OutgoingMessage.builder(bytes("bad")).property("\uD83D", "v").build()))
                    .isInstanceOf(InvalidArgumentException.class);
            p.send(OutgoingMessage.builder(bytes("good")).key("k\uD83D\uDE00").property("p", "\uD83D\uDE00").build());
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                Message m = f.receiveOne(c);
                assertThat(text(m)).as("the refused sends stored nothing").isEqualTo("good");
                assertThat(m.key()).as("a paired surrogate is fine").contains("k\uD83D\uDE00");
                assertThat(m.properties()).containsEntry("p", "\uD83D\uDE00");
            }
        }
    }

    /**
     * Messages read ahead into the consumer's buffer were never handed to the application: acknowledging
     * them, cumulatively or one by one, must not commit them (refused with InvalidArgumentException, or no
     * effect if they were not read yet), or they are never delivered.
     */
    @Test
    default void anAcknowledgementNeverCommitsPastTheLastDeliveredMessage() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        try (Producer p = f.client().createProducer(topic)) {
            List<MessageId> ids = sendNumbered(p, "m", 4);
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                assertThat(texts(f.receive(c, 2))).containsExactly("m0", "m1");
                ackRefusedOrIgnored(() -> c.ackCumulative(ids.get(3)));
                ackRefusedOrIgnored(() -> c.ack(ids.get(2)));
                c.ackCumulative(ids.get(1)); // what was delivered may be acknowledged
            }
            try (Consumer c = f.subscribeEarliest(topic, "s")) {
                assertThat(texts(f.receive(c, 2))).as("m2 and m3 were never delivered").containsExactly("m2", "m3");
            }
        }
    }

    private static void ackRefusedOrIgnored(Runnable ack) {
        try {
            ack.run();
        } catch (InvalidArgumentException refused) {
            assertThat(refused).hasMessageContaining("not delivered");
        }
    }

    /** Validation comes before any change: a subscribe refused for its subscription name creates no topic. */
    @Test
    default void aRefusedSubscribeCreatesNothing() {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        assertThatThrownBy(() -> f.client().subscribe(ConsumerOptions.builder(topic, "bad\u0001name").build()))
                .isInstanceOf(RocksMqException.class);
        assertThat(f.client().listTopics()).doesNotContain(topic);
    }

    /**
     * A failed auto-ack (here: the listener deletes its own subscription) is logged at WARN and never thrown
     * at the application, the same on every backend (they share the toolkit's ListenerErrors). Observed on
     * System.err, where the test's SLF4J binding (slf4j-simple) writes.
     */
    @Test
    default void aFailedAutoAckIsLoggedAtWarnAndNeverThrown() throws Exception {
        ContractFixture f = fixture();
        String topic = f.newTopic();
        String subscription = f.newSubscription();
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (Producer p = f.client().createProducer(topic)) {
            sendNumbered(p, "m", 1);
            CountDownLatch handled = new CountDownLatch(1);
            System.setErr(new PrintStream(new TeeStream(originalErr, captured), true, StandardCharsets.UTF_8));
            try (Consumer c = f.client().subscribe(ConsumerOptions.builder(topic, subscription)
                    .initialPosition(SubscriptionInitialPosition.EARLIEST).autoAck(true)
                    .messageListener((consumer, m) -> {
                        f.client().deleteSubscription(topic, subscription);
                        handled.countDown();
                    }).build())) {
                assertThat(handled.await(f.traits().deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                long deadline = System.nanoTime() + f.traits().deliveryTimeout().toNanos();
                while (!logged(captured, subscription) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            }
        } finally {
            System.setErr(originalErr);
        }
        assertThat(logged(captured, subscription)).as("a WARN line about the failed auto-ack of '%s'", subscription)
                .isTrue();
    }

    private static boolean logged(ByteArrayOutputStream captured, String subscription) {
        String out;
        synchronized (captured) {
            out = captured.toString(StandardCharsets.UTF_8);
        }
        return out.lines().anyMatch(l -> l.contains("WARN") && l.contains("auto-ack of message")
                && l.contains("/" + subscription + "'"));
    }

    /** Writes to two streams; the capture is guarded by its own monitor. */
    final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final ByteArrayOutputStream second;

        TeeStream(java.io.OutputStream first, ByteArrayOutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            synchronized (second) {
                second.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            synchronized (second) {
                second.write(b, off, len);
            }
        }
    }
}
