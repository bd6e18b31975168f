package io.rocksmq.core;

import io.rocksmq.api.NotAQueueException;
import io.rocksmq.api.QueueAlreadyOpenException;
import io.rocksmq.api.ReadOnlyQueueException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A queue opened read-only shows everything, changes nothing, and refuses every write with a typed error. */
class ReadOnlyTest {
    @TempDir
    Path tmp;

    private static RocksMq openReadOnly(Path dir) {
        return RocksMq.open(RocksMqConfig.builder(dir).readOnly(true).build());
    }

    private Path queueWithData() {
        Path dir = tmp.resolve("q");
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            mq.produce("t", List.of(ProducerMessage.of(new byte[] {1}), ProducerMessage.of(new byte[] {2})));
            mq.consume("t", "g", 1);
        }
        return dir;
    }

    @Test
    void readsEverythingAndEveryWriteIsRefusedWithNothingChangedOnDisk() throws Exception {
        Path dir = queueWithData();
        Map<String, String> before = QueueDirectoryTest.snapshot(dir);
        try (RocksMq mq = openReadOnly(dir)) {
            assertThat(mq.topics()).containsExactly("t");
            assertThat(mq.consumerGroups("t")).containsExactly("g");
            assertThat(mq.position("t", "g")).isEqualTo(1L);
            assertThat(mq.read("t", 0, 10)).hasSize(2);
            assertThat(mq.latestMessageId("t")).isEqualTo(1L);

            List<ThrowingCallable> writes = List.of(
                    () -> mq.createTopic("u"),
                    () -> mq.createTopic("t"),
                    () -> mq.destroyTopic("t"),
                    () -> mq.createConsumerGroup("t", "h"),
                    () -> mq.destroyConsumerGroup("t", "g"),
                    () -> mq.produce("t", List.of(ProducerMessage.of(new byte[] {3}))),
                    () -> mq.produce("t", List.of(ProducerMessage.of(new byte[] {3})), Durability.FSYNC),
                    () -> mq.consume("t", "g", 10),
                    () -> mq.seek("t", "g", 0),
                    () -> mq.seekToLatest("t", "g"),
                    () -> mq.seekToTimestamp("t", "g", 0),
                    () -> mq.admin().setRetention("t", RetentionPolicy.INHERIT_ALL),
                    () -> mq.admin().runRetention());
            for (int i = 0; i < writes.size(); i++) {
                assertThatThrownBy(writes.get(i)).as("write call %d", i).isInstanceOf(ReadOnlyQueueException.class).hasMessageContaining("read-only");
            }
            assertThat(mq.topics()).containsExactly("t");
            assertThat(mq.consumerGroups("t")).containsExactly("g");
            assertThat(mq.position("t", "g")).isEqualTo(1L);
            assertThat(mq.latestMessageId("t")).isEqualTo(1L);
            assertThat(mq.read("t", 0, 10)).hasSize(2);
        }
        assertThat(QueueDirectoryTest.snapshot(dir)).isEqualTo(before);
        try (RocksMq mq = RocksMq.open(dir)) { // and a writer opens it afterwards as before
            assertThat(mq.produce("t", List.of(ProducerMessage.of(new byte[] {3})))).containsExactly(2L);
        }
    }

    @Test
    void aMissingDirectoryOrAnEmptyOneIsNotAQueueAndIsNotCreated() {
        Path missing = tmp.resolve("missing");
        assertThatThrownBy(() -> openReadOnly(missing)).isInstanceOf(NotAQueueException.class)
                .hasMessageContaining("no queue");
        assertThat(missing).doesNotExist();
    }

    @Test
    void anotherProgramsDatabaseIsRefusedReadOnlyToo() throws Exception {
        Path dir = tmp.resolve("foreign");
        try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, dir.toString())) {
            db.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
        }
        Map<String, String> before = QueueDirectoryTest.snapshot(dir);
        assertThatThrownBy(() -> openReadOnly(dir)).isInstanceOf(NotAQueueException.class);
        assertThat(QueueDirectoryTest.snapshot(dir)).isEqualTo(before);
    }

    @Test
    void aReaderAndAWriterInOneProcessExcludeEachOther() {
        Path dir = queueWithData();
        try (RocksMq reader = openReadOnly(dir)) {
            assertThatThrownBy(() -> RocksMq.open(dir)).isInstanceOf(QueueAlreadyOpenException.class);
            assertThat(reader.topics()).containsExactly("t");
        }
        assertThat(Files.exists(dir.resolve("LOCK"))).isTrue();
    }
}
