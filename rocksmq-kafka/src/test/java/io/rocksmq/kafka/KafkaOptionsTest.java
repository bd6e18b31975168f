package io.rocksmq.kafka;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaOptionsTest {

    @Test
    void defaults() {
        KafkaOptions o = KafkaOptions.builder("localhost:9092").build();
        assertThat(o.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(o.partitions()).isEqualTo(1);
        assertThat(o.replicationFactor()).isEmpty();
        assertThat(o.retentionMs()).isEmpty();
        assertThat(o.retentionBytes()).isEmpty();
        assertThat(o.logAppendTime()).isTrue();
        assertThat(o.requestTimeout()).isEqualTo(KafkaOptions.DEFAULT_REQUEST_TIMEOUT);
        assertThat(o.connectionTimeout()).isEqualTo(KafkaOptions.DEFAULT_CONNECTION_TIMEOUT);
        assertThat(o.subscriptionCheckInterval()).isEqualTo(KafkaOptions.DEFAULT_SUBSCRIPTION_CHECK_INTERVAL);
        assertThat(o.commitMode()).isEqualTo(KafkaOptions.CommitMode.SYNC);
        assertThat(o.clientProperties()).isEmpty();
        assertThat(o.topicConfigs()).isEmpty();
    }

    @Test
    void aUriWithSeveralServersAndEveryOption() {
        KafkaOptions o = KafkaMqClientProvider.options(URI.create("kafka://k1:9092,k2:9093/?partitions=6"
                + "&replicationFactor=3&retentionMs=60000&retentionBytes=1048576&logAppendTime=false"
                + "&requestTimeoutMs=5000&connectionTimeoutMs=2000&subscriptionCheckIntervalMs=700&commitMode=async"
                + "&security.protocol=SSL&sasl.jaas.config=a%20b%3Dc%26d"));
        assertThat(o.bootstrapServers()).isEqualTo("k1:9092,k2:9093");
        assertThat(o.partitions()).isEqualTo(6);
        assertThat(o.replicationFactor()).contains((short) 3);
        assertThat(o.retentionMs()).hasValue(60_000);
        assertThat(o.retentionBytes()).hasValue(1 << 20);
        assertThat(o.logAppendTime()).isFalse();
        assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.connectionTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.subscriptionCheckInterval()).isEqualTo(Duration.ofMillis(700));
        assertThat(o.commitMode()).isEqualTo(KafkaOptions.CommitMode.ASYNC);
        assertThat(o.clientProperties()).isEqualTo(Map.of("security.protocol", "SSL", "sasl.jaas.config", "a b=c&d"));
    }

    @Test
    void badUrisAreRejectedWithTheReason() {
        assertThatThrownBy(() -> KafkaMqClientProvider.options(URI.create("kafka://h:9092?partitons=2")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("unknown option 'partitons'");
        assertThatThrownBy(() -> KafkaMqClientProvider.options(URI.create("kafka://h:9092?partitions=x")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("partitions");
        assertThatThrownBy(() -> KafkaMqClientProvider.options(URI.create("kafka://h:9092?partitions=0")))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> KafkaMqClientProvider.options(URI.create("kafka://h:9092?commitMode=later")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("sync or async");
        assertThatThrownBy(() -> KafkaMqClientProvider.options(URI.create("kafka://h:9092?logAppendTime=yes")))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> KafkaMqClientProvider.options(URI.create("kafka://h:9092/topics")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("path");
        assertThatThrownBy(() -> KafkaMqClientProvider.options(URI.create("kafka://user:pw@h:9092")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("credentials");
        assertThatThrownBy(() -> KafkaMqClientProvider.options(URI.create("kafka:h:9092")))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> KafkaMqClientProvider.options(URI.create("kafka:///")))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> KafkaMqClientProvider.options(URI.create("kafka://h?x=1")))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> KafkaMqClientProvider.options(URI.create("kafka://h:9092?group.id=mine")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("group.id");
        assertThatThrownBy(() -> KafkaMqClientProvider.options(URI.create("rocksmq:./data")))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void mqClientOpenFindsTheKafkaProviderAndValidatesBeforeConnecting() {
        // Rejected while parsing: nothing tries to reach a cluster.
        assertThatThrownBy(() -> MqClient.open("kafka://localhost:9092?nonsense=1"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("nonsense");
        assertThat(new KafkaMqClientProvider().supports(URI.create("KAFKA://h:1"))).isTrue();
        assertThat(new KafkaMqClientProvider().supports(URI.create("rocksmq:./x"))).isFalse();
    }

    @Test
    void builderRejectsWhatTheBackendCannotHonour() {
        assertThatThrownBy(() -> KafkaOptions.builder(null).build()).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> KafkaOptions.builder(" ").build()).isInstanceOf(InvalidArgumentException.class);
        for (String bad : new String[] {"localhost", "h:0", "h:70000", ":9092", "h:9092,", "h:x"}) {
            assertThatThrownBy(() -> KafkaOptions.builder(bad).build()).as(bad).isInstanceOf(InvalidArgumentException.class);
        }
        KafkaOptions.Builder ok = KafkaOptions.builder("h:1");
        for (String reserved : KafkaOptions.RESERVED_CLIENT_PROPERTIES) {
            assertThatThrownBy(() -> KafkaOptions.builder("h:1").clientProperty(reserved, "x").build())
                    .as(reserved).isInstanceOf(InvalidArgumentException.class).hasMessageContaining(reserved);
        }
        assertThatThrownBy(() -> KafkaOptions.builder("h:1").clientProperty("acks", "0").build())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("acks=0");
        assertThatThrownBy(() -> KafkaOptions.builder("h:1").topicConfig("retention.ms", "1").build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> KafkaOptions.builder("h:1").replicationFactor((short) 0).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> KafkaOptions.builder("h:1").retentionMs(-2L).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> KafkaOptions.builder("h:1").retentionBytes(-5L).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> KafkaOptions.builder("h:1").requestTimeout(Duration.ZERO).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> KafkaOptions.builder("h:1").connectionTimeout(null).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> KafkaOptions.builder("h:1").subscriptionCheckInterval(Duration.ofDays(3650)).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> KafkaOptions.builder("h:1").commitMode(null).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(ok.clientProperty("acks", "1").retentionMs(-1L).retentionBytes(-1L).topicConfig("min.insync.replicas", "2")
                .build().topicConfigs()).containsEntry("min.insync.replicas", "2");
    }

    @Test
    void optionsAreImmutable() {
        KafkaOptions.Builder b = KafkaOptions.builder("h:1").clientProperty("linger.ms", "5");
        KafkaOptions o = b.build();
        b.clientProperty("linger.ms", "50").clientProperty("compression.type", "lz4");
        assertThat(o.clientProperties()).isEqualTo(Map.of("linger.ms", "5"));
        assertThatThrownBy(() -> o.clientProperties().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }
}
