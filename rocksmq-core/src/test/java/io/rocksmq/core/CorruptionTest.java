package io.rocksmq.core;

import io.rocksmq.api.StorageException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Damaged files of a closed queue: the open (or the first read of the damaged data) fails with a
 * {@link StorageException} that names the file and keeps RocksDB's status; it never crashes the JVM,
 * never returns wrong data, and never "repairs" by deleting. The one exception is a damaged
 * write-ahead log, which RocksDB cannot tell from the torn tail of a crash: the queue opens with
 * everything before the damage.
 */
class CorruptionTest {
    private static final int MESSAGES = 3000;
    private static final int TAIL = 200;

    @TempDir
    static Path shared;
    private static Path base;

    @TempDir
    Path tmp;

    static byte[] payload(long id) {
        byte[] p = new byte[1000];
        new Random(id).nextBytes(p);
        return p;
    }

    /** A closed queue with flushed table files and, after them, messages only in the WAL. */
    @BeforeAll
    static void createQueue() throws Exception {
        base = shared.resolve("base");
        try (RocksMq mq = RocksMq.open(config(base))) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            for (long id = 0; id < MESSAGES - TAIL; id++) {
                mq.produce("t", List.of(ProducerMessage.of(payload(id))));
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (files(base, ".sst").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            for (long id = MESSAGES - TAIL; id < MESSAGES; id++) {
                mq.produce("t", List.of(ProducerMessage.of(payload(id))));
            }
            mq.consume("t", "g", 100);
        }
        assertThat(files(base, ".sst")).as("the fixture needs flushed table files").isNotEmpty();
        assertThat(files(base, ".log")).as("and a write-ahead log").isNotEmpty();
    }

    private static RocksMqConfig config(Path dir) {
        return RocksMqConfig.builder(dir).writeBufferBytes(1 << 20).compression(Compression.NONE).build();
    }

    private Path copy() throws IOException {
        Path dir = tmp.resolve("q");
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(base)) {
            for (Path f : s.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    @Test
    void damagedManifestFailsTheOpenNamingIt() throws Exception {
        Path dir = copy();
        Path manifest = only(dir, "MANIFEST-");
        overwrite(manifest, 0, 32);
        assertThatThrownBy(() -> RocksMq.open(config(dir)))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("Corruption")
                .hasMessageContaining(manifest.getFileName().toString());
    }

    /**
     * Damage in the middle of the MANIFEST can look to RocksDB like the torn tail of a crash: it then
     * recovers an earlier file list and deletes the newer table files. The queue must not open with
     * silently missing data: either the open fails (RocksDB, or our metadata check noticing records
     * that no crash can leave behind) or everything is intact.
     */
    @Test
    void manifestDamagedInTheMiddleNeverOpensWithMissingData() throws Exception {
        Path dir = copy();
        Path manifest = only(dir, "MANIFEST-");
        overwrite(manifest, Files.size(manifest) / 2, 64);
        RocksMq mq;
        try {
            mq = RocksMq.open(config(dir));
        } catch (StorageException e) {
            assertThat(e.getMessage()).contains("Corruption");
            return;
        }
        try (mq) {
            long from = 0;
            List<ConsumerMessage> batch;
            while (!(batch = mq.read("t", from, 500)).isEmpty()) {
                for (ConsumerMessage m : batch) {
                    assertThat(m.id()).isEqualTo(from++);
                    assertThat(m.payload()).isEqualTo(payload(m.id()));
                }
            }
            assertThat(from).isEqualTo(MESSAGES);
        }
    }

    @Test
    void damagedCurrentFailsTheOpenNamingIt() throws Exception {
        Path dir = copy();
        overwrite(dir.resolve("CURRENT"), 0, 8);
        assertThatThrownBy(() -> RocksMq.open(config(dir)))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("CURRENT");
    }

    @Test
    void missingCurrentFailsTheOpenAndNothingIsCreatedOverTheData() throws Exception {
        Path dir = copy();
        List<Path> before = files(dir, ".sst");
        Files.delete(dir.resolve("CURRENT"));
        // RocksDB's "create if missing" would write a new empty database next to the old files and, on
        // the next open, delete them as obsolete: every attempt must refuse.
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> RocksMq.open(config(dir)))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("CURRENT is missing");
        }
        assertThat(files(dir, ".sst")).containsExactlyElementsOf(before);
        assertThat(dir.resolve("CURRENT")).doesNotExist();
    }

    @Test
    void damagedTableFooterFailsTheOpenNamingTheFile() throws Exception {
        Path dir = copy();
        Path sst = largest(dir, ".sst");
        overwrite(sst, Files.size(sst) - 48, 48);
        assertThatThrownBy(() -> RocksMq.open(config(dir)))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("Corruption")
                .hasMessageContaining(sst.getFileName().toString());
    }

    @Test
    void missingTableFileFailsTheOpenNamingIt() throws Exception {
        Path dir = copy();
        Path sst = largest(dir, ".sst");
        Files.delete(sst);
        assertThatThrownBy(() -> RocksMq.open(config(dir)))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(sst.getFileName().toString());
    }

    /** A damaged data block: found by its checksum at open or on the read that reaches it, never returned. */
    @Test
    void damagedTableBlockIsReportedNeverReturned() throws Exception {
        Path dir = copy();
        Path sst = largest(dir, ".sst");
        overwrite(sst, Files.size(sst) / 3, 64);
        StorageException error = null;
        try (RocksMq mq = RocksMq.open(config(dir))) {
            long from = 0;
            List<ConsumerMessage> batch;
            while (!(batch = mq.read("t", from, 100)).isEmpty()) {
                for (ConsumerMessage m : batch) {
                    assertThat(m.payload()).as("payload of id %d", m.id()).isEqualTo(payload(m.id()));
                }
                from = batch.get(batch.size() - 1).id() + 1;
            }
        } catch (StorageException e) {
            error = e;
        }
        assertThat(error).as("the damaged block must be reported").isNotNull();
        assertThat(error.getMessage()).contains("Corruption").contains(sst.getFileName().toString());
    }

    /**
     * A damaged WAL record looks like the torn tail of a crash, which RocksDB's point-in-time recovery
     * must accept: the queue opens with an exact prefix, consistent metadata, and the loss is only in
     * RocksDB's LOG ("dropping N bytes; Corruption: ...").
     */
    @Test
    void damagedWalRecoversAnExactPrefixWithConsistentMetadata() throws Exception {
        Path dir = copy();
        List<Path> logs = files(dir, ".log");
        Path wal = logs.get(logs.size() - 1); // the live one: what it holds is in no table file
        overwrite(wal, Files.size(wal) / 2, 64);
        try (RocksMq mq = RocksMq.open(config(dir))) {
            List<ConsumerMessage> all = new ArrayList<>();
            long from = 0;
            List<ConsumerMessage> batch;
            while (!(batch = mq.read("t", from, 500)).isEmpty()) {
                all.addAll(batch);
                from = batch.get(batch.size() - 1).id() + 1;
            }
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).id()).isEqualTo(i);
                assertThat(all.get(i).payload()).as("payload of id %d", i).isEqualTo(payload(i));
            }
            assertThat(all.size()).isLessThan(MESSAGES);
            assertThat(mq.latestMessageId("t")).isEqualTo(all.size() - 1);
            assertThat(mq.position("t", "g")).isLessThanOrEqualTo(all.size());
            assertThat(mq.produce("t", List.of(ProducerMessage.of(new byte[] {1})))[0]).isEqualTo(all.size());
        }
        String log = Files.readString(dir.resolve("LOG"));
        assertThat(log).contains(wal.getFileName().toString()).contains("Corruption");
    }

    /** Records no crash can leave behind: refused, and left in place for the operator. */
    @Test
    void metadataOfAMissingTopicFailsTheOpenAndIsNotDeleted() throws Exception {
        Path dir = copy();
        byte[] orphan = StorageLayout.topicCounterKey(999);
        try (RocksStore store = RocksStore.open(config(dir))) {
            store.putMeta(orphan, StorageLayout.topicCounterValue(5, 0, 0));
        }
        assertThatThrownBy(() -> RocksMq.open(config(dir)))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("damaged queue")
                .hasMessageContaining("[999]");
        try (RocksStore store = RocksStore.open(config(dir))) {
            assertThat(store.getMeta(orphan)).isNotNull();
        }
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static Path largest(Path dir, String suffix) throws IOException {
        return files(dir, suffix).stream().max(Comparator.comparingLong(CorruptionTest::size)).orElseThrow();
    }

    private static Path only(Path dir, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> found = s.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
            assertThat(found).hasSize(1);
            return found.get(0);
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void overwrite(Path file, long at, int n) throws IOException {
        byte[] garbage = new byte[n];
        new Random(at).nextBytes(garbage);
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(garbage), at);
        }
    }
}
