package io.rocksmq.core.client;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.QueueAlreadyOpenException;
import io.rocksmq.core.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code MqClient.open("rocksmq:...")} through the ServiceLoader registration. */
class RocksMqClientProviderTest {
    @TempDir
    Path dir;

    @Test
    void opensTheEmbeddedBackendFromAUri() {
        Path data = dir.resolve("data");
        try (MqClient client = MqClient.open("rocksmq:" + data)) {
            assertThat(client).isInstanceOf(RocksMqClient.class);
            try (Producer p = client.createProducer("t")) {
                p.send(new byte[] {1});
            }
        }
        assertThat(Files.isDirectory(data)).isTrue();
        // Same directory again, in the other accepted spellings: the message is still there.
        try (MqClient client = MqClient.open("rocksmq://" + data + "?durability=fsync")) {
            assertThat(((RocksMqClient) client).queue().config().durability()).isEqualTo(Durability.FSYNC);
            assertThat(((RocksMqClient) client).queue().latestMessageId("t")).isGreaterThanOrEqualTo(0);
        }
        try (MqClient client = MqClient.open("ROCKSMQ:" + data.toUri().getRawPath() + "?durability=WAL")) {
            assertThat(client.listTopics()).containsExactly("t");
        }
    }

    @Test
    void percentEncodedDirectoriesWithSpacesAndUnicodeWork() {
        Path odd = dir.resolve("with space + plus ✓");
        try (MqClient client = MqClient.open("rocksmq:" + odd.toUri().getRawPath())) {
            client.createTopic("t");
        }
        assertThat(Files.isDirectory(odd)).isTrue();
    }

    @Test
    void rejectsBadUrisBeforeOpeningAnything() {
        assertThatThrownBy(() -> MqClient.open("rocksmq:" + dir.resolve("x") + "?durability=sometimes"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("durability");
        assertThatThrownBy(() -> MqClient.open("rocksmq:" + dir.resolve("x") + "?retention=1d"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("retention");
        assertThatThrownBy(() -> MqClient.open("rocksmq:?durability=wal"))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(Files.exists(dir.resolve("x"))).isFalse();
    }

    @Test
    void aDirectoryOpenTwiceIsRefused() {
        try (MqClient first = MqClient.open("rocksmq:" + dir)) {
            first.createTopic("t");
            assertThatThrownBy(() -> MqClient.open("rocksmq:" + dir)).isInstanceOf(QueueAlreadyOpenException.class);
        }
    }
}
