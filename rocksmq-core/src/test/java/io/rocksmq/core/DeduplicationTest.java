package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.TopicNotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Producer deduplication through the public API: window, batches, settings, restart, purge, destroy. */
class DeduplicationTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    private RocksMq open() {
        return RocksMq.open(RocksMqConfig.builder(dir).clock(clock).retentionInterval(Duration.ZERO)
                .defaultRetention(RetentionPolicy.KEEP_ALL).build());
    }

    private static ProducerMessage msg(String payload, String dedupId) {
        return ProducerMessage.of(payload.getBytes(StandardCharsets.UTF_8)).withDeduplicationId(dedupId);
    }

    private static List<String> payloads(RocksMq mq, String topic) {
        return mq.read(topic, 0, 1000).stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aDuplicateWithinTheWindowStoresNothingAndAnswersTheOriginalId() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            long first = mq.produce("t", List.of(msg("a", "id-1")))[0];
            clock.advance(119_000);
            long again = mq.produce("t", List.of(msg("a-retry", "id-1")))[0];
            assertThat(again).isEqualTo(first);
            assertThat(mq.latestMessageId("t")).isEqualTo(first);
            assertThat(payloads(mq, "t")).containsExactly("a");
            assertThat(mq.admin().topicStats("t").deduplicatedMessages()).isEqualTo(1);
            // Messages without an id are never deduplicated.
            long[] plain = mq.produce("t", List.of(ProducerMessage.of(new byte[1]), ProducerMessage.of(new byte[1])));
            assertThat(plain).containsExactly(first + 1, first + 2);
        }
    }

    @Test
    void afterTheWindowTheSameIdIsStoredAgain() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            long first = mq.produce("t", List.of(msg("a", "id-1")))[0];
            clock.advance(MessageSettings.DEFAULT_DEDUPLICATION_WINDOW.toMillis());
            long second = mq.produce("t", List.of(msg("b", "id-1")))[0];
            assertThat(second).isEqualTo(first + 1);
            assertThat(mq.produce("t", List.of(msg("c", "id-1")))[0]).isEqualTo(second);
            assertThat(payloads(mq, "t")).containsExactly("a", "b");
        }
    }

    @Test
    void eachMessageOfABatchIsDeduplicatedOnItsOwnAndTheRestStaysOneBatch() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            long a = mq.produce("t", List.of(msg("a", "A")))[0];
            long[] ids = mq.produce("t", List.of(msg("x", "X"), msg("a2", "A"), ProducerMessage.of("p".getBytes()),
                    msg("x2", "X"), msg("y", "Y")));
            assertThat(ids).containsExactly(a + 1, a, a + 2, a + 1, a + 3);
            assertThat(payloads(mq, "t")).containsExactly("a", "x", "p", "y");
            assertThat(mq.admin().topicStats("t").deduplicatedMessages()).isEqualTo(2);
            // A batch of duplicates only stores nothing at all.
            long[] all = mq.produce("t", List.of(msg("?", "Y"), msg("?", "A")));
            assertThat(all).containsExactly(a + 3, a);
            assertThat(mq.latestMessageId("t")).isEqualTo(a + 3);
        }
    }

    @Test
    void idsAreTopicScoped() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createTopic("u");
            long t = mq.produce("t", List.of(msg("a", "same")))[0];
            long u = mq.produce("u", List.of(msg("b", "same")))[0];
            assertThat(payloads(mq, "u")).containsExactly("b");
            assertThat(mq.produce("t", List.of(msg("c", "same")))[0]).isEqualTo(t);
            assertThat(mq.produce("u", List.of(msg("d", "same")))[0]).isEqualTo(u);
        }
    }

    @Test
    void theWindowIsPerTopicPersistedAndZeroTurnsDeduplicationOff() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createTopic("off");
            assertThat(mq.admin().messageSettings("t")).isEqualTo(MessageSettings.DEFAULT);
            mq.admin().setMessageSettings("t", MessageSettings.DEFAULT.withDeduplicationWindow(Duration.ofMinutes(10)));
            mq.admin().setMessageSettings("off", MessageSettings.DEFAULT.withDeduplicationWindow(Duration.ZERO));
            long[] off = mq.produce("off", List.of(msg("a", "k"), msg("b", "k")));
            assertThat(off[1]).isEqualTo(off[0] + 1);
        }
        try (RocksMq mq = open()) {
            assertThat(mq.admin().messageSettings("t").deduplicationWindow()).isEqualTo(Duration.ofMinutes(10));
            assertThat(mq.admin().messageSettings("off").deduplicationWindow()).isZero();
            long first = mq.produce("t", List.of(msg("a", "k")))[0];
            clock.advance(Duration.ofMinutes(9).toMillis());
            assertThat(mq.produce("t", List.of(msg("b", "k")))[0]).isEqualTo(first);
        }
    }

    @Test
    void theWindowSurvivesRestart() {
        long first;
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            first = mq.produce("t", List.of(msg("a", "id-1"), msg("b", "id-2")))[0];
        }
        clock.advance(60_000);
        try (RocksMq mq = open()) {
            assertThat(mq.produce("t", List.of(msg("b", "id-2"), msg("c", "id-3"), msg("a", "id-1"))))
                    .containsExactly(first + 1, first + 2, first);
            assertThat(payloads(mq, "t")).containsExactly("a", "b", "c");
            assertThat(mq.admin().topicStats("t").deduplicatedMessages()).isEqualTo(2);
        }
        try (RocksMq mq = open()) {
            assertThat(mq.admin().topicStats("t").deduplicatedMessages()).as("the count is persisted").isEqualTo(2);
        }
    }

    @Test
    void expiredIdsArePurgedByTheRetentionPass() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            for (int i = 0; i < 3000; i++) {
                mq.produce("t", List.of(msg("m" + i, "id-" + i)));
            }
            clock.advance(60_000);
            mq.produce("t", List.of(msg("late", "late")));
            clock.advance(61_000); // the first 3000 are past the window, "late" is not
            mq.admin().runRetention();
            assertThat(mq.produce("t", List.of(msg("late again", "late")))[0]).isEqualTo(3000 + firstId(mq));
        }
        try (RocksStore store = RocksStore.open(RocksMqConfig.builder(dir).build())) {
            assertThat(countMessageRecords(store)).as("the log record of 'late', and the count").isEqualTo(2);
        }
    }

    private static long firstId(RocksMq mq) {
        return mq.earliestMessageId("t");
    }

    private static int countMessageRecords(RocksStore store) {
        int n = 0;
        try (RocksStore.Range r = store.range(store.meta(), new byte[] {StorageLayout.META_MESSAGES},
                new byte[] {StorageLayout.META_MESSAGES + 1})) {
            for (r.it.seekToFirst(); r.it.isValid(); r.it.next()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void destroyingTheTopicDeletesItsIdsAndSettings() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.admin().setMessageSettings("t", MessageSettings.DEFAULT.withDeduplicationWindow(Duration.ofMinutes(5)));
            long first = mq.produce("t", List.of(msg("a", "k")))[0];
            mq.destroyTopic("t");
            mq.createTopic("t");
            assertThat(mq.admin().messageSettings("t")).isEqualTo(MessageSettings.DEFAULT);
            assertThat(mq.produce("t", List.of(msg("b", "k")))[0]).isGreaterThan(first);
            mq.destroyTopic("t");
        }
        try (RocksStore store = RocksStore.open(RocksMqConfig.builder(dir).build())) {
            assertThat(countMessageRecords(store)).isZero();
        }
    }

    @Test
    void badIdsAndSettingsAreRefusedWithATypedException() {
        byte[] p = new byte[1];
        assertThatThrownBy(() -> ProducerMessage.of(p).withDeduplicationId(""))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ProducerMessage.of(p).withDeduplicationId("x".repeat(257)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> new ProducerMessage(p, Map.of(), "bad\uD800", 0, 0))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(ProducerMessage.of(p).withDeduplicationId("x".repeat(256)).deduplicationId()).hasSize(256);
        // Limits in UTF-8 bytes, not chars: 129 two-byte chars are 258 bytes; 128 are 256.
        assertThatThrownBy(() -> ProducerMessage.of(p).withDeduplicationId("\u00e9".repeat(129)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(ProducerMessage.of(p).withDeduplicationId("\u00e9".repeat(128)).deduplicationId()).hasSize(128);
        assertThatThrownBy(() -> ProducerMessage.of(p).withDeduplicationId("ok\u00e9\uDC00"))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> new MessageSettings(Duration.ofSeconds(-1), Duration.ZERO)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> new MessageSettings(Duration.ofDays(8), Duration.ZERO)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> new MessageSettings(null, Duration.ZERO)).isInstanceOf(InvalidArgumentException.class);
        try (RocksMq mq = open()) {
            assertThatThrownBy(() -> mq.admin().setMessageSettings("nope", MessageSettings.DEFAULT))
                    .isInstanceOf(TopicNotFoundException.class);
            assertThatThrownBy(() -> mq.admin().messageSettings("nope")).isInstanceOf(TopicNotFoundException.class);
            mq.createTopic("t");
            assertThatThrownBy(() -> mq.admin().setMessageSettings("t", null)).isInstanceOf(InvalidArgumentException.class);
        }
    }
}
