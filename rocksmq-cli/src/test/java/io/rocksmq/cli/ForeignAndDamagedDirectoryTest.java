package io.rocksmq.cli;

import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands that only look never write, and a directory that holds something other than a healthy
 * queue gets the library's exact diagnosis, not "no queue".
 */
class ForeignAndDamagedDirectoryTest {
    @TempDir
    Path tmp;
    private final Cli cli = new Cli();

    @Test
    void anotherProgramsRocksDbIsRefusedByEveryCommandAndLeftUntouched() throws Exception {
        Path dir = tmp.resolve("foreign");
        try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, dir.toString())) {
            db.put("user".getBytes(StandardCharsets.UTF_8), "data".getBytes(StandardCharsets.UTF_8));
        }
        Map<String, String> before = snapshot(dir);
        for (List<String> command : List.of(List.of("topics", "list"), List.of("check"), List.of("groups", "list"),
                List.of("topics", "create", "x"), List.of("consume", "x"))) {
            String[] args = Stream.concat(command.stream(), Stream.of("--data", dir.toString())).toArray(String[]::new);
            Cli.Result r = cli.run(args);
            assertThat(r.exit()).as("%s: %s", command, r).isEqualTo(1);
            assertThat(r.err()).as("%s", command).contains("not a queue").contains("[default]");
            assertThat(snapshot(dir)).as("after %s", command).isEqualTo(before);
        }
        try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.toString())) {
            assertThat(db.get("user".getBytes(StandardCharsets.UTF_8))).asString().isEqualTo("data");
        }
    }

    @Test
    void readOnlyCommandsLeaveAQueueByteForByteAsItWas() throws Exception {
        Path dir = tmp.resolve("q");
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            mq.produce("t", List.of(ProducerMessage.of("a".getBytes(StandardCharsets.UTF_8))));
        }
        Map<String, String> before = snapshot(dir);
        for (List<String> command : List.of(List.of("topics", "list"), List.of("topics", "describe", "t"),
                List.of("groups", "list"), List.of("groups", "describe", "t", "g"), List.of("check"),
                List.of("consume", "t"), List.of("tail", "t"))) {
            String[] args = Stream.concat(command.stream(), Stream.of("--data", dir.toString())).toArray(String[]::new);
            Cli.Result r = cli.run(args);
            assertThat(r.exit()).as("%s: %s", command, r).isZero();
            assertThat(snapshot(dir)).as("after %s", command).isEqualTo(before);
        }
    }

    @Test
    void missingOrUnreadableCurrentGetsTheLibrarysDiagnosisNotNoQueue() throws Exception {
        Path dir = tmp.resolve("q");
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.produce("t", List.of(ProducerMessage.of("a".getBytes(StandardCharsets.UTF_8))));
        }
        Path current = dir.resolve("CURRENT");
        byte[] content = Files.readAllBytes(current);

        Files.delete(current);
        for (String command : List.of("check", "topics")) {
            Cli.Result r = command.equals("check") ? cli.run("check", "--data", dir.toString())
                    : cli.run("topics", "list", "--data", dir.toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).as(command).doesNotContain("no queue in")
                    .contains("CURRENT is missing").contains("MANIFEST-");
        }
        assertThat(current).doesNotExist();

        Files.writeString(current, "MANIFEST-999999\n"); // names a MANIFEST that does not exist
        for (String command : List.of("check", "topics")) {
            Cli.Result r = command.equals("check") ? cli.run("check", "--data", dir.toString())
                    : cli.run("topics", "list", "--data", dir.toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).as(command).doesNotContain("no queue in").contains("MANIFEST-999999");
        }

        Files.delete(current);
        Files.createDirectory(current); // exists, but cannot be read as a file
        Cli.Result r = cli.run("topics", "list", "--data", dir.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("no queue in").contains("CURRENT");

        Files.delete(current);
        Files.write(current, content);
        assertThat(cli.run("topics", "list", "--data", dir.toString()).out()).contains("t");
    }

    @Test
    void checkFailsOnAcknowledgedMessagesLostWithADeletedWriteAheadLogAndKeepsTheEvidence() throws Exception {
        Path dir = tmp.resolve("q");
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.produce("t", List.of(ProducerMessage.of("a".getBytes(StandardCharsets.UTF_8))));
        }
        assertThat(cli.run("check", "--data", dir.toString()).exit()).isZero();
        List<Path> logs;
        try (Stream<Path> s = Files.list(dir)) {
            logs = s.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        Files.delete(logs.get(logs.size() - 1)); // held everything: nothing was flushed to a table file
        for (int i = 0; i < 2; i++) { // the second run finds the same: check repairs nothing
            Cli.Result r = cli.run("check", "--data", dir.toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.out()).contains("PROBLEM: acknowledged messages lost: topic 't' is gone (ids 0..0)")
                    .endsWith("FAILED\n");
        }
    }

    /** Every file's content hash, size and modification time. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                byte[] content = Files.readAllBytes(f);
                files.put(dir.relativize(f).toString(), Arrays.hashCode(content) + "/" + content.length
                        + "@" + Files.getLastModifiedTime(f).toMillis());
            }
        }
        return files;
    }
}
