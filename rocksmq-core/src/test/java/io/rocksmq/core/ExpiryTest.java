package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import io.rocksmq.api.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Message expiry through the public API: per message, topic default, consume and read, counts, restart. */
class ExpiryTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    private RocksMq open() {
        return RocksMq.open(RocksMqConfig.builder(dir).clock(clock).retentionInterval(Duration.ZERO)
                .defaultRetention(RetentionPolicy.KEEP_ALL).build());
    }

    private static ProducerMessage msg(String payload) {
        return ProducerMessage.of(payload.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> texts(List<ConsumerMessage> messages) {
        return messages.stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void anExpiredMessageIsNeverDeliveredToAnyGroupAndIsCountedPerGroup() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "early");
            mq.createConsumerGroup("t", "late");
            mq.produce("t", List.of(msg("ttl 10s").withTtl(Duration.ofSeconds(10)), msg("forever"),
                    msg("at +5s").withExpiresAt(Instant.ofEpochMilli(T0 + 5_000))));
            List<ConsumerMessage> first = mq.consume("t", "early", 1);
            assertThat(texts(first)).containsExactly("ttl 10s");
            assertThat(first.get(0).expiresAt()).isEqualTo(T0 + 10_000);
            clock.advance(6_000);
            assertThat(texts(mq.consume("t", "early", 10))).containsExactly("forever");
            assertThat(mq.admin().expiredMessages("t", "early")).isEqualTo(1);
            clock.advance(5_000);
            assertThat(texts(mq.consume("t", "late", 10))).containsExactly("forever");
            assertThat(mq.admin().expiredMessages("t", "late")).isEqualTo(2);
            assertThat(mq.position("t", "late")).isEqualTo(mq.latestMessageId("t") + 1);
            assertThat(texts(mq.read("t", 0, 10))).containsExactly("forever");
        }
    }

    @Test
    void aConsumeReadsPastARunOfExpiredMessages() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            for (int i = 0; i < 50; i++) {
                List<ProducerMessage> batch = new ArrayList<>();
                for (int j = 0; j < 20; j++) {
                    batch.add(msg("old").withTtl(Duration.ofSeconds(1)));
                }
                mq.produce("t", batch);
            }
            mq.produce("t", List.of(msg("live")));
            clock.advance(1_000);
            assertThat(texts(mq.consume("t", "g", 10))).containsExactly("live");
            assertThat(mq.admin().expiredMessages("t", "g")).isEqualTo(1000);
            assertThat(mq.consume("t", "g", 10)).isEmpty();
            assertThat(texts(mq.read("t", 0, 5))).containsExactly("live");
        }
    }

    @Test
    void theTopicDefaultAppliesToMessagesWithoutTheirOwnAndSurvivesRestart() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            mq.produce("t", List.of(msg("a"), msg("own, longer").withTtl(Duration.ofHours(1)), msg("b")));
            mq.admin().setMessageSettings("t", MessageSettings.DEFAULT.withDefaultTtl(Duration.ofMinutes(1)));
            assertThat(texts(mq.read("t", 0, 10))).containsExactly("a", "own, longer", "b");
        }
        clock.advance(60_000);
        try (RocksMq mq = open()) {
            assertThat(mq.admin().messageSettings("t").defaultTtl()).isEqualTo(Duration.ofMinutes(1));
            assertThat(texts(mq.consume("t", "g", 10))).containsExactly("own, longer");
            assertThat(mq.admin().expiredMessages("t", "g")).isEqualTo(2);
            mq.admin().setMessageSettings("t", MessageSettings.DEFAULT);
            mq.seek("t", "g", 0);
            assertThat(texts(mq.consume("t", "g", 10))).as("no default any more").containsExactly("a", "own, longer", "b");
        }
    }

    @Test
    void expiryTimesSurviveRestartAndBigBatchesSplitIntoChunks() {
        byte[] big = new byte[300_000];
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            List<ProducerMessage> batch = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ProducerMessage m = ProducerMessage.of(big);
                batch.add(i % 2 == 0 ? m.withTtl(Duration.ofSeconds(30)) : m);
            }
            mq.produce("t", batch);
        }
        try (RocksMq mq = open()) {
            List<ConsumerMessage> all = mq.read("t", 0, 10);
            assertThat(all).hasSize(8);
            assertThat(all.get(0).expiresAt()).isEqualTo(T0 + 30_000);
            assertThat(all.get(1).expiresAt()).isZero();
            assertThat(all.get(7).payloadSize()).isEqualTo(big.length);
            clock.advance(30_000);
            assertThat(mq.read("t", 0, 10)).extracting(ConsumerMessage::id).containsExactly(1L, 3L, 5L, 7L);
        }
    }

    @Test
    void badExpiriesAreRefusedWithATypedException() {
        ProducerMessage m = msg("x");
        assertThatThrownBy(() -> m.withTtl(Duration.ZERO)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> m.withTtl(Duration.ofSeconds(-1))).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> m.withTtl(null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> m.withExpiresAt(null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> m.withExpiresAt(Instant.EPOCH)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> new ProducerMessage(new byte[0], null, null, 5, 5))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MessageSettings.DEFAULT.withDefaultTtl(Duration.ofSeconds(-1)))
                .isInstanceOf(InvalidArgumentException.class);
        // Longer than a long of milliseconds: refused, not an ArithmeticException when it is stored.
        assertThatThrownBy(() -> MessageSettings.DEFAULT.withDefaultTtl(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(MessageSettings.DEFAULT.withDefaultTtl(Duration.ofMillis(Long.MAX_VALUE)).defaultTtl())
                .isEqualTo(Duration.ofMillis(Long.MAX_VALUE));
        assertThat(m.withTtl(Duration.ofSeconds(1)).withDeduplicationId("d").ttlMillis()).isEqualTo(1000);
    }
}
