package io.rocksmq.core;

import io.rocksmq.api.NotAQueueException;
import io.rocksmq.api.QueueAlreadyOpenException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One directory is one queue, whatever path names it; and a directory holding something else is
 * never opened as a queue, nor changed.
 */
class QueueDirectoryTest {
    @TempDir
    Path tmp;

    private static List<ProducerMessage> one(int b) {
        return List.of(ProducerMessage.of(new byte[] {(byte) b}));
    }

    @Test
    void aSymlinkedParentNamingADirectoryNotCreatedYetIsTheSameQueue() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        try (RocksMq first = RocksMq.open(link.resolve("q"))) {       // q does not exist yet
            first.createTopic("t");
            assertThatThrownBy(() -> RocksMq.open(real.resolve("q")))
                    .isInstanceOf(QueueAlreadyOpenException.class)
                    .hasMessageContaining("already open in this process");
            assertThat(first.produce("t", one(1))).containsExactly(0L);
        }
        try (RocksMq again = RocksMq.open(real.resolve("q"))) {
            assertThat(again.latestMessageId("t")).isEqualTo(0L);
        }
    }

    @Test
    void dotDotThroughASymlinkResolvesAsTheOperatingSystemDoes() throws Exception {
        Path inner = Files.createDirectories(tmp.resolve("deep").resolve("inner"));
        Path x = Files.createSymbolicLink(tmp.resolve("x"), inner);
        // x/.. is tmp/deep (the target's parent), not tmp: the queue lives in tmp/deep/q.
        try (RocksMq viaDotDot = RocksMq.open(x.resolve("..").resolve("q"))) {
            viaDotDot.createTopic("t");
            assertThatThrownBy(() -> RocksMq.open(tmp.resolve("deep").resolve("q")))
                    .isInstanceOf(QueueAlreadyOpenException.class);
        }
        assertThat(tmp.resolve("deep").resolve("q").resolve("CURRENT")).exists();
        assertThat(tmp.resolve("q")).doesNotExist();
    }

    @Test
    void caseVariantsAreOneQueueExactlyWhenTheFileSystemSaysTheyAreOneDirectory() throws Exception {
        Path lower = tmp.resolve("case-q");
        Path upper = tmp.resolve("CASE-Q");
        try (RocksMq first = RocksMq.open(lower)) {
            first.createTopic("t");
            if (Files.exists(upper) && Files.isSameFile(lower, upper)) {  // case-insensitive file system
                assertThatThrownBy(() -> RocksMq.open(upper)).isInstanceOf(QueueAlreadyOpenException.class);
            } else {                                                       // two directories, two queues
                try (RocksMq second = RocksMq.open(upper)) {
                    assertThat(second.topics()).isEmpty();
                }
            }
        }
    }

    @Test
    void aBindMountOfAnOpenQueueIsTheSameQueue() throws Exception {
        Path real = tmp.resolve("real-q");
        Path alias = Files.createDirectory(tmp.resolve("alias"));
        try (RocksMq first = RocksMq.open(real)) {
            first.createTopic("t");
            Assumptions.assumeTrue(run("mount", "--bind", real.toString(), alias.toString()),
                    "bind mounts need root in a mount namespace that allows them");
            try {
                assertThat(alias.toRealPath()).isNotEqualTo(real.toRealPath()); // no path comparison can see it
                assertThatThrownBy(() -> RocksMq.open(alias))
                        .isInstanceOf(QueueAlreadyOpenException.class)
                        .hasMessageContaining("the same directory");
                assertThat(first.produce("t", one(1))).containsExactly(0L);
            } finally {
                run("umount", alias.toString());
            }
        }
        try (RocksMq again = RocksMq.open(real)) {
            assertThat(again.latestMessageId("t")).isEqualTo(0L);
        }
    }

    @Test
    void anotherProgramsRocksDbIsRefusedAndLeftByteForByteUntouched() throws Exception {
        Path dir = tmp.resolve("foreign");
        try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, dir.toString())) {
            db.put("user".getBytes(StandardCharsets.UTF_8), "data".getBytes(StandardCharsets.UTF_8));
        }
        Map<String, String> before = snapshot(dir);

        assertThatThrownBy(() -> RocksMq.open(dir))
                .isInstanceOf(NotAQueueException.class)
                .hasMessageContaining("not a queue")
                .hasMessageContaining("[default]")
                .hasMessageContaining("nothing changed");
        assertThat(snapshot(dir)).isEqualTo(before);

        // The owner still opens it as it was (the issue: "Column families not opened: meta, messages").
        try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.toString())) {
            assertThat(db.get("user".getBytes(StandardCharsets.UTF_8))).asString().isEqualTo("data");
        }
    }

    @Test
    void aDatabaseWithOtherColumnFamiliesIsRefusedEvenWhenEmpty() throws Exception {
        Path dir = tmp.resolve("foreign-cf");
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions o = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             RocksDB db = RocksDB.open(o, dir.toString(), List.of(
                     new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                     new ColumnFamilyDescriptor("users".getBytes(StandardCharsets.UTF_8))), handles)) {
            handles.forEach(ColumnFamilyHandle::close);
        }
        Map<String, String> before = snapshot(dir);
        assertThatThrownBy(() -> RocksMq.open(dir))
                .isInstanceOf(NotAQueueException.class)
                .hasMessageContaining("users");
        assertThat(snapshot(dir)).isEqualTo(before);
    }

    @Test
    void aQueueWhoseCreationWasInterruptedBeforeItsColumnFamiliesOpensAsANewQueue() throws Exception {
        // What a crash between RocksDB writing CURRENT and creating the queue's column families leaves.
        Path dir = tmp.resolve("interrupted");
        try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, dir.toString())) {
            assertThat(db.getLatestSequenceNumber()).isZero();
        }
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            assertThat(mq.produce("t", one(7))).containsExactly(0L);
        }
        try (RocksMq mq = RocksMq.open(dir)) {
            assertThat(mq.read("t", 0, 1)).singleElement().satisfies(m -> assertThat(m.payload()).containsExactly(7));
        }
    }

    /** Every file's content digest and modification time. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                byte[] content = Files.readAllBytes(f);
                files.put(dir.relativize(f).toString(), java.util.Arrays.hashCode(content) + "/" + content.length
                        + "@" + Files.getLastModifiedTime(f).toMillis());
            }
        }
        return files;
    }

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }
}
