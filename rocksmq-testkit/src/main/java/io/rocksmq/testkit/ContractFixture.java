package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.api.SubscriptionInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * What one contract test works with: the client under test, unique topic names, and helpers that wait
 * for messages with a generous bound instead of relying on timing.
 *
 * <p>Not thread-safe, except {@link #client()} (the client itself is thread-safe) and the static helpers.
 */
public final class ContractFixture implements AutoCloseable {
    private final Supplier<MqClient> opener;
    private final BackendTraits traits;
    private final ExpiredCount expiredCount;
    private final String prefix;
    private final AtomicInteger names = new AtomicInteger();
    private MqClient client;

    /** A backend's count of expired messages of a subscription, or -1 if it keeps none. */
    interface ExpiredCount {
        long of(MqClient client, String topic, String subscription);
    }

    ContractFixture(Supplier<MqClient> opener, BackendTraits traits, String testName, ExpiredCount expiredCount) {
        this.opener = opener;
        this.traits = traits;
        this.expiredCount = expiredCount;
        // Topic names valid on every backend (Kafka: [a-zA-Z0-9._-], at most 249), unique per run.
        String clean = testName.replaceAll("[^a-zA-Z0-9]", "");
        this.prefix = clean.substring(0, Math.min(clean.length(), 60)) + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFL);
        this.client = opener.get();
    }

    public MqClient client() {
        return client;
    }

    public BackendTraits traits() {
        return traits;
    }

    /** Closes the client and opens a new one on the same storage: a process restart, as far as the API can tell. */
    public MqClient restartClient() {
        client.close();
        client = opener.get();
        return client;
    }

    /**
     * The backend's count of expired messages the subscription skipped, through the current client
     * ({@link MqClientContract#expiredMessages}); -1 if the backend keeps none.
     */
    public long expiredMessages(String topic, String subscription) {
        return expiredCount.of(client, topic, subscription);
    }

    /** A topic name no other test uses. */
    public String newTopic() {
        return "t-" + prefix + "-" + names.incrementAndGet();
    }

    /** A subscription name unique within the test. */
    public String newSubscription() {
        return "s-" + names.incrementAndGet();
    }

    public Consumer subscribe(String topic, String subscription, SubscriptionInitialPosition position) {
        return client.subscribe(ConsumerOptions.builder(topic, subscription).initialPosition(position).build());
    }

    public Consumer subscribeEarliest(String topic, String subscription) {
        return subscribe(topic, subscription, SubscriptionInitialPosition.EARLIEST);
    }

    /** Sends {@code count} messages with payloads {@code prefix + i}; returns their ids in order. */
    public static List<MessageId> sendNumbered(Producer producer, String prefix, int count) {
        List<MessageId> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(producer.send(bytes(prefix + i)));
        }
        return ids;
    }

    /** Receives exactly {@code n} messages, each within the delivery timeout, or fails the test. */
    public List<Message> receive(Consumer consumer, int n) {
        List<Message> out = new ArrayList<>(n);
        while (out.size() < n) {
            Optional<Message> m = consumer.receive(traits.deliveryTimeout());
            if (m.isEmpty()) {
                fail("expected " + n + " messages, got " + out.size() + " within " + traits.deliveryTimeout()
                        + " each: " + texts(out));
            }
            out.add(m.get());
        }
        return out;
    }

    public Message receiveOne(Consumer consumer) {
        return receive(consumer, 1).get(0);
    }

    /** Asserts that no message arrives during the quiet period. */
    public void assertNothingDelivered(Consumer consumer) {
        Optional<Message> m = consumer.receive(traits.quietPeriod());
        assertThat(m).as("no message expected").isEmpty();
    }

    /** The lag of one subscription as listed by the client. */
    public long lag(String topic, String subscription) {
        for (SubscriptionInfo info : client.listSubscriptions(topic)) {
            if (info.name().equals(subscription)) {
                return info.lag();
            }
        }
        throw new AssertionError("subscription " + subscription + " not listed for " + topic);
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String text(Message m) {
        return new String(m.payload(), StandardCharsets.UTF_8);
    }

    public static List<String> texts(List<Message> messages) {
        List<String> out = new ArrayList<>(messages.size());
        for (Message m : messages) {
            out.add(text(m));
        }
        return out;
    }

    public static List<MessageId> ids(List<Message> messages) {
        List<MessageId> out = new ArrayList<>(messages.size());
        for (Message m : messages) {
            out.add(m.id());
        }
        return out;
    }

    public static OutgoingMessage text(String s) {
        return OutgoingMessage.of(bytes(s));
    }

    static List<String> numbered(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
