package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Space really comes back, measured on the data directory: after {@code destroyTopic}, and after
 * retention deleted a topic's data (including the sweep of the remnant). What may stay is the
 * write-ahead log, bounded by {@code max_total_wal_size} (4 write buffers) plus the file being
 * written.
 */
class RetentionSpaceTest {
    private static final long MB = 1L << 20;
    private static final long WRITE_BUFFER = 4 * MB;
    private static final long PRODUCED = 100 * MB;
    /** The log: 4 write buffers before RocksDB flushes what pins it, plus the file being written; and small files. */
    private static final long LEFT_OVER = 5 * WRITE_BUFFER + 2 * MB;

    @TempDir
    Path dir;

    private RocksMqConfig config() {
        return RocksMqConfig.builder(dir).writeBufferBytes(WRITE_BUFFER).retentionInterval(Duration.ZERO)
                .defaultRetention(RetentionPolicy.KEEP_ALL).build();
    }

    private static void fill(RocksMq mq, String topic) {
        Random rnd = new Random(7);
        List<ProducerMessage> batch = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            byte[] p = new byte[16 * 1024];
            rnd.nextBytes(p);
            batch.add(ProducerMessage.of(p));
        }
        for (long n = 0; n < PRODUCED; n += 64 * 16 * 1024) {
            mq.produce(topic, batch);
        }
    }

    @Test
    void destroyTopicFreesItsSpace() throws Exception {
        try (RocksMq mq = RocksMq.open(config())) {
            mq.createTopic("keep");
            mq.produce("keep", List.of(ProducerMessage.of(new byte[1000])));
            mq.createTopic("big");
            fill(mq, "big");
            long before = RetentionDiskBoundTest.directorySize(dir);
            mq.destroyTopic("big");
            mq.awaitSpaceReclaimed();
            long after = RetentionDiskBoundTest.directorySize(dir);
            System.out.printf("destroyTopic: %.1f MB -> %.1f MB %s%n", before / (double) MB, after / (double) MB,
                    RetentionDiskBoundTest.breakdown(dir));
            assertThat(before).isGreaterThan(PRODUCED * 9 / 10);
            assertThat(after).isLessThan(LEFT_OVER);
            assertThat(mq.read("keep", 0, 10)).hasSize(1);
        }
    }

    @Test
    void retentionFreesTheSpaceOfWhatItDeleted() throws Exception {
        try (RocksMq mq = RocksMq.open(config())) {
            mq.createTopic("big");
            mq.createConsumerGroup("big", "g");
            fill(mq, "big");
            long before = RetentionDiskBoundTest.directorySize(dir);
            mq.admin().setRetention("big", RetentionPolicy.KEEP_ALL.withMaxRetentionBytes(0));
            assertThat(mq.admin().runRetention()).isPositive();
            mq.awaitSpaceReclaimed();
            long afterPass = RetentionDiskBoundTest.directorySize(dir);
            assertThat(mq.admin().runRetention()).isZero(); // quiet since the last full pass: sweeps the remnant
            mq.awaitSpaceReclaimed();
            long afterSweep = RetentionDiskBoundTest.directorySize(dir);
            System.out.printf("retention: %.1f MB -> %.1f MB after the pass -> %.1f MB after the sweep %s%n",
                    before / (double) MB, afterPass / (double) MB, afterSweep / (double) MB,
                    RetentionDiskBoundTest.breakdown(dir));
            assertThat(before).isGreaterThan(PRODUCED * 9 / 10);
            assertThat(afterSweep).isLessThan(LEFT_OVER);
            assertThat(mq.admin().topicStats("big").retainedBytes()).isZero();
            assertThat(mq.consume("big", "g", 10)).isEmpty();
        }
        try (RocksMq mq = RocksMq.open(config())) {
            assertThat(mq.read("big", 0, 10)).isEmpty();
            assertThat(mq.earliestMessageId("big")).isEqualTo(-1);
        }
    }
}
