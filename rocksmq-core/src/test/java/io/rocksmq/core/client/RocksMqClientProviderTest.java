package io.rocksmq.core.client;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.QueueAlreadyOpenException;
import io.rocksmq.core.Compression;
import io.rocksmq.core.Durability;
import io.rocksmq.core.RetentionPolicy;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.RocksMqConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
    void openWithAPathEncodesItForYou() {
        Path odd = dir.resolve("a dir with spaces & ?#%");
        try (MqClient client = MqClient.open(odd)) {
            client.createTopic("t");
            assertThat(client.unwrap(RocksMq.class).config().directory()).isEqualTo(odd.toAbsolutePath());
        }
        assertThat(Files.isDirectory(odd)).isTrue();
    }

    @Test
    void everyConfigSettingCanBeGivenInTheUri() {
        Path data = dir.resolve("data");
        String uri = "rocksmq:" + data.toUri().getRawPath() + "?durability=fsync&compression=zstd"
                + "&blockCacheBytes=32MiB&writeBufferBytes=8MiB&maxBatchEntryBytes=512KiB"
                + "&retentionTime=2h&retentionBytes=unlimited&maxRetentionTime=PT72H&maxRetentionBytes=2GiB"
                + "&retentionInterval=250ms&retentionSegmentBytes=2MiB";
        try (MqClient client = MqClient.open(uri)) {
            RocksMqConfig c = client.unwrap(RocksMq.class).config();
            assertThat(c.durability()).isEqualTo(Durability.FSYNC);
            assertThat(c.compression()).isEqualTo(Compression.ZSTD);
            assertThat(c.blockCacheBytes()).isEqualTo(32L << 20);
            assertThat(c.writeBufferBytes()).isEqualTo(8L << 20);
            assertThat(c.maxBatchEntryBytes()).isEqualTo(512 << 10);
            assertThat(c.defaultRetention()).isEqualTo(new RetentionPolicy(Duration.ofHours(2).toMillis(),
                    RetentionPolicy.UNLIMITED, Duration.ofHours(72).toMillis(), 2L << 30));
            assertThat(c.retentionInterval()).isEqualTo(Duration.ofMillis(250));
            assertThat(c.retentionSegmentBytes()).isEqualTo(2L << 20);
        }
        try (MqClient client = MqClient.open("rocksmq:" + data.toUri().getRawPath() + "?readOnly=true")) {
            assertThat(client.unwrap(RocksMq.class).config().readOnly()).isTrue();
        }
        assertThatThrownBy(() -> MqClient.open("rocksmq:" + data + "?writeBufferBytes=lots"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("writeBufferBytes")
                .hasMessageContaining("not a size");
        assertThatThrownBy(() -> MqClient.open("rocksmq:" + data + "?compression=gzip2"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("lz4");
        assertThatThrownBy(() -> MqClient.open("rocksmq:" + data + "?writebufferbytes=1"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("known: blockCacheBytes");
    }

    @Test
    void metricsNeedNoCast() {
        try (MqClient client = MqClient.open(dir.resolve("m"))) {
            assertThat(client.unwrap(RocksMq.class)).isSameAs(((RocksMqClient) client).queue());
            assertThatThrownBy(() -> client.unwrap(String.class)).isInstanceOf(InvalidArgumentException.class);
        }
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
