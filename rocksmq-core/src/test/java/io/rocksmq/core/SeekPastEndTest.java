package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A seek past the end is clamped when it is made, never left for recovery to "repair" at the next open. */
class SeekPastEndTest {
    @TempDir
    Path dir;

    private static List<ProducerMessage> messages(int n) {
        List<ProducerMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(ProducerMessage.of(("m" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    @Test
    void aSeekPastTheLatestMessageMovesTheGroupJustAfterIt() {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("orders");
            mq.createConsumerGroup("orders", "billing");
            long[] ids = mq.produce("orders", messages(10));
            long latest = ids[ids.length - 1];
            mq.seek("orders", "billing", latest + 4000);
            assertThat(mq.position("orders", "billing")).isEqualTo(latest + 1);
            long[] next = mq.produce("orders", messages(2));
            assertThat(mq.consume("orders", "billing", 10)).extracting(ConsumerMessage::id)
                    .as("the next messages are delivered, none skipped").containsExactly(next[0], next[1]);
            mq.seek("orders", "billing", latest + 4000);
        }
        try (RocksMq mq = RocksMq.open(dir)) {
            assertThat(mq.admin().recoveryRepairs()).as("nothing to repair at open").isZero();
            assertThat(mq.position("orders", "billing")).isEqualTo(mq.latestMessageId("orders") + 1);
        }
    }

    @Test
    void anEmptyTopicClampsToItsFirstId() {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            mq.seek("t", "g", 99);
            assertThat(mq.position("t", "g")).isZero();
            long id = mq.produce("t", messages(1))[0];
            assertThat(mq.consume("t", "g", 5)).extracting(ConsumerMessage::id).containsExactly(id);
        }
        try (RocksMq mq = RocksMq.open(dir)) {
            assertThat(mq.admin().recoveryRepairs()).isZero();
        }
    }

    /**
     * A reader can see the messages of a write whose produce has not returned yet; seeking just past what
     * it read must not be clamped back to the committed end (the crash harness's read-then-seek consumer
     * caught this once). Probabilistic: it races a producer for a bounded time.
     */
    @Test
    void aSeekJustPastWhatAReaderSawIsNeverPulledBack() throws Exception {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "manual");
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread producer = new Thread(() -> {
                while (!stop.get()) {
                    mq.produce("t", messages(3));
                }
            });
            producer.start();
            try {
                long position = 0;
                long deadline = System.nanoTime() + java.time.Duration.ofSeconds(2).toNanos();
                while (System.nanoTime() < deadline) {
                    List<ConsumerMessage> got = mq.read("t", position, 50);
                    if (got.isEmpty()) {
                        continue;
                    }
                    position = got.get(got.size() - 1).id() + 1;
                    mq.seek("t", "manual", position);
                    assertThat(mq.position("t", "manual")).as("seek to %d after reading to it", position)
                            .isEqualTo(position);
                }
            } finally {
                stop.set(true);
                producer.join();
            }
        }
    }
}
