package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.TopicNotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RocksMq#producePayloads}: a batch given as sizes and one block of bytes is stored byte for byte
 * as {@link RocksMq#produce} stores the same payloads as messages, in chunks the same way, told to the
 * listener as the same messages; a malformed or oversized block is a typed error and stores nothing.
 */
class PayloadBlockProduceTest {
    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The payloads as a block, behind {@code skip} bytes of something else (the block is the rest). */
    private static PayloadBlock block(int skip, byte[]... payloads) {
        int total = skip;
        int[] sizes = new int[payloads.length];
        for (int i = 0; i < payloads.length; i++) {
            sizes[i] = payloads[i].length;
            total += sizes[i];
        }
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put(new byte[skip]);
        for (byte[] p : payloads) {
            b.put(p);
        }
        b.flip().position(skip);
        return new PayloadBlock(sizes, b);
    }

    private static List<ProducerMessage> messages(byte[]... payloads) {
        List<ProducerMessage> out = new ArrayList<>();
        for (byte[] p : payloads) {
            out.add(ProducerMessage.of(p));
        }
        return out;
    }

    private static byte[][] payloads(int n, int size) {
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            out[i] = new byte[size + i % 3];
            out[i][0] = (byte) i;
        }
        return out;
    }

    @Test
    void encodesByteForByteWhatTheMessageFormEncodesChunkForChunk() {
        byte[][] p = payloads(50, 40);
        PayloadBlock block = block(3, p);
        List<ProducerMessage> list = messages(p);
        for (int maxChunk : new int[] {1 << 20, 300, 1}) {
            Topic.Append fromMessages = new Topic.Append(list, null, maxChunk, 0);
            Topic.Append fromBlock = new Topic.Append(block, maxChunk, 0);
            assertThat(fromBlock.chunkFirst).as("chunk starts at %d", maxChunk).containsExactly(fromMessages.chunkFirst);
            assertThat(fromBlock.chunks).as("chunks at %d", maxChunk).isDeepEqualTo(fromMessages.chunks);
            assertThat(fromBlock.bytes()).isEqualTo(fromMessages.bytes());
            assertThat(fromBlock.count).isEqualTo(50);
        }
    }

    @Test
    void storesThePayloadsInOrderWithConsecutiveIdsAsProduceWould() {
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).maxBatchEntryBytes(1024).build())) {
            mq.createTopic("t");
            mq.produce("t", List.of(ProducerMessage.of(utf8("before"), Map.of("k", "v"))));
            byte[][] p = payloads(30, 100); // several chunks of at most 1024 bytes
            long first = mq.producePayloads("t", block(0, p));
            assertThat(first).isEqualTo(1);
            long[] after = mq.produce("t", List.of(ProducerMessage.of(utf8("after"))));
            assertThat(after).containsExactly(31);
            long last = mq.producePayloads("t", block(0, utf8(""), utf8("x")));
            assertThat(last).isEqualTo(32);

            List<ConsumerMessage> got = mq.read("t", 0, 100);
            assertThat(got).extracting(ConsumerMessage::id).containsExactly(
                    java.util.stream.LongStream.rangeClosed(0, 33).boxed().toArray(Long[]::new));
            assertThat(got.get(0).properties()).containsEntry("k", "v");
            for (int i = 0; i < p.length; i++) {
                assertThat(got.get(1 + i).payload()).as("payload %d", i).isEqualTo(p[i]);
                assertThat(got.get(1 + i).properties()).isEmpty();
            }
            assertThat(got.get(31).payload()).isEqualTo(utf8("after"));
            assertThat(got.get(32).payload()).isEmpty();
            assertThat(got.get(33).payload()).isEqualTo(utf8("x"));
        }
    }

    @Test
    void survivesARestartAndTheTopicsDefaultTimeToLiveAppliesAsToAnyMessage() {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.producePayloads("t", block(0, utf8("a"), utf8("b")));
        }
        try (RocksMq mq = RocksMq.open(dir)) {
            assertThat(mq.read("t", 0, 10)).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                    .containsExactly("a", "b");
            assertThat(BatchFormat.latestExpiry(new Topic.Append(block(0, utf8("a")), 1 << 20, 0).chunks[0],
                    Duration.ofSeconds(5).toMillis())).as("expiry of a format-1 batch: publish time + default TTL")
                    .isEqualTo(5_000);
        }
    }

    @Test
    void malformedBlocksAreRefusedTyped() {
        assertThatThrownBy(() -> new PayloadBlock(new int[0], ByteBuffer.allocate(0)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new PayloadBlock(null, ByteBuffer.allocate(0)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> new PayloadBlock(new int[] {1}, null))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> new PayloadBlock(new int[] {2, -1}, ByteBuffer.allocate(1)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("payload size 1 is negative");
        assertThatThrownBy(() -> new PayloadBlock(new int[] {1, 1}, ByteBuffer.allocate(3)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("malformed");
        assertThatThrownBy(() -> new PayloadBlock(new int[] {2, 2}, ByteBuffer.allocate(3)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("malformed");
    }

    @Test
    void anOversizedPayloadOrAMissingTopicStoresNothing() {
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).maxMessageBytes(10).build())) {
            mq.createTopic("t");
            assertThatThrownBy(() -> mq.producePayloads("t", block(0, new byte[10], new byte[11])))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("message 1")
                    .hasMessageContaining("larger than");
            assertThatThrownBy(() -> mq.producePayloads("t", null)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> mq.producePayloads("t", block(0, new byte[1]), null))
                    .isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> mq.producePayloads("missing", block(0, new byte[1])))
                    .isInstanceOf(TopicNotFoundException.class);
            assertThat(mq.latestMessageId("t")).isEqualTo(-1);
            assertThat(mq.producePayloads("t", block(0, new byte[10]))).isZero();
        }
    }

    @Test
    void theListenerIsToldOfTheSameMessages() {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            List<String> heard = new CopyOnWriteArrayList<>();
            mq.listener(new QueueListener() {
                @Override
                public void onProduce(String topic, List<ProducerMessage> messages, long nanos) {
                    StringBuilder s = new StringBuilder(topic).append(':');
                    for (ProducerMessage m : messages) {
                        s.append(' ').append(new String(m.payload(), StandardCharsets.UTF_8)).append(m.properties());
                    }
                    heard.add(s.toString());
                }
            });
            mq.producePayloads("t", block(2, utf8("ab"), utf8(""), utf8("c")));
            assertThat(heard).containsExactly("t: ab{} {} c{}");
        }
    }
}
