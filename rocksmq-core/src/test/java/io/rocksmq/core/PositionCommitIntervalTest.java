package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.testkit.process.ChildJvm;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.rocksmq.core.PositionCommitChild.GROUP;
import static io.rocksmq.core.PositionCommitChild.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RocksMqConfig.Builder#positionCommitInterval(Duration)}: exactly the guarantee it documents.
 * After a kill a group resumes at its last written position, which a consume writes when the interval
 * since the last write elapsed or when it finds nothing, and seek, the retention pass and close write
 * too; with the default (no interval) a kill redelivers nothing a consume returned.
 */
class PositionCommitIntervalTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void afterAKillTheGroupResumesAtItsLastWrittenPosition() throws Exception {
        Path base = tmp.resolve("queues");
        try (ChildJvm child = ChildJvm.start(PositionCommitChild.class, tmp.resolve("child.err"),
                base.toString())) {
            assertThat(child.awaitReady(60_000)).as("child ready; " + child.stderr()).isTrue();
            child.kill();
        }
        SoftAssertions softly = new SoftAssertions(); // every scenario's answer, not only the first wrong one
        for (PositionCommitChild.Scenario s : PositionCommitChild.Scenario.values()) {
            try (RocksMq mq = PositionCommitChild.open(base.resolve(s.name()), new MutableClock(0), Duration.ZERO)) {
                softly.assertThat(PositionCommitChild.next(mq)).as(s.name()).isEqualTo(s.resumesAt);
            }
        }
        softly.assertAll();
    }

    @Test
    void closeWritesAPendingPosition() {
        MutableClock clock = new MutableClock(1_000_000);
        try (RocksMq mq = PositionCommitChild.open(tmp, clock, Duration.ofHours(1))) {
            PositionCommitChild.prepare(mq);
            PositionCommitChild.consume(mq, 3);
            PositionCommitChild.consume(mq, 2);
            assertThat(persisted(mq) - mq.earliestMessageId(TOPIC)).as("written by the first consume only").isEqualTo(3);
        }
        try (RocksMq mq = PositionCommitChild.open(tmp, clock, Duration.ofHours(1))) {
            assertThat(PositionCommitChild.next(mq)).isEqualTo("m5");
        }
    }

    @Test
    void theRetentionPassWritesAPendingPositionWithItsCut() {
        MutableClock clock = new MutableClock(1_000_000);
        RocksMqConfig config = RocksMqConfig.builder(tmp).clock(clock).positionCommitInterval(Duration.ofHours(1))
                .retentionTime(0).retentionBytes(0).retentionInterval(Duration.ZERO).build();
        try (RocksMq mq = RocksMq.open(config)) {
            mq.createTopic(TOPIC);
            mq.createConsumerGroup(TOPIC, GROUP);
            for (int i = 0; i < 10; i++) { // one entry each, larger than a retention segment: cuts fall between them
                mq.produce(TOPIC, List.of(ProducerMessage.of(new byte[2048])), Durability.WAL);
            }
            long first = mq.earliestMessageId(TOPIC);
            PositionCommitChild.consume(mq, 3);
            PositionCommitChild.consume(mq, 2);
            assertThat(persisted(mq) - first).isEqualTo(3);
            assertThat(mq.admin().runRetention()).as("the pass deletes what the group consumed").isGreaterThan(3);
            assertThat(persisted(mq) - first).as("never below the cut").isEqualTo(5);
        }
    }

    @Test
    void aNegativeOrMissingIntervalIsRefused() {
        assertThatThrownBy(() -> RocksMqConfig.builder(tmp).positionCommitInterval(Duration.ofMillis(-1)).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> RocksMqConfig.builder(tmp).positionCommitInterval(null).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(RocksMqConfig.builder(tmp).build().positionCommitInterval()).isEqualTo(Duration.ZERO);
    }

    private static long persisted(RocksMq mq) {
        long topicId = mq.topicsForTest().get(TOPIC).id();
        return StorageLayout.decodePosition(mq.store().getMeta(StorageLayout.groupPositionKey(topicId, GROUP)));
    }
}
