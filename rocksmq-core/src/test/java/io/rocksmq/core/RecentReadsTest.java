package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads shared between readers ({@link RecentReads}): whoever gets a shared read must get exactly what a
 * read of its own would have returned, whatever was produced, consumed or deleted in between.
 */
class RecentReadsTest {
    @TempDir
    Path dir;

    private RocksMq open() {
        return RocksMq.open(RocksMqConfig.builder(dir).retentionInterval(Duration.ZERO)
                .defaultRetention(RetentionPolicy.KEEP_ALL).build());
    }

    private static List<ProducerMessage> batch(int n, String tag) {
        List<ProducerMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(ProducerMessage.of((tag + i).getBytes(), i % 3 == 0 ? Map.of("i", tag + i) : Map.of()));
        }
        return out;
    }

    private static List<String> payloads(List<ConsumerMessage> msgs) {
        return msgs.stream().map(m -> new String(m.payload())).toList();
    }

    @Test
    void groupsInStepGetTheSameMessagesAndTheirOwnPositions() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "a");
            mq.createConsumerGroup("t", "b");
            mq.produce("t", batch(10, "x"));
            List<ConsumerMessage> a = mq.consume("t", "a", 4);
            List<ConsumerMessage> b = mq.consume("t", "b", 4);
            assertThat(b).isEqualTo(a);
            assertThat(payloads(b)).containsExactly("x0", "x1", "x2", "x3");
            assertThat(b.get(0).properties()).containsEntry("i", "x0");
            // A smaller read from the same place gets a prefix; the positions stay each group's own.
            assertThat(payloads(mq.consume("t", "b", 2))).containsExactly("x4", "x5");
            assertThat(payloads(mq.consume("t", "a", 100))).hasSize(6).startsWith("x4");
            assertThat(mq.position("t", "a")).isEqualTo(mq.position("t", "b") + 4);
        }
    }

    @Test
    void aReadThatReachedTheEndIsNotServedOnceNewerMessagesExist() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "a");
            mq.createConsumerGroup("t", "b");
            mq.produce("t", batch(3, "x"));
            assertThat(mq.consume("t", "a", 100)).hasSize(3);
            mq.produce("t", batch(2, "y"));
            assertThat(payloads(mq.consume("t", "b", 100))).containsExactly("x0", "x1", "x2", "y0", "y1");
            assertThat(payloads(mq.read("t", mq.earliestMessageId("t"), 100))).hasSize(5);
        }
    }

    @Test
    void deletedMessagesAreNotServedFromAnEarlierRead() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.produce("t", batch(5, "x"));
            long second = mq.produce("t", batch(5, "y"))[0];
            long first = mq.earliestMessageId("t");
            assertThat(mq.read("t", first, 100)).hasSize(10); // offered for sharing
            long oneBatch = mq.admin().topicStats("t").retainedBytes() / 2; // both batches have the same size
            mq.admin().setRetention("t", RetentionPolicy.KEEP_ALL.withMaxRetentionBytes(oneBatch + 1)); // keeps the newest
            assertThat(mq.admin().runRetention()).isEqualTo(5);
            List<ConsumerMessage> again = mq.read("t", first, 100);
            assertThat(again.get(0).id()).isEqualTo(second);
            assertThat(payloads(again)).containsExactly("y0", "y1", "y2", "y3", "y4");
        }
    }

    @Test
    void aRecreatedTopicSharesNothingWithItsPredecessor() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.produce("t", batch(3, "old"));
            assertThat(mq.read("t", 0, 100)).hasSize(3);
            mq.destroyTopic("t");
            mq.createTopic("t");
            mq.produce("t", batch(2, "new"));
            assertThat(payloads(mq.read("t", 0, 100))).containsExactly("new0", "new1");
        }
    }

    @Test
    void entriesStayWithinTheBudgetAndGiveItBackWhenReplacedOrCleared() {
        RecentReads.Budget budget = new RecentReads.Budget(3_000);
        RecentReads reads = new RecentReads(budget);
        byte[] batch = BatchFormat.encodeBatch(batch(10, "m"), 0, 10); // ~100 bytes
        for (int i = 0; i < 10; i++) {
            MessageList l = new MessageList(10);
            BatchFormat.decodeBatch(batch.clone(), 100L * i, 100L * i, 10, l);
            reads.offer(100L * i, l);
            assertThat(budget.used()).isLessThanOrEqualTo(RecentReads.SLOTS * (long) batch.length);
        }
        assertThat(reads.find(900, 10, 909)).hasSize(10);
        assertThat(reads.find(900, 5, 909)).hasSize(5);
        assertThat(reads.find(0, 10, 909)).as("replaced").isNull();
        assertThat(reads.find(900, 11, 950)).as("stopped short of newer messages").isNull();
        reads.clear();
        assertThat(budget.used()).isZero();
        RecentReads.Budget tiny = new RecentReads.Budget(10);
        RecentReads none = new RecentReads(tiny);
        MessageList l = new MessageList(10);
        BatchFormat.decodeBatch(batch, 0, 0, 10, l);
        none.offer(0, l);
        assertThat(none.find(0, 10, 9)).as("over budget: not shared").isNull();
        assertThat(tiny.used()).isZero();
    }
}
