package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retention reclaims a prefix of expired messages early (the {@link RetentionRule#EXPIRED} rule), read
 * or not, up to the first entry holding a message not yet expired; groups that had not read the
 * prefix move past it counting them as expired, not skipped; the cut survives a restart.
 */
class RetentionExpiryTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    /** The default retention rules (1 h for consumed data, hard caps of 7 days and 1 GiB): none deletes here. */
    private RocksMq open() {
        return RocksMq.open(RocksMqConfig.builder(dir).clock(clock).retentionInterval(Duration.ZERO).build());
    }

    private static ProducerMessage msg(String payload) {
        return ProducerMessage.of(payload.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> texts(List<ConsumerMessage> messages) {
        return messages.stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void anExpiredPrefixIsReclaimedUpToTheFirstUnexpiredMessageAndStaysSoAfterRestart() {
        long unexpiredEntry;
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "unread");
            mq.produce("t", List.of(msg("a").withTtl(Duration.ofSeconds(1)), msg("b").withTtl(Duration.ofSeconds(1)),
                    msg("c").withTtl(Duration.ofSeconds(1))));
            mq.produce("t", List.of(msg("d").withExpiresAt(Instant.ofEpochMilli(T0 + 2_000)),
                    msg("e").withExpiresAt(Instant.ofEpochMilli(T0 + 1_500))));
            unexpiredEntry = mq.produce("t", List.of(msg("f").withTtl(Duration.ofSeconds(1)), msg("kept")))[0];
            mq.produce("t", List.of(msg("g").withTtl(Duration.ofSeconds(1)), msg("h").withTtl(Duration.ofSeconds(1))));
            assertThat(unexpiredEntry).isEqualTo(5);

            clock.advance(1_999); // a, b, c expired; d has not: its entry stops the reclaim
            mq.admin().runRetention();
            assertThat(mq.admin().topicStats("t").earliestId()).isEqualTo(3);
            assertThat(mq.position("t", "unread")).isEqualTo(3);

            clock.advance(1);
            mq.admin().runRetention();
            TopicStats stats = mq.admin().topicStats("t");
            assertThat(stats.earliestId()).as("the entry holding 'kept' stops the reclaim; g and h wait behind it")
                    .isEqualTo(unexpiredEntry);
            assertThat(stats.retainedMessages()).isEqualTo(4);
            assertThat(mq.admin().skippedMessages("t", "unread")).as("expired messages are not counted as skipped").isZero();
            assertThat(mq.admin().expiredMessages("t", "unread")).as("but as expired, as a read would have").isEqualTo(5);
            assertThat(mq.position("t", "unread")).isEqualTo(unexpiredEntry);
        }
        try (RocksMq mq = open()) {
            assertThat(mq.admin().topicStats("t").earliestId()).isEqualTo(unexpiredEntry);
            assertThat(mq.position("t", "unread")).isEqualTo(unexpiredEntry);
            assertThat(texts(mq.consume("t", "unread", 10))).containsExactly("kept");
            mq.admin().runRetention();
            assertThat(mq.admin().topicStats("t").earliestId()).as("consumed, but kept an hour by retentionTime")
                    .isEqualTo(unexpiredEntry);
        }
    }

    @Test
    void theTopicsDefaultTimeToLiveReclaimsWithoutAnyGroup() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.admin().setMessageSettings("t", mq.admin().messageSettings("t").withDefaultTtl(Duration.ofSeconds(10)));
            mq.produce("t", List.of(msg("1"), msg("2")));
            mq.produce("t", List.of(msg("3").withTtl(Duration.ofSeconds(1))));
            clock.advance(5_000);
            long later = mq.produce("t", List.of(msg("4")))[0];
            clock.advance(5_000); // the first two entries expired at T0 + 10 s; "4" expires at T0 + 15 s
            mq.admin().runRetention();
            assertThat(mq.admin().topicStats("t").earliestId()).isEqualTo(later);
            assertThat(texts(mq.read("t", 0, 10))).containsExactly("4");
            clock.advance(5_000);
            mq.admin().runRetention();
            assertThat(mq.admin().topicStats("t").retainedMessages()).isZero();
        }
    }

    @Test
    void aMessageThatNeverExpiresAtTheHeadKeepsEverythingBehindIt() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.produce("t", List.of(msg("forever")));
            mq.produce("t", List.of(msg("x").withTtl(Duration.ofSeconds(1))));
            clock.advance(60_000);
            mq.admin().runRetention();
            assertThat(mq.admin().topicStats("t").earliestId()).isEqualTo(0);
            assertThat(mq.admin().topicStats("t").retainedMessages()).isEqualTo(2);
        }
    }

    @Test
    void aHardCapPastTheExpiredPrefixCountsOnlyTheUnexpiredItDeletedAsSkipped() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "unread");
            mq.produce("t", List.of(msg("old").withTtl(Duration.ofSeconds(1)), msg("old").withTtl(Duration.ofSeconds(1))));
            mq.produce("t", List.of(msg("live 1"), msg("live 2"), msg("live 3")));
            clock.advance(2_000);
            long last = mq.produce("t", List.of(msg("newest")))[0];
            mq.admin().setRetention("t", RetentionPolicy.INHERIT_ALL.withMaxRetentionTime(1_500));
            mq.admin().runRetention();
            assertThat(mq.admin().topicStats("t").earliestId()).isEqualTo(last);
            assertThat(mq.admin().skippedMessages("t", "unread")).as("the 3 live ones, not the 2 expired").isEqualTo(3);
            assertThat(mq.admin().expiredMessages("t", "unread")).isEqualTo(2);
        }
    }

    @Test
    void aDefaultTimeToLiveSoLongThatItsExpiryOverflowsNeverDeletes() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "unread");
            mq.admin().setMessageSettings("t", MessageSettings.DEFAULT.withDefaultTtl(Duration.ofMillis(Long.MAX_VALUE)));
            mq.produce("t", List.of(msg("plain 1"), msg("plain 2")));
            mq.produce("t", List.of(msg("own").withTtl(Duration.ofSeconds(1)), msg("plain 3")));
            clock.advance(2_000);
            mq.admin().runRetention();
            assertThat(mq.admin().topicStats("t").earliestId()).as("reads never expire them, so retention keeps them")
                    .isZero();
            assertThat(texts(mq.consume("t", "unread", 10))).containsExactly("plain 1", "plain 2", "plain 3");
            assertThat(mq.admin().expiredMessages("t", "unread")).isEqualTo(1);
        }
    }

    @Test
    void aDefaultTimeToLiveRaisedWhileAPassPlansIsHonouredByItsCut() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "unread");
            mq.admin().setMessageSettings("t", MessageSettings.DEFAULT.withDefaultTtl(Duration.ofSeconds(1)));
            mq.produce("t", List.of(msg("plain"), msg("own").withTtl(Duration.ofSeconds(1))));
            mq.produce("t", List.of(msg("plain 2")));
            clock.advance(2_000);
            // The pass plans with the 1 s default (everything expired); the default becomes "never" before it cuts.
            mq.retentionPassForTest().afterPlanForTest(() -> mq.admin().setMessageSettings("t",
                    MessageSettings.DEFAULT.withDefaultTtl(Duration.ZERO)));
            mq.admin().runRetention();
            mq.retentionPassForTest().afterPlanForTest(() -> { });
            assertThat(mq.admin().topicStats("t").earliestId()).as("nothing has expired under the new default").isZero();
            assertThat(texts(mq.consume("t", "unread", 10))).containsExactly("plain", "plain 2");
            assertThat(mq.admin().expiredMessages("t", "unread")).isEqualTo(1);
        }
    }

    @Test
    void topicStatsCountWhatTheExpiryRuleDeletedAndItsDeletedMessagesIncludeThem() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.produce("t", List.of(msg("a").withTtl(Duration.ofSeconds(1)), msg("b").withTtl(Duration.ofSeconds(1))));
            mq.produce("t", List.of(msg("c").withTtl(Duration.ofSeconds(1))));
            mq.produce("t", List.of(msg("kept")));
            clock.advance(2_000);
            mq.admin().runRetention();
            TopicStats stats = mq.admin().topicStats("t");
            assertThat(stats.earliestId()).isEqualTo(3);
            assertThat(stats.deletedByExpiry()).isEqualTo(3);
            assertThat(stats.deletedMessages()).as("all rules together").isEqualTo(3);
        }
        try (RocksMq mq = open()) {
            assertThat(mq.admin().topicStats("t").deletedByExpiry()).as("persisted in the retention state").isEqualTo(3);
        }
    }

    @Test
    void aRetentionStateWrittenBeforeTheExpiryRuleIsRead() {
        byte[] old = new byte[16 + 8 * 4];
        StorageLayout.putLong(old, 0, 42);
        StorageLayout.putLong(old, 8, 4200);
        StorageLayout.putLong(old, 16 + 8 * 2, 7); // MAX_RETENTION_TIME
        StorageLayout.RetentionState state = StorageLayout.decodeRetentionState(old);
        assertThat(state.cutId()).isEqualTo(42);
        assertThat(state.deletedByRule()).containsExactly(0, 0, 7, 0, 0);
        StorageLayout.RetentionState again = StorageLayout.decodeRetentionState(StorageLayout.retentionStateValue(state));
        assertThat(again.deletedByRule()).containsExactly(0, 0, 7, 0, 0);
    }
}
