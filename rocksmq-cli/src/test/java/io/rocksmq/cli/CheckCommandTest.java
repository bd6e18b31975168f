package io.rocksmq.cli;

import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CheckCommandTest {
    @TempDir
    Path dir;
    private final Cli cli = new Cli();

    private void fill() {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            mq.produce("t", List.of(ProducerMessage.of("abc".getBytes(StandardCharsets.UTF_8)),
                    ProducerMessage.of("de".getBytes(StandardCharsets.UTF_8))));
            mq.produce("t", List.of(ProducerMessage.of("f".getBytes(StandardCharsets.UTF_8))));
            mq.consume("t", "g", 1);
            mq.createTopic("empty");
        }
    }

    @Test
    void aHealthyDirectoryPasses() {
        fill();
        Cli.Result r = cli.run("check", "--data", dir.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("on disk: ", "SST files", "write-ahead log").endsWith("OK\n");
        assertThat(r.lines().stream().filter(l -> l.startsWith("t ")).findFirst().orElseThrow().split("\\s{2,}"))
                .containsExactly("t", "3", "0..2", "6 B", "1", "ok");

        Map<String, Object> json = ParsedJson.object(cli.run("check", "--json", "--data", dir.toString()).out());
        assertThat(json).containsEntry("ok", true).containsEntry("problems", List.of());
        assertThat((Long) ((Map<?, ?>) json.get("disk")).get("totalBytes")).isPositive();
        assertThat((List<?>) json.get("topics")).hasSize(2);

        Cli.Result quick = cli.run("check", "--quick", "--data", dir.toString());
        assertThat(quick.exit()).isZero();
        assertThat(quick.out()).contains("quick: messages not read");
    }

    @Test
    void aGapAndATimeGoingBackwardsAreProblems() throws Exception {
        fill();
        // Damage the data the way a buggy writer could, in format version 1 (see StorageLayout): a batch of
        // topic id 1 at id 10 (ids 3..9 missing) published at epoch 0 (before the batches ahead of it).
        byte[] key = ByteBuffer.allocate(16).putLong(1).putLong(10).array();
        byte[] value = ByteBuffer.allocate(13 + 4 + 1 + 2).put((byte) 1).putInt(1).putLong(0)
                .putInt(1).put((byte) 'x').putShort((short) 0).array();
        List<ColumnFamilyDescriptor> cfs = List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                new ColumnFamilyDescriptor("messages".getBytes(StandardCharsets.UTF_8)),
                new ColumnFamilyDescriptor("meta".getBytes(StandardCharsets.UTF_8)));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
             RocksDB db = RocksDB.open(options, dir.toString(), cfs, handles)) {
            db.put(handles.get(1), key, value);
            handles.forEach(ColumnFamilyHandle::close);
        }

        Cli.Result r = cli.run("check", "--data", dir.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("warning: recovery found 1 metadata entries to repair",
                "PROBLEM: topic 't': id 10 follows id 2 (ids 3..9 missing)",
                "PROBLEM: topic 't': message 10 published at 1970-01-01T00:00:00Z, before the message ahead of it")
                .endsWith("FAILED\n");
        Map<String, Object> json = ParsedJson.object(cli.run("check", "--json", "--data", dir.toString()).out());
        assertThat(json).containsEntry("ok", false);
        assertThat((List<?>) json.get("problems")).hasSize(2);
    }

    @Test
    void noQueueIsAnError() {
        Cli.Result r = cli.run("check", "--data", dir.resolve("nothing").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("rmq: no queue in ");
    }
}
