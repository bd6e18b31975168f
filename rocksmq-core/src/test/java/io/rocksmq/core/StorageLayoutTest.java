package io.rocksmq.core;

import io.rocksmq.api.StorageException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StorageLayoutTest {

    @Test
    void messageKeysRoundTripAndSortByTopicThenId() {
        byte[] a = StorageLayout.messageKey(7, 300);
        assertThat(StorageLayout.messageKeyTopic(a)).isEqualTo(7);
        assertThat(StorageLayout.messageKeyFirstId(a)).isEqualTo(300);
        assertThat(Arrays.compareUnsigned(StorageLayout.messageKey(7, 299), a)).isNegative();
        assertThat(Arrays.compareUnsigned(a, StorageLayout.messageKey(8, 0))).isNegative();
        assertThat(Arrays.compareUnsigned(StorageLayout.messageKey(7, Long.MAX_VALUE), StorageLayout.topicUpperBound(7)))
                .isNegative();
        assertThat(Arrays.compareUnsigned(StorageLayout.topicLowerBound(7), StorageLayout.messageKey(7, 0))).isZero();
    }

    @Test
    void metaRecordsRoundTrip() {
        assertThat(StorageLayout.decodeFormat(StorageLayout.formatValue())).isEqualTo(StorageLayout.FORMAT_VERSION);
        byte[] global = StorageLayout.globalValue(12, 3400);
        assertThat(StorageLayout.globalNextTopicId(global)).isEqualTo(12);
        assertThat(StorageLayout.globalMessageIdFloor(global)).isEqualTo(3400);

        String name = "tópico/with:odd☃chars";
        byte[] topicKey = StorageLayout.topicKey(name);
        assertThat(topicKey[0]).isEqualTo(StorageLayout.META_TOPIC);
        assertThat(StorageLayout.topicKeyName(topicKey)).isEqualTo(name);
        StorageLayout.TopicRecord rec = new StorageLayout.TopicRecord(5, 1000, 1_700_000_000_000L);
        assertThat(StorageLayout.decodeTopic(StorageLayout.topicValue(rec))).isEqualTo(rec);

        byte[] counterKey = StorageLayout.topicCounterKey(5);
        assertThat(StorageLayout.topicCounterKeyTopic(counterKey)).isEqualTo(5);
        assertThat(StorageLayout.decodeTopicCounter(StorageLayout.topicCounterValue(77, 123, 4096)))
                .isEqualTo(new StorageLayout.TopicCounter(77, 123, 4096));

        byte[] posKey = StorageLayout.groupPositionKey(5, "group☃");
        assertThat(StorageLayout.groupPositionKeyTopic(posKey)).isEqualTo(5);
        assertThat(StorageLayout.groupPositionKeyGroup(posKey)).isEqualTo("group☃");
        assertThat(StorageLayout.decodePosition(StorageLayout.positionValue(42))).isEqualTo(42);
        assertThat(Arrays.compareUnsigned(StorageLayout.groupPositionPrefix(5), posKey)).isNegative();
        assertThat(Arrays.compareUnsigned(posKey, StorageLayout.groupPositionPrefix(6))).isNegative();
    }

    @Test
    void groupKeysOfDifferentTopicsNeverCollideWhateverTheNames() {
        // With "group/topic" strings, ("a/b", "c") and ("a", "b/c") collide; fixed-width topic ids cannot.
        assertThat(StorageLayout.groupPositionKey(1, "x")).isNotEqualTo(StorageLayout.groupPositionKey(2, "x"));
        assertThat(StorageLayout.topicKey("chan01")).isNotEqualTo(StorageLayout.topicKey("chan011"));
    }

    @Test
    void batchesRoundTripWithPropertiesEmptyPayloadsAndUnicode() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            List<ProducerMessage> in = new ArrayList<>();
            int n = 1 + random.nextInt(20);
            for (int i = 0; i < n; i++) {
                byte[] payload = new byte[random.nextInt(3) == 0 ? 0 : random.nextInt(300)];
                random.nextBytes(payload);
                Map<String, String> props = random.nextBoolean() ? Map.of()
                        : Map.of("k" + random.nextInt(9), "v☃" + random.nextInt(), "", "");
                in.add(new ProducerMessage(payload, props));
            }
            byte[] batch = BatchFormat.encodeBatch(in, 0, n);
            BatchFormat.patchPublishTime(batch, 1234L + round);
            assertThat(BatchFormat.batchCount(batch)).isEqualTo(n);
            assertThat(BatchFormat.batchPublishTime(batch)).isEqualTo(1234L + round);
            int skip = random.nextInt(n);
            MessageList out = new MessageList(1);
            long next = BatchFormat.decodeBatch(batch, 1000, 1000 + skip, Integer.MAX_VALUE, out);
            assertThat(next).as("seed %d", seed).isEqualTo(1000 + n);
            assertThat(out).hasSize(n - skip);
            for (int i = 0; i < out.size(); i++) {
                ConsumerMessage m = out.get(i);
                ProducerMessage p = in.get(skip + i);
                assertThat(m.id()).isEqualTo(1000 + skip + i);
                assertThat(m.payload()).as("seed %d", seed).isEqualTo(p.payload());
                assertThat(m.properties()).isEqualTo(p.properties());
                assertThat(m.publishTime()).isEqualTo(1234L + round);
            }
        }
    }

    @Test
    void decodeStopsAtMax() {
        List<ProducerMessage> in = List.of(msg("a"), msg("b"), msg("c"));
        MessageList out = new MessageList(1);
        long next = BatchFormat.decodeBatch(BatchFormat.encodeBatch(in, 0, 3), 10, 10, 2, out);
        assertThat(out).extracting(ConsumerMessage::id).containsExactly(10L, 11L);
        assertThat(next).isEqualTo(12);
    }

    @Test
    void truncatedOrUnknownBatchesAreReportedAsCorruption() {
        byte[] batch = BatchFormat.encodeBatch(List.of(msg("hello")), 0, 1);
        byte[] truncated = Arrays.copyOf(batch, batch.length - 2);
        assertThatThrownBy(() -> BatchFormat.decodeBatch(truncated, 0, 0, 10, new MessageList(1)))
                .isInstanceOf(StorageException.class).hasMessageContaining("truncated");
        // Properties are decoded on access, so decoding checks their lengths up front.
        byte[] withProperties = BatchFormat.encodeBatch(List.of(ProducerMessage.of("x".getBytes(),
                Map.of("key", "value"))), 0, 1);
        for (int cut = 1; cut < 12; cut++) {
            byte[] shorter = Arrays.copyOf(withProperties, withProperties.length - cut);
            assertThatThrownBy(() -> BatchFormat.decodeBatch(shorter, 0, 0, 10, new MessageList(1)))
                    .as("cut %d", cut).isInstanceOf(StorageException.class).hasMessageContaining("truncated");
        }
        byte[] unknown = batch.clone();
        unknown[0] = 99;
        assertThatThrownBy(() -> BatchFormat.batchCount(unknown))
                .isInstanceOf(StorageException.class).hasMessageContaining("unknown message batch format");
        assertThatThrownBy(() -> StorageLayout.decodeTopic(new byte[3]))
                .isInstanceOf(StorageException.class).hasMessageContaining("topic record");
    }

    @Test
    void chunksSplitLargeBatchesButKeepEveryMessage() {
        List<ProducerMessage> in = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            in.add(ProducerMessage.of(new byte[100]));
        }
        List<int[]> chunks = BatchFormat.chunks(in, 1024);
        assertThat(chunks.get(0)[0]).isZero();
        assertThat(chunks.get(chunks.size() - 1)[1]).isEqualTo(50);
        for (int i = 1; i < chunks.size(); i++) {
            assertThat(chunks.get(i)[0]).isEqualTo(chunks.get(i - 1)[1]);
        }
        assertThat(chunks).hasSizeGreaterThan(4);
        // A single message larger than the chunk size still gets a chunk of its own.
        assertThat(BatchFormat.chunks(List.of(ProducerMessage.of(new byte[5000])), 1024)).hasSize(1);
    }

    @Test
    void utf8LengthMatchesTheJdk() {
        for (String s : List.of("", "abc", "é", "☃", "😀x", "\uD83D")) {
            assertThat(StorageLayout.utf8Length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    private static ProducerMessage msg(String s) {
        return ProducerMessage.of(s.getBytes(StandardCharsets.UTF_8));
    }
}
