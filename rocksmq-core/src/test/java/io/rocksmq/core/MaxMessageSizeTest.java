package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.core.client.RocksMqClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 13 item 5: a maximum message size, with a documented default, configurable up to a hard limit,
 * enforced at produce (broker and client API) with {@link InvalidArgumentException} and nothing stored.
 */
class MaxMessageSizeTest {
    @TempDir
    Path dir;

    @Test
    void theDefaultAcceptsExactlyTheMaximumAndRejectsOneByteMore() {
        try (RocksMq mq = RocksMq.open(dir)) {
            assertThat(mq.config().maxMessageBytes()).isEqualTo(RocksMqConfig.DEFAULT_MAX_MESSAGE_BYTES)
                    .isEqualTo(16 << 20);
            mq.createTopic("t");
            assertThatThrownBy(() -> mq.produce("t", List.of(payload(RocksMqConfig.DEFAULT_MAX_MESSAGE_BYTES + 1))))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("maxMessageBytes");
            assertThat(mq.latestMessageId("t")).isEqualTo(-1);
            assertThat(mq.admin().topicStats("t").retainedBytes()).isZero();

            long id = mq.produce("t", List.of(payload(RocksMqConfig.DEFAULT_MAX_MESSAGE_BYTES)))[0];
            assertThat(mq.read("t", id, 1).get(0).payloadSize()).isEqualTo(RocksMqConfig.DEFAULT_MAX_MESSAGE_BYTES);
        }
    }

    @Test
    void propertiesCountAndOneOversizedMessageRejectsTheWholeBatch() {
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).maxMessageBytes(1000).build())) {
            mq.createTopic("t");
            // "ké" is 3 UTF-8 bytes, "v" 1: 996 + 4 = 1000 fits, 997 + 4 does not.
            ProducerMessage fits = ProducerMessage.of(new byte[996], Map.of("ké", "v"));
            ProducerMessage over = ProducerMessage.of(new byte[997], Map.of("ké", "v"));
            assertThatThrownBy(() -> mq.produce("t", List.of(fits, over, fits)))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("message 1").hasMessageContaining("1001 bytes");
            assertThatThrownBy(() -> mq.produce("t", List.of(payload(1001)), Durability.FSYNC))
                    .isInstanceOf(InvalidArgumentException.class);
            assertThat(mq.latestMessageId("t")).isEqualTo(-1);
            assertThat(mq.admin().topicStats("t").retainedBytes()).isZero();

            long[] ids = mq.produce("t", List.of(fits, payload(1000), payload(0)));
            assertThat(mq.read("t", ids[0], 10)).hasSize(3);
        }
    }

    @Test
    void theSettingIsBoundedByTheHardLimit() {
        RocksMqConfig.Builder b = RocksMqConfig.builder(dir);
        for (int bad : new int[] {0, -1, RocksMqConfig.MAX_MESSAGE_BYTES_LIMIT + 1, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> b.maxMessageBytes(bad).build()).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("maxMessageBytes");
        }
        assertThat(b.maxMessageBytes(RocksMqConfig.MAX_MESSAGE_BYTES_LIMIT).build().maxMessageBytes())
                .isEqualTo(256 << 20);
        assertThat(b.maxMessageBytes(1).build().maxMessageBytes()).isEqualTo(1);
    }

    @Test
    void theClientRejectsAnOversizedSendWithoutFailingTheOthers() throws Exception {
        try (RocksMqClient client = RocksMqClient.open(RocksMqConfig.builder(dir).maxMessageBytes(1000).build());
             Producer producer = client.createProducer(ProducerOptions.builder("t").build())) {
            CompletableFuture<MessageId> before = producer.sendAsync(OutgoingMessage.of(new byte[1000]));
            assertThatThrownBy(() -> producer.sendAsync(OutgoingMessage.of(new byte[1001])))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("maxMessageBytes");
            // The key travels as a property (name and value) and counts too.
            assertThatThrownBy(() -> producer.send(OutgoingMessage.builder(new byte[1000]).key("k").build()))
                    .isInstanceOf(InvalidArgumentException.class);
            CompletableFuture<MessageId> after = producer.sendAsync(OutgoingMessage.of(new byte[10]));
            producer.flush();
            assertThat(before.get().offset()).isLessThan(after.get().offset());
            RocksMq mq = client.queue();
            assertThat(mq.read("t", 0, 10)).extracting(ConsumerMessage::payloadSize).containsExactly(1000, 10);
        }
    }

    private static ProducerMessage payload(int bytes) {
        return ProducerMessage.of(new byte[bytes]);
    }
}
