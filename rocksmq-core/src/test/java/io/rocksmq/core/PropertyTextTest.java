package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Property keys and values are stored as UTF-8: text that UTF-8 cannot hold is refused, never altered. */
class PropertyTextTest {
    @TempDir
    Path tmp;

    @Test
    void unpairedSurrogateInAPropertyKeyOrValueIsRejectedAndNothingIsWritten() {
        try (RocksMq mq = RocksMq.open(tmp.resolve("q"))) {
            mq.createTopic("t");
            for (Map<String, String> bad : List.of(
                    Map.of("k\uD800", "v"), Map.of("k", "v\uDC00"), Map.of("k", "\uDBFF"),
                    Map.of("k", "ok\uD83D"), Map.of("\uDE00x", "v"))) {
                assertThatThrownBy(() -> mq.produce("t", List.of(
                        ProducerMessage.of(new byte[] {1}), ProducerMessage.of(new byte[] {2}, bad))))
                        .isInstanceOf(InvalidArgumentException.class)
                        .hasMessageContaining("unpaired surrogate");
            }
            assertThat(mq.latestMessageId("t")).isEqualTo(-1L);

            // A paired surrogate (an emoji) is valid text and round-trips exactly.
            Map<String, String> emoji = Map.of("k\uD83D\uDE00", "v\uD83D\uDE00");
            long id = mq.produce("t", List.of(ProducerMessage.of(new byte[] {3}, emoji)))[0];
            assertThat(mq.read("t", id, 1).get(0).properties()).isEqualTo(emoji);
        }
    }
}
