package io.rocksmq.kafka;

import io.rocksmq.api.MessageId;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.StorageException;
import io.rocksmq.api.SubscriptionInfo;
import io.rocksmq.api.TopicNotFoundException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * The cluster-level calls of the Kafka backend, on one shared {@link Admin}: topics, committed offsets of
 * subscriptions (consumer groups), partition offsets. Every call waits at most the request timeout and
 * maps failures with {@link KafkaErrors}.
 *
 * <p>Creating and deleting a topic wait until the cluster's metadata shows the change (Kafka applies it
 * asynchronously on the brokers), so that the client's next call sees it, as on the embedded backend.
 *
 * <p>Thread-safe: {@link Admin} is.
 */
final class KafkaAdminOps implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaAdminOps.class);
    /** Pause between looks at the metadata while a created or deleted topic propagates (normally milliseconds). */
    private static final long PROPAGATION_BACKOFF_MS = 20;

    /** A topic as the cluster describes it. */
    record TopicInfo(String name, Uuid id, int partitions) {
        List<TopicPartition> topicPartitions() {
            List<TopicPartition> out = new ArrayList<>(partitions);
            for (int p = 0; p < partitions; p++) {
                out.add(new TopicPartition(name, p));
            }
            return out;
        }
    }

    private final Admin admin;
    private final KafkaOptions options;
    private final long timeoutMs;

    KafkaAdminOps(Admin admin, KafkaOptions options) {
        this.admin = admin;
        this.options = options;
        this.timeoutMs = options.requestTimeout().toMillis();
    }

    Admin admin() {
        return admin;
    }

    /**
     * Fails with a {@link StorageException} naming the servers unless the cluster answers within the
     * connection timeout.
     */
    void checkReachable() {
        int ms = (int) options.connectionTimeout().toMillis();
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).clusterId().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RocksMqException("interrupted while connecting to Kafka at " + options.bootstrapServers(), e);
        } catch (ExecutionException e) {
            throw new StorageException("cannot reach the Kafka cluster at " + options.bootstrapServers()
                    + " within " + ms + " ms (connectionTimeout)", KafkaErrors.status(e.getCause()), e.getCause());
        }
    }

    /** The topic, or empty if it does not exist. */
    Optional<TopicInfo> describe(String topic) {
        try {
            TopicDescription d = KafkaErrors.get(admin.describeTopics(List.of(topic)).allTopicNames(), timeoutMs,
                    "describe topic '" + topic + "'", topic).get(topic);
            return Optional.of(new TopicInfo(topic, d.topicId(), d.partitions().size()));
        } catch (TopicNotFoundException e) {
            return Optional.empty();
        }
    }

    /** The topic, which must exist. */
    TopicInfo require(String topic) {
        return describe(topic).orElseThrow(() -> new TopicNotFoundException(topic));
    }

    /** Creates the topic with the configured defaults unless it exists; returns it once the metadata shows it. */
    TopicInfo ensureTopic(String topic) {
        Optional<TopicInfo> existing = describe(topic);
        if (existing.isPresent()) {
            return existing.get();
        }
        NewTopic t = new NewTopic(topic, Optional.of(options.partitions()), options.replicationFactor());
        Map<String, String> configs = new LinkedHashMap<>(options.topicConfigs());
        options.retentionMs().ifPresent(ms -> configs.put("retention.ms", Long.toString(ms)));
        options.retentionBytes().ifPresent(b -> configs.put("retention.bytes", Long.toString(b)));
        if (options.logAppendTime()) {
            configs.put("message.timestamp.type", "LogAppendTime");
        }
        t.configs(configs);
        try {
            KafkaErrors.get(admin.createTopics(List.of(t)).all(), timeoutMs, "create topic '" + topic + "'", topic);
        } catch (StorageException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            // Created meanwhile by someone else: fine, createTopic is idempotent.
        }
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            Optional<TopicInfo> created = describe(topic);
            if (created.isPresent()) {
                return created.get();
            }
            if (System.nanoTime() > deadline) {
                throw new StorageException("topic '" + topic + "' was created but did not appear in the cluster's"
                        + " metadata within " + timeoutMs + " ms", null, null);
            }
            pause();
        }
    }

    /**
     * Deletes the topic: first the committed offsets every consumer group holds for it (so a topic created
     * again under the name starts without subscriptions), then the topic, then waits until the metadata
     * no longer shows it.
     */
    void deleteTopic(TopicInfo topic) {
        List<TopicPartition> partitions = topic.topicPartitions();
        for (Map.Entry<String, Map<TopicPartition, Long>> e : groupOffsets(topic.name(), partitions).entrySet()) {
            deleteOffsetsQuietly(e.getKey(), e.getValue().keySet());
        }
        KafkaErrors.get(admin.deleteTopics(List.of(topic.name())).all(), timeoutMs,
                "delete topic '" + topic.name() + "'", topic.name());
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (describe(topic.name()).filter(t -> t.id().equals(topic.id())).isPresent()) {
            if (System.nanoTime() > deadline) {
                throw new StorageException("topic '" + topic.name() + "' was deleted but still appears in the"
                        + " cluster's metadata after " + timeoutMs + " ms", null, null);
            }
            pause();
        }
    }

    /** Names of the non-internal topics, sorted. */
    List<String> listTopics() {
        List<String> names = new ArrayList<>(KafkaErrors.get(admin.listTopics().names(), timeoutMs, "list topics", null));
        names.sort(null);
        return names;
    }

    /**
     * The committed offsets of every consumer group on these partitions of one topic; groups with none are
     * left out.
     */
    Map<String, Map<TopicPartition, Long>> groupOffsets(String topic, Collection<TopicPartition> partitions) {
        // Unfiltered, then filtered here: the broker-side type filter needs a recent broker.
        Collection<GroupListing> groups = KafkaErrors.get(admin.listGroups(new ListGroupsOptions()).all(),
                timeoutMs, "list consumer groups", topic);
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        for (GroupListing g : groups) {
            if (isConsumerGroup(g)) {
                specs.put(g.groupId(), new ListConsumerGroupOffsetsSpec().topicPartitions(partitions));
            }
        }
        if (specs.isEmpty()) {
            return Map.of();
        }
        ListConsumerGroupOffsetsResult result = admin.listConsumerGroupOffsets(specs);
        Map<String, Map<TopicPartition, Long>> out = new HashMap<>();
        for (String group : specs.keySet()) {
            Map<TopicPartition, OffsetAndMetadata> offsets;
            try {
                offsets = KafkaErrors.get(result.partitionsToOffsetAndMetadata(group), timeoutMs,
                        "read the committed offsets of group '" + group + "'", topic);
            } catch (StorageException e) {
                if (e.getCause() instanceof GroupIdNotFoundException) {
                    continue; // deleted since it was listed
                }
                throw e;
            }
            Map<TopicPartition, Long> committed = nonNull(offsets);
            if (!committed.isEmpty()) {
                out.put(group, committed);
            }
        }
        return out;
    }

    /** The committed offsets of one group on these partitions (only those it has). */
    Map<TopicPartition, Long> committed(String group, Collection<TopicPartition> partitions) {
        ListConsumerGroupOffsetsResult result = admin.listConsumerGroupOffsets(
                Map.of(group, new ListConsumerGroupOffsetsSpec().topicPartitions(partitions)));
        try {
            return nonNull(KafkaErrors.get(result.partitionsToOffsetAndMetadata(group), timeoutMs,
                    "read the committed offsets of group '" + group + "'", null));
        } catch (StorageException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw e;
        }
    }

    /** Subscriptions of the topic with their lag, sorted by name. */
    List<SubscriptionInfo> listSubscriptions(TopicInfo topic) {
        List<TopicPartition> partitions = topic.topicPartitions();
        Map<String, Map<TopicPartition, Long>> groups = groupOffsets(topic.name(), partitions);
        if (groups.isEmpty()) {
            return List.of();
        }
        Map<TopicPartition, Long> begin = offsets(partitions, OffsetSpec.earliest(), topic.name());
        Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest(), topic.name());
        List<SubscriptionInfo> out = new ArrayList<>(groups.size());
        for (Map.Entry<String, Map<TopicPartition, Long>> g : groups.entrySet()) {
            long lag = 0;
            for (TopicPartition tp : partitions) {
                long first = begin.getOrDefault(tp, 0L);
                // A partition without a committed offset is read from its start (auto.offset.reset=earliest).
                long position = Math.max(g.getValue().getOrDefault(tp, first), first);
                lag += Math.max(0, end.getOrDefault(tp, 0L) - position);
            }
            out.add(new SubscriptionInfo(topic.name(), g.getKey(), lag));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    /** Removes one group's committed offsets on these partitions; a group without any is left alone. */
    void deleteOffsets(String group, Set<TopicPartition> partitions, String topic) {
        Map<TopicPartition, Long> held = committed(group, partitions);
        if (held.isEmpty()) {
            return;
        }
        try {
            KafkaErrors.get(admin.deleteConsumerGroupOffsets(group, held.keySet()).all(), timeoutMs,
                    "delete the offsets of group '" + group + "' on topic '" + topic + "'", topic);
        } catch (StorageException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw e;
            }
        }
    }

    /** Partition offsets of one kind (earliest, latest, max timestamp). */
    Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, OffsetSpec spec, String topic) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (TopicPartition tp : partitions) {
            request.put(tp, spec);
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> infos = KafkaErrors.get(
                admin.listOffsets(request).all(), timeoutMs, "list offsets of topic '" + topic + "'", topic);
        Map<TopicPartition, Long> out = new HashMap<>();
        infos.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /**
     * The newest message of the topic: on one partition the last offset; across partitions the last
     * offset of the partition whose newest record has the latest timestamp (ties: the higher partition).
     */
    Optional<MessageId> latest(TopicInfo topic) {
        List<TopicPartition> partitions = topic.topicPartitions();
        Map<TopicPartition, Long> begin = offsets(partitions, OffsetSpec.earliest(), topic.name());
        Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest(), topic.name());
        List<TopicPartition> nonEmpty = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            if (end.getOrDefault(tp, 0L) > begin.getOrDefault(tp, 0L)) {
                nonEmpty.add(tp);
            }
        }
        if (nonEmpty.isEmpty()) {
            return Optional.empty();
        }
        TopicPartition newest = nonEmpty.get(0);
        if (nonEmpty.size() > 1) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            nonEmpty.forEach(tp -> request.put(tp, OffsetSpec.maxTimestamp()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> times = KafkaErrors.get(
                    admin.listOffsets(request).all(), timeoutMs, "list timestamps of topic '" + topic.name() + "'",
                    topic.name());
            long best = Long.MIN_VALUE;
            for (TopicPartition tp : nonEmpty) {
                long ts = times.get(tp).timestamp();
                if (ts >= best) {
                    best = ts;
                    newest = tp;
                }
            }
        }
        return Optional.of(MessageId.of(newest.partition(), end.get(newest) - 1));
    }

    @Override
    public void close() {
        admin.close(options.requestTimeout());
    }

    private void deleteOffsetsQuietly(String group, Set<TopicPartition> partitions) {
        try {
            KafkaErrors.get(admin.deleteConsumerGroupOffsets(group, partitions).all(), timeoutMs,
                    "delete the offsets of group '" + group + "'", null);
        } catch (StorageException e) {
            // Active members subscribed to the topic (a group managed by other Kafka clients), or the group
            // vanished: Kafka drops the offsets of a deleted topic itself, only not at once.
            if (!(e.getCause() instanceof GroupSubscribedToTopicException
                    || e.getCause() instanceof GroupIdNotFoundException)) {
                throw e;
            }
            LOG.debug("left the offsets of group '{}' to Kafka's own clean-up: {}", group, e.getMessage());
        }
    }

    /** Classic or consumer-protocol groups, with the consumer protocol type or none (offset-only groups). */
    private static boolean isConsumerGroup(GroupListing g) {
        boolean type = g.type().map(t -> t == GroupType.CLASSIC || t == GroupType.CONSUMER).orElse(true);
        String protocol = g.protocol();
        return type && (protocol == null || protocol.isEmpty() || protocol.equals("consumer"));
    }

    private static Map<TopicPartition, Long> nonNull(Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<TopicPartition, Long> out = new HashMap<>();
        offsets.forEach((tp, om) -> {
            if (om != null && om.offset() >= 0) {
                out.put(tp, om.offset());
            }
        });
        return out;
    }

    private static void pause() {
        try {
            Thread.sleep(PROPAGATION_BACKOFF_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RocksMqException("interrupted while waiting for a topic change to reach Kafka's metadata", e);
        }
    }
}
