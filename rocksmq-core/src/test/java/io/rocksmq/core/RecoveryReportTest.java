package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acknowledged messages lost to a damaged or deleted write-ahead log are reported at open
 * ({@link QueueAdmin#recoveryReport()}), never silent; a clean close, a crash, and a destroyed topic report
 * nothing.
 */
class RecoveryReportTest {
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

    private static RocksMqConfig config(Path dir) {
        return RocksMqConfig.builder(dir).writeBufferBytes(1 << 20).compression(Compression.NONE).build();
    }

    /** A closed queue with flushed table files and, after them, messages only in the WAL. */
    @BeforeAll
    static void createQueue() throws Exception {
        base = shared.resolve("base");
        try (RocksMq mq = RocksMq.open(config(base))) {
            mq.createTopic("t");
            mq.createTopic("other");
            mq.produce("other", List.of(ProducerMessage.of(new byte[] {1})));
            for (long id = 0; id < MESSAGES - TAIL; id++) {
                mq.produce("t", List.of(ProducerMessage.of(payload(id))));
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (files(base, ".sst").size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            for (long id = MESSAGES - TAIL; id < MESSAGES; id++) {
                mq.produce("t", List.of(ProducerMessage.of(payload(id))));
            }
        }
        assertThat(files(base, ".sst")).as("the fixture needs flushed table files").isNotEmpty();
        assertThat(files(base, ".log")).as("and a write-ahead log").isNotEmpty();
    }

    @Test
    void aCleanCloseReportsNothing() throws Exception {
        Path dir = copy();
        try (RocksMq mq = RocksMq.open(config(dir))) {
            assertThat(mq.admin().recoveryReport().clean()).as("%s", mq.admin().recoveryReport()).isTrue();
            assertThat(mq.admin().recoveryReport().lostMessages()).isZero();
        }
    }

    @Test
    void aDeletedNewestWriteAheadLogIsReportedWithTopicAndIdRange() throws Exception {
        Path dir = copy();
        List<Path> logs = files(dir, ".log");
        Files.delete(logs.get(logs.size() - 1));
        try (RocksMq mq = RocksMq.open(config(dir))) {
            long have = mq.latestMessageId("t") + 1;
            assertThat(have).as("the WAL held the newest messages").isLessThan(MESSAGES);
            RecoveryReport r = mq.admin().recoveryReport();
            assertThat(r.clean()).isFalse();
            assertThat(r.lost()).singleElement().satisfies(l -> {
                assertThat(l.topic()).isEqualTo("t");
                assertThat(l.firstId()).isEqualTo(have);
                assertThat(l.lastId()).isEqualTo(MESSAGES - 1);
                assertThat(l.topicLost()).isFalse();
            });
            assertThat(r.lostMessages()).isEqualTo(MESSAGES - have);
        }
    }

    @Test
    void aDamagedWriteAheadLogIsReportedWithRocksDbsOwnDiagnosis() throws Exception {
        Path dir = copy();
        List<Path> logs = files(dir, ".log");
        Path wal = logs.get(logs.size() - 1);
        overwrite(wal, Files.size(wal) / 2, 64);
        try (RocksMq mq = RocksMq.open(config(dir))) {
            long have = mq.latestMessageId("t") + 1;
            RecoveryReport r = mq.admin().recoveryReport();
            assertThat(r.lost()).singleElement().satisfies(l -> {
                assertThat(l.topic()).isEqualTo("t");
                assertThat(l.firstId()).isEqualTo(have);
                assertThat(l.lastId()).isEqualTo(MESSAGES - 1);
            });
            assertThat(r.engineMessages()).isNotEmpty()
                    .anySatisfy(m -> assertThat(m).contains(wal.getFileName().toString()).contains("dropping"));
        }
    }

    @Test
    void aReadOnlyOpenReportsTheSameLossAndKeepsTheEvidence() throws Exception {
        Path dir = copy();
        List<Path> logs = files(dir, ".log");
        Files.delete(logs.get(logs.size() - 1));
        Path watermark = dir.resolve(Watermark.FILE);
        byte[] before = Files.readAllBytes(watermark);
        for (int i = 0; i < 2; i++) { // twice: a read-only open leaves the evidence for the next one
            try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).readOnly(true).build())) {
                assertThat(mq.admin().recoveryReport().lost()).singleElement()
                        .satisfies(l -> assertThat(l.lastId()).isEqualTo(MESSAGES - 1));
            }
        }
        assertThat(Files.readAllBytes(watermark)).isEqualTo(before);
    }

    @Test
    void aProcessKilledAfterTheWatermarkLosesNothingAndItsDeletedLogIsReported() throws Exception {
        Path dir = tmp.resolve("killed");
        int count = 500;
        try (ChildJvm child = ChildJvm.start(WatermarkChild.class, tmp.resolve("child.err"),
                dir.toString(), Integer.toString(count))) {
            assertThat(child.awaitReady(120_000)).as("child ready; stderr: %s", child.stderr()).isTrue();
            child.kill(); // SIGKILL: no close, the newest messages are only in the write-ahead log
        }
        Path copy = tmp.resolve("killed-copy");
        copyDir(dir, copy);
        try (RocksMq mq = RocksMq.open(dir)) { // a crash alone loses nothing: nothing to report
            assertThat(mq.admin().recoveryReport().clean()).as("%s", mq.admin().recoveryReport()).isTrue();
            assertThat(mq.latestMessageId("t")).isEqualTo(count - 1L);
            assertThat(mq.topics()).containsExactly("t");
        }
        List<Path> logs = files(copy, ".log");
        assertThat(logs).as("nothing was flushed: one log holds everything").hasSize(1);
        Files.delete(logs.get(0));
        try (RocksMq mq = RocksMq.open(copy)) {
            assertThat(mq.topics()).isEmpty(); // even the topic's record was in that log
            assertThat(mq.admin().recoveryReport().lost()).singleElement().satisfies(l -> {
                assertThat(l.topic()).isEqualTo("t");
                assertThat(l.topicLost()).isTrue();
                assertThat(l.firstId()).isZero();
                assertThat(l.lastId()).isEqualTo(count - 1L);
            });
            assertThat(mq.admin().recoveryReport().lostMessages()).isEqualTo(count);
        }
    }

    @Test
    void destroyTopicRewritesTheWatermarkAtOnceSoADestroyedTopicIsNeverReportedLost() throws Exception {
        Path dir = tmp.resolve("d");
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("keep");
            mq.createTopic("gone");
            mq.produce("gone", List.of(ProducerMessage.of(new byte[] {1})));
            long deadline = System.nanoTime() + 60_000_000_000L; // the periodic write, ~1 s
            while (Watermark.read(dir).values().stream().noneMatch(e -> e.topic().equals("gone"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Watermark.read(dir).values()).anySatisfy(e -> assertThat(e.topic()).isEqualTo("gone"));
            mq.destroyTopic("gone");
            assertThat(Watermark.read(dir).values()).extracting(Watermark.Entry::topic).containsExactly("keep");
        }
        try (RocksMq mq = RocksMq.open(dir)) {
            assertThat(mq.admin().recoveryReport().clean()).isTrue();
        }
    }

    private Path copy() throws IOException {
        Path dir = tmp.resolve("q");
        copyDir(base, dir);
        return dir;
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.toList()) {
                if (!f.getFileName().toString().equals("LOCK")) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
    }

    static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static void overwrite(Path file, long at, int n) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            byte[] junk = new byte[n];
            new Random(7).nextBytes(junk);
            f.write(junk);
        }
    }
}
