package io.rocksmq.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.QueueListener;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.SharedGroup;
import io.rocksmq.core.SharedGroupOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RocksMqMetricsTest {
    @TempDir
    Path dir;

    private static List<ProducerMessage> batch(int n, int size) {
        List<ProducerMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(ProducerMessage.of(new byte[size]));
        }
        return out;
    }

    private static double gauge(SimpleMeterRegistry r, String name, String... tags) {
        Gauge g = r.find(name).tags(tags).gauge();
        assertThat(g).as(name + " " + String.join(",", tags)).isNotNull();
        return g.value();
    }

    @Test
    void messagesLostAtRecoveryAreAGauge() throws Exception {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("orders");
            mq.produce("orders", batch(3, 10));
        }
        List<Path> logs;
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(dir)) {
            logs = s.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        java.nio.file.Files.delete(logs.get(logs.size() - 1)); // it held everything: nothing was flushed
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RocksMq mq = RocksMq.open(dir);
             RocksMqMetrics metrics = new RocksMqMetrics(mq, Duration.ZERO)) {
            metrics.bindTo(registry);
            assertThat(gauge(registry, "rocksmq.recovery.lost.messages")).isEqualTo(3);
        }
    }

    @Test
    void countsProduceAndConsumeAndReadsTopicAndGroupGauges() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RocksMq mq = RocksMq.open(dir);
             RocksMqMetrics metrics = new RocksMqMetrics(mq, Duration.ZERO)) {
            mq.createTopic("orders");
            mq.createConsumerGroup("orders", "billing");
            metrics.bindTo(registry);
            long[] ids = mq.produce("orders", batch(10, 7));
            mq.produce("orders", batch(5, 1));
            assertThat(mq.consume("orders", "billing", 4)).hasSize(4);
            assertThat(mq.consume("orders", "billing", 100)).hasSize(11);
            assertThat(mq.consume("orders", "billing", 100)).isEmpty();

            assertThat(registry.get("rocksmq.produce").tag("topic", "orders").timer().count()).isEqualTo(2);
            // buckets, so that a Prometheus server can compute p99 (histogram_quantile)
            CountAtBucket[] buckets = registry.get("rocksmq.produce").timer().takeSnapshot().histogramCounts();
            assertThat(buckets).hasSize(RocksMqMetrics.LATENCY_BUCKETS.length)
                    .allSatisfy(b -> assertThat(b.count()).isBetween(0.0, 2.0));
            assertThat(buckets[buckets.length - 1].count()).as("calls under 1 s").isEqualTo(2);
            assertThat(registry.get("rocksmq.consume").timer().takeSnapshot().histogramCounts())
                    .hasSize(RocksMqMetrics.LATENCY_BUCKETS.length);
            assertThat(registry.get("rocksmq.produce.messages").counter().count()).isEqualTo(15);
            assertThat(registry.get("rocksmq.produce.bytes").counter().count()).isEqualTo(75);
            assertThat(registry.get("rocksmq.consume").tags("topic", "orders", "group", "billing").timer().count())
                    .isEqualTo(3);
            assertThat(registry.get("rocksmq.consume.messages").counter().count()).isEqualTo(15);
            assertThat(registry.get("rocksmq.consume.bytes").counter().count()).isEqualTo(75);

            assertThat(gauge(registry, "rocksmq.topics")).isEqualTo(1);
            assertThat(gauge(registry, "rocksmq.recovery.lost.messages")).isZero();
            assertThat(gauge(registry, "rocksmq.topic.latest.id", "topic", "orders")).isEqualTo(ids[0] + 14);
            assertThat(gauge(registry, "rocksmq.topic.earliest.id", "topic", "orders")).isEqualTo(ids[0]);
            assertThat(gauge(registry, "rocksmq.topic.messages", "topic", "orders")).isEqualTo(15);
            assertThat(gauge(registry, "rocksmq.group.position", "topic", "orders", "group", "billing"))
                    .isEqualTo(ids[0] + 15);
            assertThat(gauge(registry, "rocksmq.group.lag", "topic", "orders", "group", "billing")).isZero();
            mq.seek("orders", "billing", ids[0] + 3);
            assertThat(gauge(registry, "rocksmq.group.lag", "topic", "orders", "group", "billing")).isEqualTo(12);
        }
    }

    @Test
    void expiredAndDeduplicatedMessagesAreGauges() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RocksMq mq = RocksMq.open(dir);
             RocksMqMetrics metrics = new RocksMqMetrics(mq, Duration.ZERO)) {
            mq.createTopic("orders");
            mq.createConsumerGroup("orders", "billing");
            metrics.bindTo(registry);
            io.rocksmq.core.ProducerMessage m = io.rocksmq.core.ProducerMessage.of(new byte[1]).withDeduplicationId("d");
            mq.produce("orders", List.of(m, m, m));
            mq.produce("orders", List.of(io.rocksmq.core.ProducerMessage.of(new byte[1])
                    .withExpiresAt(java.time.Instant.ofEpochMilli(1)), io.rocksmq.core.ProducerMessage.of(new byte[1])));
            assertThat(mq.consume("orders", "billing", 10)).hasSize(2);
            assertThat(gauge(registry, "rocksmq.topic.deduplicated", "topic", "orders")).isEqualTo(2);
            assertThat(gauge(registry, "rocksmq.group.expired", "topic", "orders", "group", "billing")).isEqualTo(1);
        }
    }

    @Test
    void sharedGroupsHaveTheirOwnGauges() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RocksMq mq = RocksMq.open(dir);
             RocksMqMetrics metrics = new RocksMqMetrics(mq, Duration.ZERO)) {
            metrics.bindTo(registry);
            mq.createTopic("jobs");
            mq.createConsumerGroup("jobs", "stream");
            mq.createSharedGroup("jobs", "w", SharedGroupOptions.DEFAULTS);
            mq.produce("jobs", batch(3, 2));
            SharedGroup w = mq.sharedGroup("jobs", "w");
            List<SharedGroup.Delivery> ds = w.acquire(3, Duration.ZERO);
            w.ack(ds.get(0));
            w.reject(ds.get(1));
            metrics.refresh();
            assertThat(gauge(registry, "rocksmq.shared.in.flight", "topic", "jobs", "group", "w")).isEqualTo(1);
            assertThat(gauge(registry, "rocksmq.shared.acquired", "topic", "jobs", "group", "w")).isEqualTo(3);
            assertThat(gauge(registry, "rocksmq.shared.acked", "topic", "jobs", "group", "w")).isEqualTo(1);
            assertThat(gauge(registry, "rocksmq.shared.rejected", "topic", "jobs", "group", "w")).isEqualTo(1);
            assertThat(registry.find("rocksmq.shared.in.flight").tags("group", "stream").gauge()).isNull();
            w.release(ds.get(2));
            assertThat(gauge(registry, "rocksmq.shared.available", "topic", "jobs", "group", "w")).isEqualTo(1);
            mq.destroyConsumerGroup("jobs", "w");
            metrics.refresh();
            assertThat(registry.find("rocksmq.shared.in.flight").gauges()).isEmpty();
        }
    }

    @Test
    void refreshFollowsTopicsAndGroupsAsTheyComeAndGo() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RocksMq mq = RocksMq.open(dir);
             RocksMqMetrics metrics = new RocksMqMetrics(mq, Duration.ZERO)) {
            metrics.bindTo(registry);
            assertThat(registry.find("rocksmq.topic.latest.id").gauges()).isEmpty();
            mq.createTopic("a");
            mq.createConsumerGroup("a", "g");
            mq.produce("a", batch(3, 2));
            assertThat(mq.consume("a", "g", 1)).hasSize(1);
            metrics.refresh();
            assertThat(gauge(registry, "rocksmq.topic.latest.id", "topic", "a")).isGreaterThanOrEqualTo(2);
            assertThat(gauge(registry, "rocksmq.group.lag", "topic", "a", "group", "g")).isEqualTo(2);
            assertThat(registry.find("rocksmq.consume").tags("group", "g").timer()).isNotNull();

            mq.destroyTopic("a");
            // Until the next refresh a gauge of a destroyed topic reads NaN rather than failing.
            assertThat(gauge(registry, "rocksmq.topic.latest.id", "topic", "a")).isNaN();
            metrics.refresh();
            assertThat(registry.find("rocksmq.topic.latest.id").gauges()).isEmpty();
            assertThat(registry.find("rocksmq.group.lag").gauges()).isEmpty();
            assertThat(registry.find("rocksmq.produce").timers()).isEmpty();
            assertThat(registry.find("rocksmq.consume").timers()).isEmpty();
        }
    }

    @Test
    void backgroundRefresherPicksUpNewTopics() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RocksMq mq = RocksMq.open(dir);
             RocksMqMetrics metrics = new RocksMqMetrics(mq, Duration.ofMillis(20))) {
            metrics.bindTo(registry);
            mq.createTopic("late");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (registry.find("rocksmq.topic.latest.id").tag("topic", "late").gauge() == null
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(gauge(registry, "rocksmq.topic.latest.id", "topic", "late")).isEqualTo(-1);
        }
    }

    @Test
    void engineGaugesReadRocksDbProperties() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RocksMq mq = RocksMq.open(dir);
             RocksMqMetrics metrics = new RocksMqMetrics(mq, Duration.ZERO)) {
            metrics.bindTo(registry);
            for (RocksMqMetrics.EngineGauge e : RocksMqMetrics.ENGINE_GAUGES) {
                assertThat(gauge(registry, e.name())).as(e.property()).isNotNaN().isGreaterThanOrEqualTo(0);
            }
        }
    }

    @Test
    void closeRemovesMetersAndListenerAndBindingTwiceIsRefused() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            RocksMqMetrics metrics = new RocksMqMetrics(mq, Duration.ZERO);
            metrics.bindTo(registry);
            assertThatThrownBy(() -> metrics.bindTo(new SimpleMeterRegistry()))
                    .isInstanceOf(IllegalStateException.class);
            mq.produce("t", batch(1, 1));
            assertThat(mq.listener()).isNotSameAs(QueueListener.NO_OP);
            metrics.close();
            metrics.close();
            assertThat(mq.listener()).isSameAs(QueueListener.NO_OP);
            assertThat(registry.getMeters()).extracting(Meter::getId).isEmpty();
            mq.produce("t", batch(1, 1));
            assertThat(registry.getMeters()).isEmpty();
        }
    }

    @Test
    void snapshotComputesRetainedMessagesAndLag() {
        assertThat(TopicSnapshot.retained(-1, -1)).isZero();
        assertThat(TopicSnapshot.retained(5, 9)).isEqualTo(5);
        assertThat(TopicSnapshot.lag(-1, -1, 0)).isZero();
        assertThat(TopicSnapshot.lag(5, 9, 5)).isEqualTo(5);
        assertThat(TopicSnapshot.lag(5, 9, 10)).isZero();
        // a position below the earliest retained id only counts what still exists
        assertThat(TopicSnapshot.lag(5, 9, 0)).isEqualTo(5);
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "b");
            mq.createConsumerGroup("t", "a");
            mq.produce("t", batch(4, 1));
            mq.consume("t", "b", 3);
            TopicSnapshot s = TopicSnapshot.of(mq, "t");
            assertThat(s.messages()).isEqualTo(4);
            assertThat(s.groups()).extracting(TopicSnapshot.GroupSnapshot::name).containsExactly("a", "b");
            assertThat(s.group("a").lag()).isEqualTo(4);
            assertThat(s.group("b").lag()).isEqualTo(1);
            assertThat(s.group("nope")).isNull();
            assertThat(TopicSnapshot.all(mq)).hasSize(1);
        }
    }

    @Test
    void aClientOnTheEmbeddedBackendGivesItsMetricsWithoutACast() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (MqClient client = MqClient.open(dir);
             RocksMqMetrics metrics = RocksMqMetrics.of(client)) {
            metrics.bindTo(registry);
            try (Producer p = client.createProducer("orders")) {
                p.send("one");
            }
            assertThat(registry.get("rocksmq.produce.messages").tag("topic", "orders").counter().count()).isEqualTo(1);
        }
    }
}
