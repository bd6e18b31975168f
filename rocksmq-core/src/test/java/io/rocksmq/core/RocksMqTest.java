package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.InvalidNameException;
import io.rocksmq.api.QueueAlreadyOpenException;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.TopicNotFoundException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Black-box behaviour of every broker-level method, through the public API. */
class RocksMqTest {
    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(1_700_000_000_000L);
    RocksMq mq;

    @BeforeEach
    void open() {
        mq = RocksMq.open(RocksMqConfig.builder(dir).clock(clock).build());
    }

    @AfterEach
    void close() {
        mq.close();
    }

    @Test
    void producedMessagesAreConsumedInOrderAcrossBatches() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        long[] first = mq.produce("t", msgs("a", "b", "c"));
        long[] second = mq.produce("t", msgs("d", "e"));
        assertThat(first).containsExactly(first[0], first[0] + 1, first[0] + 2);
        assertThat(second[0]).isGreaterThan(first[2]);

        assertThat(texts(mq.consume("t", "g", 2))).containsExactly("a", "b");
        assertThat(texts(mq.consume("t", "g", 10))).containsExactly("c", "d", "e");
        assertThat(mq.consume("t", "g", 10)).isEmpty();
        mq.produce("t", msgs("f"));
        List<ConsumerMessage> last = mq.consume("t", "g", 10);
        assertThat(texts(last)).containsExactly("f");
        assertThat(last.get(0).id()).isGreaterThan(second[1]);
    }

    @Test
    void consumedIdsMatchProducedIds() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        long[] ids = mq.produce("t", msgs("x", "y"));
        assertThat(mq.consume("t", "g", 10)).extracting(ConsumerMessage::id).containsExactly(ids[0], ids[1]);
    }

    @Test
    void groupsAreIndependent() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g1");
        mq.createConsumerGroup("t", "g2");
        mq.produce("t", msgs("a", "b", "c"));
        assertThat(texts(mq.consume("t", "g1", 3))).containsExactly("a", "b", "c");
        assertThat(texts(mq.consume("t", "g2", 1))).containsExactly("a");
        assertThat(mq.consume("t", "g1", 3)).isEmpty();
        assertThat(texts(mq.consume("t", "g2", 5))).containsExactly("b", "c");
    }

    @Test
    void topicsWithSimilarNamesAreIsolated() {
        String[] names = {"chan01", "chan11", "chan1", "channel_tes", "channel_test", "a/b", "a", "b/c"};
        for (String n : names) {
            mq.createTopic(n);
            mq.createConsumerGroup(n, "g");
            mq.createConsumerGroup(n, "g/" + n);
        }
        for (String n : names) {
            mq.produce(n, msgs(n + "-1", n + "-2"));
        }
        for (String n : names) {
            assertThat(texts(mq.consume(n, "g", 100))).containsExactly(n + "-1", n + "-2");
            assertThat(texts(mq.consume(n, "g/" + n, 100))).containsExactly(n + "-1", n + "-2");
        }
        mq.destroyTopic("chan1");
        assertThat(texts(mq.read("chan01", 0, 10))).containsExactly("chan01-1", "chan01-2");
        assertThat(texts(mq.read("chan11", 0, 10))).containsExactly("chan11-1", "chan11-2");
    }

    @Test
    void createTopicIsIdempotentAndListsSorted() {
        mq.createTopic("b");
        mq.createTopic("a");
        mq.createTopic("b");
        assertThat(mq.topics()).containsExactly("a", "b");
        assertThat(mq.topicExists("a")).isTrue();
        assertThat(mq.topicExists("c")).isFalse();
    }

    @Test
    void consumerGroupLifecycle() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g2");
        mq.createConsumerGroup("t", "g1");
        assertThat(mq.consumerGroups("t")).containsExactly("g1", "g2");
        assertThat(mq.consumerGroupExists("t", "g1")).isTrue();
        assertThatThrownBy(() -> mq.createConsumerGroup("t", "g1")).isInstanceOf(ConsumerGroupExistsException.class);
        mq.destroyConsumerGroup("t", "g1");
        mq.destroyConsumerGroup("t", "g1"); // unknown group: no-op
        assertThat(mq.consumerGroupExists("t", "g1")).isFalse();
        assertThat(mq.consumerGroupExists("nope", "g1")).isFalse();
        assertThat(mq.consumerGroups("t")).containsExactly("g2");
    }

    @Test
    void recreatedGroupStartsAtEarliestAgain() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        mq.produce("t", msgs("a", "b"));
        mq.consume("t", "g", 10);
        mq.destroyConsumerGroup("t", "g");
        mq.createConsumerGroup("t", "g");
        assertThat(texts(mq.consume("t", "g", 10))).containsExactly("a", "b");
    }

    @Test
    void seekIsInclusiveAndMayGoBackwards() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        long[] ids = mq.produce("t", msgs("a", "b", "c", "d"));
        mq.seek("t", "g", ids[2]);
        assertThat(texts(mq.consume("t", "g", 10))).containsExactly("c", "d");
        mq.seek("t", "g", ids[1]);
        assertThat(texts(mq.consume("t", "g", 1))).containsExactly("b");
        assertThat(mq.position("t", "g")).isEqualTo(ids[2]);
        mq.seek("t", "g", ids[3] + 100);
        assertThat(mq.consume("t", "g", 10)).isEmpty();
        mq.produce("t", msgs("e"));
        assertThat(texts(mq.consume("t", "g", 10))).as("a seek past the end lands just after it").containsExactly("e");
    }

    @Test
    void seekBelowTheEarliestRetainedIdLandsOnTheEarliest() {
        mq.createTopic("t");
        mq.produce("t", msgs("old1", "old2"));
        mq.destroyTopic("t");
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        long[] ids = mq.produce("t", msgs("new1", "new2"));
        assertThat(ids[0]).isGreaterThan(1);
        assertThat(mq.earliestMessageId("t")).isEqualTo(ids[0]);
        mq.consume("t", "g", 10);
        mq.seek("t", "g", 0);
        assertThat(texts(mq.consume("t", "g", 10))).containsExactly("new1", "new2");
    }

    @Test
    void seekToLatestOnEmptyAndNonEmptyTopics() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        mq.seekToLatest("t", "g");
        assertThat(mq.consume("t", "g", 10)).isEmpty();
        mq.produce("t", msgs("a"));
        assertThat(texts(mq.consume("t", "g", 10))).containsExactly("a");

        mq.produce("t", msgs("b", "c"));
        mq.seekToLatest("t", "g");
        assertThat(mq.consume("t", "g", 10)).isEmpty();
        mq.produce("t", msgs("d"));
        assertThat(texts(mq.consume("t", "g", 10))).containsExactly("d");
    }

    @Test
    void seekToTimestampFindsTheFirstMessageAtOrAfter() {
        clock.set(1_000);
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        Map<Long, String> firstAt = new HashMap<>();
        for (int batch = 0; batch < 40; batch++) {
            clock.set(10_000L + batch * 100L);
            List<ProducerMessage> m = new ArrayList<>();
            for (int i = 0; i < 1 + batch % 3; i++) {
                m.add(msg("b" + batch + "m" + i));
            }
            mq.produce("t", m);
            firstAt.put(10_000L + batch * 100L, "b" + batch + "m0");
        }
        for (int batch = 0; batch < 40; batch++) {
            long t = 10_000L + batch * 100L;
            mq.seekToTimestamp("t", "g", t);
            assertThat(texts(mq.consume("t", "g", 1))).as("at %d", t).containsExactly(firstAt.get(t));
            mq.seekToTimestamp("t", "g", t - 50);
            assertThat(texts(mq.consume("t", "g", 1))).as("before %d", t).containsExactly(firstAt.get(t));
        }
        mq.seekToTimestamp("t", "g", 0);
        assertThat(texts(mq.consume("t", "g", 1))).containsExactly("b0m0");
        mq.seekToTimestamp("t", "g", 99_999_999L);
        assertThat(mq.consume("t", "g", 10)).isEmpty();
        clock.set(200_000_000L);
        mq.produce("t", msgs("late"));
        assertThat(texts(mq.consume("t", "g", 10))).containsExactly("late");
    }

    @Test
    void publishTimesNeverGoBackwardsEvenIfTheClockDoes() {
        clock.set(1_000);
        mq.createTopic("t");
        clock.set(5_000);
        mq.produce("t", msgs("a"));
        clock.set(1_000);
        mq.produce("t", msgs("b"));
        List<ConsumerMessage> got = mq.read("t", 0, 10);
        assertThat(got.get(0).publishTime()).isEqualTo(5_000);
        assertThat(got.get(1).publishTime()).isEqualTo(5_000);
    }

    @Test
    void latestMessageIdIsMinusOneOnEmptyTopics() {
        mq.createTopic("t");
        assertThat(mq.latestMessageId("t")).isEqualTo(-1);
        assertThat(mq.earliestMessageId("t")).isEqualTo(-1);
        long[] ids = mq.produce("t", msgs("a", "b"));
        assertThat(mq.latestMessageId("t")).isEqualTo(ids[1]);
        assertThat(mq.earliestMessageId("t")).isEqualTo(ids[0]);
    }

    @Test
    void emptyAndLargePayloadsRoundTrip() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        byte[] large = new byte[5 * 1024 * 1024 + 17];
        new Random(1).nextBytes(large);
        List<ProducerMessage> batch = new ArrayList<>();
        batch.add(ProducerMessage.of(new byte[0]));
        batch.add(ProducerMessage.of(large));
        for (int i = 0; i < 3000; i++) {
            batch.add(ProducerMessage.of(new byte[1000])); // crosses several 1 MiB entries
        }
        batch.add(ProducerMessage.of(new byte[0]));
        long[] ids = mq.produce("t", batch);
        List<ConsumerMessage> got = mq.consume("t", "g", 10_000);
        assertThat(got).hasSize(batch.size());
        assertThat(got.get(0).payload()).isEmpty();
        assertThat(got.get(1).payload()).isEqualTo(large);
        assertThat(got.get(got.size() - 1).payload()).isEmpty();
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i).id()).isEqualTo(ids[i]);
        }
        // Reading from the middle of a multi-entry batch.
        assertThat(mq.read("t", ids[2000], 3)).extracting(ConsumerMessage::id)
                .containsExactly(ids[2000], ids[2001], ids[2002]);
    }

    @Test
    void propertiesRoundTrip() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        Map<String, String> props = Map.of("k", "v", "unicode☃", "värde", "empty", "");
        mq.produce("t", List.of(ProducerMessage.of("p".getBytes(StandardCharsets.UTF_8), props), msg("none")));
        List<ConsumerMessage> got = mq.consume("t", "g", 10);
        assertThat(got.get(0).properties()).isEqualTo(props);
        assertThat(got.get(1).properties()).isEmpty();
    }

    @Test
    void badArgumentsAreRejectedAndChangeNothing() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        assertThrows(InvalidArgumentException.class, () -> mq.produce("t", List.of()));
        assertThrows(InvalidArgumentException.class, () -> mq.produce("t", null));
        List<ProducerMessage> withNull = new ArrayList<>();
        withNull.add(msg("ok"));
        withNull.add(null);
        assertThrows(InvalidArgumentException.class, () -> mq.produce("t", withNull));
        assertThrows(InvalidArgumentException.class, () -> ProducerMessage.of(null));
        assertThrows(InvalidArgumentException.class, () -> mq.consume("t", "g", 0));
        assertThrows(InvalidArgumentException.class, () -> mq.seek("t", "g", -1));
        assertThrows(InvalidArgumentException.class, () -> mq.produce("t", msgs("x"), null));
        assertThat(mq.latestMessageId("t")).isEqualTo(-1);
        assertThat(mq.position("t", "g")).isZero();
    }

    @Test
    void invalidNamesAreRejected() {
        String tooLong = "x".repeat(256);
        for (String bad : new String[] {null, "", tooLong, "a\nb", "tab\t", "nul\0", "bell\u0007", "del\u007f",
                "lone\uD800"}) {
            assertThrows(InvalidNameException.class, () -> mq.createTopic(bad), String.valueOf(bad));
        }
        mq.createTopic("x".repeat(255));
        mq.createTopic("spaces and ☃ and 😀 are fine");
        assertThrows(InvalidNameException.class, () -> mq.createConsumerGroup("x".repeat(255), ""));
        assertThat(mq.topics()).hasSize(2);
    }

    @Test
    void unknownTopicsAndGroupsAreTypedErrors() {
        assertThrows(TopicNotFoundException.class, () -> mq.produce("nope", msgs("a")));
        assertThrows(TopicNotFoundException.class, () -> mq.destroyTopic("nope"));
        assertThrows(TopicNotFoundException.class, () -> mq.createConsumerGroup("nope", "g"));
        assertThrows(TopicNotFoundException.class, () -> mq.consume("nope", "g", 1));
        assertThrows(TopicNotFoundException.class, () -> mq.latestMessageId("nope"));
        assertThrows(TopicNotFoundException.class, () -> mq.consumerGroups("nope"));
        mq.createTopic("t");
        assertThrows(ConsumerGroupNotFoundException.class, () -> mq.consume("t", "g", 1));
        assertThrows(ConsumerGroupNotFoundException.class, () -> mq.seek("t", "g", 0));
        assertThrows(ConsumerGroupNotFoundException.class, () -> mq.seekToLatest("t", "g"));
        assertThrows(ConsumerGroupNotFoundException.class, () -> mq.registerConsumer("t", "g"));
        mq.notifyGroup("t", "g");      // unknown group: no-op
        mq.notifyGroup("nope", "g");   // unknown topic: no-op
    }

    @Test
    void destroyTopicRemovesEverythingAndRecreatedTopicHasFreshLargerIds() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        long[] old = mq.produce("t", msgs("a", "b"));
        mq.destroyTopic("t");
        assertThat(mq.topicExists("t")).isFalse();
        assertThrows(TopicNotFoundException.class, () -> mq.consume("t", "g", 1));
        mq.createTopic("t");
        assertThat(mq.consumerGroups("t")).isEmpty();
        assertThat(mq.latestMessageId("t")).isEqualTo(-1);
        assertThat(mq.read("t", 0, 10)).isEmpty();
        mq.createConsumerGroup("t", "g");
        assertThat(mq.consume("t", "g", 10)).isEmpty();
        long[] fresh = mq.produce("t", msgs("c"));
        assertThat(fresh[0]).isGreaterThan(old[1]);
        assertThat(texts(mq.consume("t", "g", 10))).containsExactly("c");
    }

    @Test
    void registrationIsWokenByProduceAndReportsDestroyAndClose() throws Exception {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        ConsumerRegistration reg = mq.registerConsumer("t", "g");
        assertThat(reg.await(Duration.ZERO)).isEqualTo(AwaitResult.TIMED_OUT);
        mq.produce("t", msgs("a"));
        assertThat(reg.await(Duration.ofSeconds(10))).isEqualTo(AwaitResult.SIGNALLED);
        assertThat(reg.await(Duration.ofMillis(1))).isEqualTo(AwaitResult.TIMED_OUT);
        mq.notifyGroup("t", "g");
        assertThat(reg.await(Duration.ofSeconds(10))).isEqualTo(AwaitResult.SIGNALLED);

        AwaitResult[] seen = new AwaitResult[1];
        Thread waiter = new Thread(() -> seen[0] = reg.await(Duration.ofMinutes(1)));
        waiter.start();
        mq.destroyConsumerGroup("t", "g");
        waiter.join(10_000);
        assertThat(waiter.isAlive()).isFalse();
        assertThat(seen[0]).isEqualTo(AwaitResult.GROUP_DESTROYED);
        assertThat(reg.await(Duration.ofSeconds(1))).isEqualTo(AwaitResult.GROUP_DESTROYED);

        // A re-created group is a new incarnation: the old registration never sees it.
        mq.createConsumerGroup("t", "g");
        mq.notifyGroup("t", "g");
        assertThat(reg.await(Duration.ZERO)).isEqualTo(AwaitResult.GROUP_DESTROYED);
        ConsumerRegistration fresh = mq.registerConsumer("t", "g");
        mq.close();
        assertThat(fresh.await(Duration.ofSeconds(1))).isEqualTo(AwaitResult.QUEUE_CLOSED);
    }

    @Test
    void closedRegistrationReportsUnregistered() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        ConsumerRegistration reg = mq.registerConsumer("t", "g");
        reg.close();
        reg.close();
        assertThat(reg.await(Duration.ofSeconds(1))).isEqualTo(AwaitResult.UNREGISTERED);
        assertThat(reg.isTerminal()).isTrue();
    }

    @Test
    void destroyTopicEndsItsRegistrations() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        ConsumerRegistration reg = mq.registerConsumer("t", "g");
        mq.destroyTopic("t");
        assertThat(reg.await(Duration.ofSeconds(1))).isEqualTo(AwaitResult.GROUP_DESTROYED);
    }

    @Test
    void everyCallAfterCloseThrowsQueueClosed() {
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        mq.close();
        mq.close(); // idempotent
        assertThat(mq.isOpen()).isFalse();
        List<Executable> calls = List.of(
                () -> mq.createTopic("t"), () -> mq.destroyTopic("t"), () -> mq.topicExists("t"),
                () -> mq.topics(), () -> mq.createConsumerGroup("t", "g2"), () -> mq.destroyConsumerGroup("t", "g"),
                () -> mq.consumerGroupExists("t", "g"), () -> mq.consumerGroups("t"), () -> mq.produce("t", msgs("a")),
                () -> mq.consume("t", "g", 1), () -> mq.read("t", 0, 1), () -> mq.seek("t", "g", 0),
                () -> mq.seekToLatest("t", "g"), () -> mq.seekToTimestamp("t", "g", 0),
                () -> mq.latestMessageId("t"), () -> mq.earliestMessageId("t"), () -> mq.position("t", "g"),
                () -> mq.registerConsumer("t", "g"), () -> mq.notifyGroup("t", "g"),
                () -> mq.messageIdAtOrAfter("t", 0));
        for (Executable call : calls) {
            assertThrows(QueueClosedException.class, call);
        }
    }

    @Test
    void secondOpenOfTheSameDirectoryFailsClearly() {
        assertThatThrownBy(() -> RocksMq.open(dir)).isInstanceOf(QueueAlreadyOpenException.class)
                .hasMessageContaining("already open");
        assertThatThrownBy(() -> RocksMq.open(dir.resolve(".").resolve("x").resolve(".."))).isInstanceOf(
                QueueAlreadyOpenException.class);
        mq.createTopic("still-works");
    }

    static List<ProducerMessage> msgs(String... texts) {
        List<ProducerMessage> out = new ArrayList<>();
        for (String t : texts) {
            out.add(msg(t));
        }
        return out;
    }

    static ProducerMessage msg(String text) {
        return ProducerMessage.of(text.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> texts(List<ConsumerMessage> messages) {
        List<String> out = new ArrayList<>();
        for (ConsumerMessage m : messages) {
            out.add(new String(m.payload(), StandardCharsets.UTF_8));
        }
        return out;
    }
}
