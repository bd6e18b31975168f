package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumer groups' kept-open iterators ({@link ReadCursor}): a consume through a cursor must return
 * exactly what a fresh read would, whatever happened since the cursor was left (produce, seek, reads
 * stopping inside a batch, retention), and no cursor may outlive its group or hold an iterator once
 * its group caught up or stopped reading.
 */
class ReadCursorTest {
    @TempDir
    Path dir;

    private RocksMq open() {
        return open(dir);
    }

    private static RocksMq open(Path dir) {
        return RocksMq.open(RocksMqConfig.builder(dir).retentionInterval(Duration.ZERO)
                .defaultRetention(RetentionPolicy.KEEP_ALL).build());
    }

    private static ReadCursor cursor(RocksMq mq, String topic, String group) {
        return mq.topicsForTest().get(topic).group(group).cursor();
    }

    private static List<ProducerMessage> batch(long firstOrdinal, int n) {
        List<ProducerMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(ProducerMessage.of(ByteBuffer.allocate(8).putLong(firstOrdinal + i).array()));
        }
        return out;
    }

    private static long ordinal(ConsumerMessage m) {
        return m.payloadBuffer().getLong(0);
    }

    /**
     * Seeded random interleavings of produce, consume (any size, so reads stop inside batches), seek
     * and read on two groups, against a model: a group gets the messages from its position on, as many
     * as it asked for or as exist, each exactly as produced.
     */
    @Test
    void consumesMatchAModelUnderRandomInterleavings() {
        for (long seed = 1; seed <= 12; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            try (RocksMq mq = open(dir.resolve("seed-" + seed))) {
                mq.createTopic("t");
                List<Long> ids = new ArrayList<>(); // ordinal -> id
                Map<String, Integer> next = new HashMap<>(); // group -> ordinal of its next message
                for (String g : List.of("a", "b")) {
                    mq.createConsumerGroup("t", g);
                    next.put(g, 0);
                }
                for (int step = 0; step < 300; step++) {
                    int op = random.nextInt(10);
                    String g = random.nextBoolean() ? "a" : "b";
                    if (op < 3) {
                        int n = 1 + random.nextInt(40);
                        for (long id : mq.produce("t", batch(ids.size(), n))) {
                            ids.add(id);
                        }
                    } else if (op < 8) {
                        int max = 1 + random.nextInt(random.nextBoolean() ? 7 : 150);
                        List<ConsumerMessage> got = mq.consume("t", g, max);
                        int from = next.get(g);
                        int expected = Math.min(max, ids.size() - from);
                        assertThat(got).as("seed %d step %d", seed, step).hasSize(expected);
                        for (int i = 0; i < expected; i++) {
                            assertThat(got.get(i).id()).isEqualTo(ids.get(from + i));
                            assertThat(ordinal(got.get(i))).as("seed %d step %d", seed, step).isEqualTo(from + i);
                        }
                        next.put(g, from + expected);
                    } else if (op < 9 && !ids.isEmpty()) {
                        int to = random.nextInt(ids.size() + 1);
                        mq.seek("t", g, to == ids.size() ? ids.get(to - 1) + 1 : ids.get(to));
                        next.put(g, to);
                    } else if (!ids.isEmpty()) {
                        int from = random.nextInt(ids.size());
                        List<ConsumerMessage> got = mq.read("t", ids.get(from), 50);
                        assertThat(got).hasSize(Math.min(50, ids.size() - from));
                        assertThat(ordinal(got.get(0))).isEqualTo(from);
                    }
                }
            }
        }
    }

    @Test
    void aGroupHoldsAnIteratorOnlyWhileItHasABacklog() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            mq.produce("t", batch(0, 250));
            assertThat(mq.consume("t", "g", 100)).hasSize(100);
            assertThat(cursor(mq, "t", "g").isOpen()).isTrue();
            assertThat(mq.consume("t", "g", 1000)).hasSize(150);
            assertThat(cursor(mq, "t", "g").isOpen()).as("caught up").isFalse();
        }
    }

    @Test
    void aCursorLeftByAGroupThatStoppedReadingIsClosedByTheRetentionPass() throws InterruptedException {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            mq.produce("t", batch(0, 250));
            long used = System.nanoTime();
            mq.consume("t", "g", 10);
            mq.admin().runRetention();
            // The cursor ages in real time: only a pass that came within its age may be required to keep it
            // (a test thread stalled for a second on a loaded machine sees it closed, rightly).
            if (System.nanoTime() - used < ReadCursor.MAX_AGE_NANOS) {
                assertThat(cursor(mq, "t", "g").isOpen()).as("used just now").isTrue();
            }
            Thread.sleep(ReadCursor.MAX_AGE_NANOS / 1_000_000 + 100);
            mq.admin().runRetention();
            assertThat(cursor(mq, "t", "g").isOpen()).isFalse();
            assertThat(ordinal(mq.consume("t", "g", 1).get(0))).isEqualTo(10); // reopened where it was
        }
    }

    @Test
    void destroyingGroupsOrTopicsAndClosingTheQueueReleaseOpenCursors() {
        ReadCursor groupCursor;
        ReadCursor topicCursor;
        ReadCursor closedCursor;
        try (RocksMq mq = open()) {
            for (String t : List.of("t1", "t2")) {
                mq.createTopic(t);
                mq.produce(t, batch(0, 300));
                for (String g : List.of("g1", "g2")) {
                    mq.createConsumerGroup(t, g);
                    mq.consume(t, g, g.equals("g1") ? 4 : 5); // different sizes: no shared read
                }
            }
            groupCursor = cursor(mq, "t1", "g1");
            mq.destroyConsumerGroup("t1", "g1");
            assertThat(groupCursor.isOpen()).isFalse();
            topicCursor = cursor(mq, "t2", "g1");
            mq.destroyTopic("t2");
            assertThat(topicCursor.isOpen()).isFalse();
            closedCursor = cursor(mq, "t1", "g2");
            assertThat(closedCursor.isOpen()).isTrue();
        }
        assertThat(closedCursor.isOpen()).isFalse();
        try (RocksMq mq = open()) {
            assertThat(ordinal(mq.consume("t1", "g2", 1).get(0))).isEqualTo(5);
        }
    }

    @Test
    void aQueueKeepsAtMostSoManyCursorsOpenBetweenConsumes() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            int messages = 1500;
            long first = mq.produce("t", batch(0, messages))[0];
            int groups = RocksStore.MAX_OPEN_CURSORS + 20;
            for (int g = 0; g < groups; g++) {
                mq.createConsumerGroup("t", "g" + g);
                // Each group starts elsewhere, so that no read is shared and each opens its own cursor.
                mq.seek("t", "g" + g, first + g % 1000);
                assertThat(mq.consume("t", "g" + g, 3)).hasSize(3);
            }
            assertThat(mq.store().openCursors().get()).isEqualTo(RocksStore.MAX_OPEN_CURSORS);
            for (int g = 0; g < groups; g++) { // every group still reads on correctly
                List<ConsumerMessage> rest = mq.consume("t", "g" + g, 5000);
                assertThat(rest).hasSize(messages - g % 1000 - 3);
                assertThat(ordinal(rest.get(0))).isEqualTo(g % 1000 + 3);
            }
            assertThat(mq.store().openCursors().get()).as("all caught up").isZero();
        }
    }
}
