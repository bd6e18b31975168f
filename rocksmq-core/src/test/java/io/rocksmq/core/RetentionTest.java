package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.TopicNotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Retention semantics through the public API, one pass at a time (no background worker), with a
 * hand-driven clock.
 */
class RetentionTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final int PAYLOAD = 100;

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(T0);

    private RocksMqConfig.Builder config() {
        return RocksMqConfig.builder(dir).clock(clock).retentionInterval(Duration.ZERO)
                .defaultRetention(RetentionPolicy.KEEP_ALL);
    }

    /** Produces {@code batches} batches of {@code perBatch} messages; returns the first id of each batch. */
    private static long[] produce(RocksMq mq, String topic, int batches, int perBatch) {
        long[] first = new long[batches];
        for (int b = 0; b < batches; b++) {
            List<ProducerMessage> msgs = new ArrayList<>();
            for (int i = 0; i < perBatch; i++) {
                msgs.add(ProducerMessage.of(new byte[PAYLOAD]));
            }
            first[b] = mq.produce(topic, msgs)[0];
        }
        return first;
    }

    /** Stored bytes of one batch of {@code n} messages of {@link #PAYLOAD} bytes without properties. */
    private static long batchBytes(int n) {
        return StorageLayout.ENTRY_KEY_BYTES + BatchFormat.BATCH_HEADER_BYTES + (long) n * (4 + PAYLOAD + 2);
    }

    private static List<Long> ids(List<ConsumerMessage> msgs) {
        return msgs.stream().map(ConsumerMessage::id).toList();
    }

    @Test
    void consumedDataIsDeletedOnlyOnceBothGroupsHaveConsumedPastABatch() {
        try (RocksMq mq = RocksMq.open(config().retentionTime(0).build())) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "a");
            mq.createConsumerGroup("t", "b");
            long[] first = produce(mq, "t", 3, 10);
            clock.advance(1);

            assertThat(mq.admin().runRetention()).isZero();
            mq.consume("t", "a", 30); // a read everything, b nothing
            assertThat(mq.admin().runRetention()).isZero();
            mq.consume("t", "b", 15); // b is in the middle of the second batch
            assertThat(mq.admin().runRetention()).isEqualTo(10);
            assertThat(mq.earliestMessageId("t")).isEqualTo(first[1]);
            mq.consume("t", "b", 4); // one message of batch 2 left: batch 2 stays
            assertThat(mq.admin().runRetention()).isZero();
            mq.consume("t", "b", 1);
            assertThat(mq.admin().runRetention()).isEqualTo(10);

            TopicStats s = mq.admin().topicStats("t");
            assertThat(s.deletedByRetentionTime()).isEqualTo(20);
            assertThat(s.deletedMessages()).isEqualTo(20);
            assertThat(s.retainedMessages()).isEqualTo(10);
            assertThat(s.retainedBytes()).isEqualTo(batchBytes(10));
            assertThat(s.earliestId()).isEqualTo(first[2]);
            assertThat(s.skippedByGroup()).containsEntry("a", 0L).containsEntry("b", 0L);
            assertThat(mq.consume("t", "b", 100)).hasSize(10);
        }
    }

    @Test
    void consumedDataExpiresByTime() {
        try (RocksMq mq = RocksMq.open(config().retentionTime(60_000).build())) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            long[] first = produce(mq, "t", 1, 5);
            clock.advance(30_000);
            produce(mq, "t", 1, 5);
            mq.consume("t", "g", 100);

            clock.advance(29_999); // the first batch is 59.999 s old
            assertThat(mq.admin().runRetention()).isZero();
            clock.advance(2); // 60.001 s
            assertThat(mq.admin().runRetention()).isEqualTo(5);
            assertThat(mq.earliestMessageId("t")).isEqualTo(first[0] + 5);
            clock.advance(30_000);
            assertThat(mq.admin().runRetention()).isEqualTo(5);
            assertThat(mq.admin().topicStats("t").retainedMessages()).isZero();
            assertThat(mq.admin().topicStats("t").earliestId()).isEqualTo(-1);
            assertThat(mq.earliestMessageId("t")).isEqualTo(-1);
            assertThat(mq.admin().topicStats("t").lastRetentionPass()).isEqualTo(clock.millis());
        }
    }

    @Test
    void unconsumedDataIsKeptByTheConsumedDataRules() {
        try (RocksMq mq = RocksMq.open(config().retentionTime(0).retentionBytes(0).build())) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            produce(mq, "t", 4, 10);
            clock.advance(Duration.ofDays(365).toMillis());
            assertThat(mq.admin().runRetention()).isZero();
            assertThat(mq.admin().topicStats("t").retainedMessages()).isEqualTo(40);
        }
    }

    @Test
    void consumedDataBeyondRetentionBytesIsDeletedOldestFirst() {
        long batch = batchBytes(10);
        try (RocksMq mq = RocksMq.open(config().retentionBytes(2 * batch).build())) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            long[] first = produce(mq, "t", 6, 10);
            mq.consume("t", "g", 45); // batches 0..3 consumed, batch 4 half

            assertThat(mq.admin().runRetention()).isEqualTo(20); // keep 2 consumed batches: 2 and 3
            assertThat(mq.earliestMessageId("t")).isEqualTo(first[2]);
            assertThat(mq.admin().topicStats("t").deletedByRetentionBytes()).isEqualTo(20);
            assertThat(mq.admin().runRetention()).isZero();

            mq.consume("t", "g", 100);
            assertThat(mq.admin().runRetention()).isEqualTo(20);
            assertThat(mq.admin().topicStats("t").retainedBytes()).isEqualTo(2 * batch);
        }
    }

    @Test
    void hardByteCapDeletesUnreadDataMovesTheGroupAndCountsTheSkip() {
        long batch = batchBytes(10);
        try (RocksMq mq = RocksMq.open(config().maxRetentionBytes(3 * batch + 1).build())) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "slow");
            mq.createConsumerGroup("t", "fast");
            long[] first = produce(mq, "t", 5, 10);
            mq.consume("t", "slow", 3);
            mq.consume("t", "fast", 100);

            assertThat(mq.admin().runRetention()).isEqualTo(20);
            TopicStats s = mq.admin().topicStats("t");
            assertThat(s.retainedBytes()).isEqualTo(3 * batch);
            assertThat(s.deletedByMaxRetentionBytes()).isEqualTo(20);
            assertThat(s.skippedByGroup()).containsEntry("slow", 17L).containsEntry("fast", 0L);
            assertThat(mq.position("t", "slow")).isEqualTo(first[2]);
            assertThat(mq.admin().skippedMessages("t", "slow")).isEqualTo(17);
            assertThat(mq.takeSkippedMessages("t", "slow")).isEqualTo(17);
            assertThat(mq.takeSkippedMessages("t", "slow")).isZero();
            assertThat(mq.admin().skippedMessages("t", "slow")).isEqualTo(17);
            assertThat(ids(mq.consume("t", "slow", 1))).containsExactly(first[2]);
        }
    }

    @Test
    void hardTimeCapDeletesUnreadData() {
        try (RocksMq mq = RocksMq.open(config().maxRetentionTime(10_000).build())) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            long[] first = produce(mq, "t", 2, 10);
            clock.advance(5_000);
            produce(mq, "t", 1, 10);
            clock.advance(5_001);

            assertThat(mq.admin().runRetention()).isEqualTo(20);
            assertThat(mq.admin().topicStats("t").deletedByMaxRetentionTime()).isEqualTo(20);
            assertThat(mq.admin().skippedMessages("t", "g")).isEqualTo(20);
            assertThat(ids(mq.consume("t", "g", 1))).containsExactly(first[1] + 10);
        }
    }

    @Test
    void deletionIsAttributedToTheConsumedRuleBeforeTheHardCap() {
        long batch = batchBytes(10);
        try (RocksMq mq = RocksMq.open(config().retentionTime(0).maxRetentionBytes(batch).build())) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            produce(mq, "t", 3, 10);
            mq.consume("t", "g", 10);
            clock.advance(1);
            assertThat(mq.admin().runRetention()).isEqualTo(20);
            TopicStats s = mq.admin().topicStats("t");
            assertThat(s.deletedByRetentionTime()).isEqualTo(10);
            assertThat(s.deletedByMaxRetentionBytes()).isEqualTo(10);
            assertThat(s.skippedByGroup()).containsEntry("g", 10L);
        }
    }

    @Test
    void aTopicWithoutGroupsKeepsItsDataUntilAHardCap() {
        long batch = batchBytes(10);
        try (RocksMq mq = RocksMq.open(config().retentionBytes(batch).build())) {
            mq.createTopic("t");
            produce(mq, "t", 4, 10);
            assertThat(mq.admin().runRetention()).as("nobody has read it: the consumed-data rules do not apply").isZero();
            assertThat(mq.admin().topicStats("t").retainedMessages()).isEqualTo(40);

            mq.createConsumerGroup("t", "late");
            assertThat(mq.consume("t", "late", 100)).hasSize(40);
            assertThat(mq.admin().runRetention()).as("read now: only retentionBytes' worth is kept").isEqualTo(30);
        }
        try (RocksMq mq = RocksMq.open(config().maxRetentionBytes(2 * batch).build())) {
            mq.createTopic("capped");
            produce(mq, "capped", 4, 10);
            assertThat(mq.admin().runRetention()).as("the hard cap applies to unread data").isEqualTo(20);
        }
    }

    @Test
    void perTopicOverridesApplyAndSurviveReopen() {
        long batch = batchBytes(10);
        RocksMqConfig cfg = config().retentionBytes(10 * batch).build();
        try (RocksMq mq = RocksMq.open(cfg)) {
            mq.createTopic("small");
            mq.createTopic("default");
            mq.admin().setRetention("small", RetentionPolicy.INHERIT_ALL.withRetentionBytes(batch));
            assertThat(mq.admin().retention("small")).isEqualTo(cfg.defaultRetention().withRetentionBytes(batch));
            assertThat(mq.admin().retentionOverride("small").retentionBytes()).isEqualTo(batch);
            assertThat(mq.admin().retentionOverride("small").maxRetentionBytes()).isEqualTo(RetentionPolicy.INHERIT);
            assertThat(mq.admin().retention("default")).isEqualTo(cfg.defaultRetention());
            produce(mq, "small", 4, 10);
            produce(mq, "default", 4, 10);
            for (String topic : List.of("small", "default")) { // read, so the consumed-data rules apply
                mq.createConsumerGroup(topic, "reader");
                assertThat(mq.consume(topic, "reader", 100)).hasSize(40);
            }
            assertThat(mq.admin().runRetention()).isEqualTo(30);
            assertThat(mq.admin().topicStats("small").retainedMessages()).isEqualTo(10);
            assertThat(mq.admin().topicStats("default").retainedMessages()).isEqualTo(40);
        }
        // Reopen with different defaults: the override keeps its own field, inherits the rest.
        RocksMqConfig cfg2 = config().retentionBytes(2 * batch).maxRetentionTime(99_000).build();
        try (RocksMq mq = RocksMq.open(cfg2)) {
            assertThat(mq.admin().retention("small")).isEqualTo(cfg2.defaultRetention().withRetentionBytes(batch));
            assertThat(mq.admin().runRetention()).isEqualTo(20);
            assertThat(mq.admin().topicStats("default").retainedMessages()).isEqualTo(20);
            mq.admin().setRetention("small", RetentionPolicy.INHERIT_ALL);
            assertThat(mq.admin().retention("small")).isEqualTo(cfg2.defaultRetention());
        }
        try (RocksMq mq = RocksMq.open(cfg2)) {
            assertThat(mq.admin().retentionOverride("small")).isEqualTo(RetentionPolicy.INHERIT_ALL);
            mq.admin().setRetention("small", RetentionPolicy.KEEP_ALL.withMaxRetentionBytes(0));
        }
        try (RocksMq mq = RocksMq.open(cfg2)) {
            assertThat(mq.admin().retention("small")).isEqualTo(RetentionPolicy.KEEP_ALL.withMaxRetentionBytes(0));
            assertThat(mq.admin().runRetention()).isEqualTo(10);
            assertThat(mq.admin().topicStats("small").retainedBytes()).isZero();
        }
    }

    @Test
    void badPoliciesAndUnknownTopicsAreRejectedAndChangeNothing() {
        assertThatThrownBy(() -> RetentionPolicy.KEEP_ALL.withMaxRetentionBytes(-3))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> config().retentionTime(RetentionPolicy.INHERIT).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> config().retentionInterval(Duration.ofSeconds(-1)).build())
                .isInstanceOf(InvalidArgumentException.class);
        try (RocksMq mq = RocksMq.open(config().build())) {
            mq.createTopic("t");
            assertThatThrownBy(() -> mq.admin().setRetention("t", null)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> mq.admin().setRetention("nope", RetentionPolicy.KEEP_ALL))
                    .isInstanceOf(TopicNotFoundException.class);
            assertThatThrownBy(() -> mq.admin().topicStats("nope")).isInstanceOf(TopicNotFoundException.class);
            assertThatThrownBy(() -> mq.admin().skippedMessages("t", "nope")).isInstanceOf(ConsumerGroupNotFoundException.class);
            assertThatThrownBy(() -> mq.takeSkippedMessages("t", "nope"))
                    .isInstanceOf(ConsumerGroupNotFoundException.class);
            assertThat(mq.admin().retentionOverride("t")).isEqualTo(RetentionPolicy.INHERIT_ALL);
        }
    }

    @Test
    void restartInTheMiddleOfRetentionKeepsSettingsAccountingAndSkips() {
        long batch = batchBytes(10);
        RocksMqConfig cfg = config().maxRetentionBytes(4 * batch).build();
        long[] first;
        TopicStats before;
        try (RocksMq mq = RocksMq.open(cfg)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            mq.admin().setRetention("t", RetentionPolicy.INHERIT_ALL.withRetentionTime(1_000));
            first = produce(mq, "t", 6, 10);
            assertThat(mq.admin().runRetention()).isEqualTo(20);
            produce(mq, "t", 1, 10); // not yet retained: the pass after restart handles it
            before = mq.admin().topicStats("t");
        }
        try (RocksMq mq = RocksMq.open(cfg)) {
            TopicStats after = mq.admin().topicStats("t");
            assertThat(after.retainedBytes()).isEqualTo(before.retainedBytes()).isEqualTo(5 * batch);
            assertThat(after.retainedMessages()).isEqualTo(50);
            assertThat(after.earliestId()).isEqualTo(first[2]);
            assertThat(after.deletedByMaxRetentionBytes()).isEqualTo(20);
            assertThat(after.deletedBytes()).isEqualTo(2 * batch);
            assertThat(after.skippedByGroup()).containsEntry("g", 20L);
            assertThat(mq.admin().retention("t").retentionTime()).isEqualTo(1_000);
            assertThat(mq.position("t", "g")).isEqualTo(first[2]);

            assertThat(mq.admin().runRetention()).isEqualTo(10);
            assertThat(mq.admin().skippedMessages("t", "g")).isEqualTo(30);
            mq.consume("t", "g", 1000);
            clock.advance(1_001);
            assertThat(mq.admin().runRetention()).isEqualTo(40);
            assertThat(mq.admin().topicStats("t").deletedByRetentionTime()).isEqualTo(40);
            assertThat(mq.admin().topicStats("t").retainedBytes()).isZero();
            assertThat(mq.takeSkippedMessages("t", "g")).isEqualTo(30);
        }
        try (RocksMq mq = RocksMq.open(cfg)) {
            assertThat(mq.takeSkippedMessages("t", "g")).isZero();
            assertThat(mq.admin().skippedMessages("t", "g")).isEqualTo(30);
            assertThat(mq.admin().topicStats("t").retainedMessages()).isZero();
            long[] more = produce(mq, "t", 1, 10);
            assertThat(more[0]).isEqualTo(first[0] + 70);
            assertThat(mq.admin().topicStats("t").retainedBytes()).isEqualTo(batch);
            assertThat(mq.admin().topicStats("t").earliestId()).isEqualTo(more[0]);
        }
    }

    @Test
    void seekToADeletedIdLandsOnTheFirstRetainedMessage() {
        try (RocksMq mq = RocksMq.open(config().retentionTime(0).build())) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            long[] first = produce(mq, "t", 4, 10);
            mq.consume("t", "g", 25);
            clock.advance(1);
            assertThat(mq.admin().runRetention()).isEqualTo(20);

            mq.seek("t", "g", first[0] + 3);
            assertThat(ids(mq.consume("t", "g", 2))).containsExactly(first[2], first[2] + 1);
            assertThat(mq.read("t", first[0], 1).get(0).id()).isEqualTo(first[2]);
            assertThat(mq.messageIdAtOrAfter("t", 0)).isGreaterThanOrEqualTo(first[0]);
            mq.seekToTimestamp("t", "g", 0);
            assertThat(ids(mq.consume("t", "g", 1))).containsExactly(first[2]);
            // A group positioned below the deleted range holds nothing back and skips nothing.
            assertThat(mq.admin().skippedMessages("t", "g")).isZero();
        }
    }

    @Test
    void aNewGroupHoldsBackConsumedDataRetentionUntilItReads() {
        try (RocksMq mq = RocksMq.open(config().retentionTime(0).build())) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "a");
            produce(mq, "t", 2, 10);
            mq.consume("t", "a", 100);
            mq.createConsumerGroup("t", "b");
            clock.advance(1);
            assertThat(mq.admin().runRetention()).isZero();
            mq.consume("t", "b", 10);
            assertThat(mq.admin().runRetention()).isEqualTo(10);
        }
    }

    @Test
    void destroyConsumerGroupForgetsItsSkipCount() {
        try (RocksMq mq = RocksMq.open(config().maxRetentionBytes(0).build())) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            produce(mq, "t", 1, 10);
            mq.admin().runRetention();
            assertThat(mq.admin().skippedMessages("t", "g")).isEqualTo(10);
            mq.destroyConsumerGroup("t", "g");
            mq.createConsumerGroup("t", "g");
            assertThat(mq.admin().skippedMessages("t", "g")).isZero();
        }
        try (RocksMq mq = RocksMq.open(config().build())) {
            assertThat(mq.admin().skippedMessages("t", "g")).isZero();
        }
    }

    @Test
    void destroyTopicRemovesItsRetentionRecordsAndARecreatedTopicStartsClean() {
        try (RocksMq mq = RocksMq.open(config().retentionSegmentBytes(1024).build())) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            mq.admin().setRetention("t", RetentionPolicy.KEEP_ALL.withMaxRetentionBytes(batchBytes(10) * 3));
            produce(mq, "t", 10, 10);
            mq.admin().runRetention();
            mq.destroyTopic("t");
            mq.createTopic("t");
            assertThat(mq.admin().retentionOverride("t")).isEqualTo(RetentionPolicy.INHERIT_ALL);
            TopicStats s = mq.admin().topicStats("t");
            assertThat(s.retainedBytes()).isZero();
            assertThat(s.deletedMessages()).isZero();
        }
        try (RocksMq mq = RocksMq.open(config().build())) {
            assertThat(mq.admin().retentionOverride("t")).isEqualTo(RetentionPolicy.INHERIT_ALL);
            assertThat(mq.admin().topicStats("t").deletedBytes()).isZero();
        }
    }

    @Test
    void cutsFallExactlyOnBatchBoundariesAcrossIndexSegments() {
        // Small segments: the index has many records and cuts land inside and on segment edges.
        long batch = batchBytes(3);
        try (RocksMq mq = RocksMq.open(config().retentionSegmentBytes(1024).build())) {
            mq.createTopic("t");
            long[] first = produce(mq, "t", 40, 3);
            for (int keep = 37; keep >= 0; keep -= 5) {
                mq.admin().setRetention("t", RetentionPolicy.KEEP_ALL.withMaxRetentionBytes(keep * batch + batch / 2));
                mq.admin().runRetention();
                TopicStats s = mq.admin().topicStats("t");
                assertThat(s.retainedBytes()).as("keep %d", keep).isEqualTo(keep * batch);
                assertThat(s.earliestId()).isEqualTo(keep == 0 ? -1 : first[40 - keep]);
            }
        }
        try (RocksMq mq = RocksMq.open(config().build())) {
            assertThat(mq.admin().topicStats("t").retainedBytes()).isEqualTo(2 * batch);
        }
    }

    @Test
    void theBackgroundWorkerAppliesTheRulesAndStopsWithClose() throws InterruptedException {
        RocksMq mq = RocksMq.open(config().retentionInterval(Duration.ofMillis(5)).retentionTime(1_000).build());
        try {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            produce(mq, "t", 2, 10);
            mq.consume("t", "g", 100);
            clock.advance(1_001);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (mq.admin().topicStats("t").retainedMessages() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(mq.admin().topicStats("t").deletedByRetentionTime()).isEqualTo(20);
            assertThat(mq.admin().topicStats("t").lastRetentionPass()).isEqualTo(clock.millis());

            // A cap set later is applied without waiting for the interval: setRetention asks for a pass.
            produce(mq, "t", 3, 10);
            mq.admin().setRetention("t", RetentionPolicy.INHERIT_ALL.withMaxRetentionBytes(batchBytes(10)));
            while (mq.admin().topicStats("t").retainedMessages() > 10 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(mq.admin().topicStats("t").retainedMessages()).isEqualTo(10);
        } finally {
            mq.close();
        }
        assertThatThrownBy(mq.admin()::runRetention).isInstanceOf(io.rocksmq.api.QueueClosedException.class);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("rocksmq-retention"));
    }

    @Test
    void aProducerWaitsForTheWorkerRatherThanOutgrowTheCap() throws Exception {
        long batch = batchBytes(1000); // about 106 KB
        RocksMqConfig cfg = config().retentionInterval(Duration.ofHours(1)).maxRetentionBytes(5 * batch)
                .writeBufferBytes(1 << 20).build();
        long limit = 5 * batch + Retention.throttleSlack(cfg);
        try (RocksMq mq = RocksMq.open(cfg)) {
            mq.createTopic("t");
            Topic topic = mq.topicsForTest().get("t");
            int[] produced = new int[1];
            Thread producer = new Thread(() -> {
                for (int i = 0; i < 20; i++) {
                    produce(mq, "t", 1, 1000);
                    produced[0]++;
                }
            });
            topic.underAdminLock(() -> { // the worker's pass cannot delete while we hold this
                producer.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
                while (!waitingForRoom(producer) && producer.isAlive() && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(1_000_000);
                }
                assertThat(waitingForRoom(producer)).as("producer waits for retention").isTrue();
                assertThat(mq.admin().topicStats("t").retainedBytes()).isGreaterThan(limit).isLessThanOrEqualTo(limit + batch);
                return null;
            });
            producer.join();
            assertThat(produced[0]).isEqualTo(20);
            assertThat(mq.admin().topicStats("t").retainedBytes()).isLessThanOrEqualTo(limit);
            assertThat(mq.admin().topicStats("t").deletedByMaxRetentionBytes()).isPositive();
        }
    }

    private static boolean waitingForRoom(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getMethodName().equals("awaitRoom")) {
                return t.getState() == Thread.State.TIMED_WAITING;
            }
        }
        return false;
    }

    @Test
    void statsOfAFreshTopic() {
        try (RocksMq mq = RocksMq.open(config().build())) {
            mq.createTopic("t");
            TopicStats s = mq.admin().topicStats("t");
            assertThat(s.topic()).isEqualTo("t");
            assertThat(s.retainedBytes()).isZero();
            assertThat(s.earliestId()).isEqualTo(-1);
            assertThat(s.latestId()).isEqualTo(-1);
            assertThat(s.lastRetentionPass()).isEqualTo(-1);
            assertThat(s.retention()).isEqualTo(RetentionPolicy.KEEP_ALL);
            long[] ids = produce(mq, "t", 1, 2);
            s = mq.admin().topicStats("t");
            assertThat(s.earliestId()).isEqualTo(ids[0]);
            assertThat(s.latestId()).isEqualTo(ids[0] + 1);
            assertThat(s.retainedBytes()).isEqualTo(batchBytes(2));
        }
    }
}
