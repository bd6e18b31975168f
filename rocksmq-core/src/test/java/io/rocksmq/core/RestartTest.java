package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.rocksmq.core.RocksMqTest.msgs;
import static io.rocksmq.core.RocksMqTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

/** What survives close and reopen: topics, messages, groups, positions, id counters. */
class RestartTest {
    @TempDir
    Path dir;

    @Test
    void everythingSurvivesReopen() {
        long[] before;
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("a");
            mq.createTopic("b");
            mq.createConsumerGroup("a", "g1");
            mq.createConsumerGroup("a", "g2");
            before = mq.produce("a", msgs("1", "2", "3", "4"));
            mq.produce("b", List.of(ProducerMessage.of(new byte[] {9}, Map.of("k", "v"))));
            assertThat(texts(mq.consume("a", "g1", 3))).containsExactly("1", "2", "3");
            assertThat(texts(mq.consume("a", "g2", 1))).containsExactly("1");
        }
        try (RocksMq mq = RocksMq.open(dir)) {
            assertThat(mq.topics()).containsExactly("a", "b");
            assertThat(mq.consumerGroups("a")).containsExactly("g1", "g2");
            assertThat(mq.latestMessageId("a")).isEqualTo(before[3]);
            assertThat(texts(mq.consume("a", "g1", 10))).containsExactly("4");
            assertThat(texts(mq.consume("a", "g2", 10))).containsExactly("2", "3", "4");
            assertThat(mq.read("b", 0, 10).get(0).properties()).containsEntry("k", "v");
            long[] after = mq.produce("a", msgs("5"));
            assertThat(after[0]).isEqualTo(before[3] + 1);
        }
    }

    @Test
    void idsStayStrictlyIncreasingAcrossManyRestarts() {
        long last = -1;
        for (int round = 0; round < 5; round++) {
            try (RocksMq mq = RocksMq.open(dir)) {
                mq.createTopic("t");
                for (int i = 0; i < 3; i++) {
                    long[] ids = mq.produce("t", msgs("x", "y"));
                    assertThat(ids[0]).isGreaterThan(last);
                    last = ids[1];
                }
            }
        }
    }

    @Test
    void destroyedAndRecreatedTopicNeverReusesIdsEvenAfterRestart() {
        long oldLast;
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            oldLast = mq.produce("t", msgs("a", "b", "c"))[2];
            mq.destroyTopic("t");
        }
        try (RocksMq mq = RocksMq.open(dir)) {
            assertThat(mq.topics()).isEmpty();
            mq.createTopic("t");
            assertThat(mq.consumerGroups("t")).isEmpty();
            assertThat(mq.read("t", 0, 10)).isEmpty();
            assertThat(mq.produce("t", msgs("d"))[0]).isGreaterThan(oldLast);
        }
        try (RocksMq mq = RocksMq.open(dir)) {
            assertThat(texts(mq.read("t", 0, 10))).containsExactly("d");
        }
    }

    @Test
    void seekPositionsArePersisted() {
        long[] ids;
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            ids = mq.produce("t", msgs("a", "b", "c"));
            mq.seek("t", "g", ids[2]);
        }
        try (RocksMq mq = RocksMq.open(dir)) {
            assertThat(mq.position("t", "g")).isEqualTo(ids[2]);
            assertThat(texts(mq.consume("t", "g", 10))).containsExactly("c");
        }
    }

    @Test
    void openingWithTheLockOfAClosedQueueWorks() {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
        }
        assertThat(dir.resolve("LOCK")).exists();
        try (RocksMq mq = RocksMq.open(dir)) {
            assertThat(mq.topics()).containsExactly("t");
        }
    }
}
