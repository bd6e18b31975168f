package io.rocksmq.kafka;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.SharedSubscription;
import io.rocksmq.api.StorageException;
import io.rocksmq.api.WrongGroupTypeException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SHARED subscriptions as Kafka share groups (KIP-932). A share group's settings and state cover every
 * topic it reads, while a subscription belongs to one topic, so subscription {@code s} of topic {@code t} is
 * the share group {@code s@t} ({@link #groupId}; {@code @} cannot appear in a Kafka topic name). Its settings
 * are Kafka group configs, set when the subscription is created; an EXCLUSIVE subscription is a consumer
 * group named {@code s} with offsets on {@code t}, so the two types are told apart by which of these exists
 * (a share group no consumer joined yet shows by its configs).
 *
 * <table>
 * <caption>How a {@link SharedSubscription} maps to a share group</caption>
 * <tr><th>setting</th><th>Kafka</th></tr>
 * <tr><td>lockDuration</td><td>{@code share.record.lock.duration.ms} (the broker bounds it:
 *     {@code group.share.min/max.record.lock.duration.ms}, 15 s to 60 s by default)</td></tr>
 * <tr><td>maxDeliveries</td><td>{@code share.delivery.count.limit} (2 to 10 by default); UNLIMITED is
 *     refused</td></tr>
 * <tr><td>maxInFlight</td><td>{@code share.partition.max.record.locks} (per partition; 100 to 4,000 by
 *     default)</td></tr>
 * <tr><td>redeliveryDelays</td><td>none: Kafka redelivers a released record at once; non-empty is refused</td></tr>
 * <tr><td>deadLetterTopic</td><td>the consumer's own setting, not stored with the group: the consumer produces
 *     the dead letter, then rejects the record</td></tr>
 * <tr><td>start</td><td>{@code share.auto.offset.reset=earliest}, as the embedded backend's shared groups</td></tr>
 * </table>
 *
 * <p>Thread-safe: stateless apart from the admin client, which is thread-safe.
 */
final class KafkaShareGroups {
    static final String LOCK_DURATION = "share.record.lock.duration.ms";
    static final String DELIVERY_COUNT_LIMIT = "share.delivery.count.limit";
    static final String MAX_RECORD_LOCKS = "share.partition.max.record.locks";
    static final String AUTO_OFFSET_RESET = "share.auto.offset.reset";

    private final KafkaAdminOps ops;
    private final Admin admin;
    private final long timeoutMs;

    KafkaShareGroups(KafkaAdminOps ops, KafkaOptions options) {
        this.ops = ops;
        this.admin = ops.admin();
        this.timeoutMs = options.requestTimeout().toMillis();
    }

    /** The share group of SHARED subscription {@code subscription} of {@code topic}. */
    static String groupId(String topic, String subscription) {
        return subscription + "@" + topic;
    }

    /** Refuses what a share group cannot hold, before anything is changed. */
    static void validate(SharedSubscription s) {
        if (s.maxDeliveries() == SharedSubscription.UNLIMITED) {
            throw new InvalidArgumentException("a Kafka share group cannot deliver without limit "
                    + "(share.delivery.count.limit); give maxDeliveries a value");
        }
        if (!s.redeliveryDelays().isEmpty()) {
            throw new InvalidArgumentException("Kafka share groups redeliver a released record at once; "
                    + "redeliveryDelays must be empty on the Kafka backend");
        }
    }

    /** Whether {@code subscription} of {@code topic} is a SHARED one: its share group exists or is configured. */
    boolean isShared(String topic, String subscription) {
        String group = groupId(topic, subscription);
        Optional<GroupListing> listed = listing(group, topic);
        if (listed.isPresent() && listed.get().type().map(t -> t == GroupType.SHARE).orElse(false)) {
            return true;
        }
        return configs(group, topic).get(AUTO_OFFSET_RESET) != null;
    }

    /** Whether {@code subscription} of {@code topic} is an EXCLUSIVE one: its consumer group has offsets there. */
    private boolean isExclusive(String topic, String subscription) {
        boolean consumerGroup = listing(subscription, topic).flatMap(GroupListing::type)
                .map(t -> t == GroupType.CLASSIC || t == GroupType.CONSUMER).orElse(false);
        return consumerGroup && !ops.committed(subscription, ops.require(topic).topicPartitions()).isEmpty();
    }

    /**
     * Creates the share group's settings unless it is a share group already, and answers the delivery limit
     * it has (the client dead-letters the last allowed delivery itself when it is released).
     *
     * @throws WrongGroupTypeException  if the subscription is an EXCLUSIVE one
     * @throws InvalidArgumentException if Kafka refuses a setting (outside the broker's bounds)
     */
    int ensure(String topic, String subscription, SharedSubscription s) {
        if (isExclusive(topic, subscription)) {
            throw new WrongGroupTypeException(topic, subscription, false);
        }
        String group = groupId(topic, subscription);
        Map<String, String> existing = configs(group, topic);
        if (existing.get(AUTO_OFFSET_RESET) != null) {
            String limit = existing.get(DELIVERY_COUNT_LIMIT);
            return limit == null ? s.maxDeliveries() : Integer.parseInt(limit);
        }
        List<AlterConfigOp> ops = new ArrayList<>();
        ops.add(set(AUTO_OFFSET_RESET, "earliest"));
        ops.add(set(LOCK_DURATION, Long.toString(s.lockDuration().toMillis())));
        ops.add(set(DELIVERY_COUNT_LIMIT, Integer.toString(s.maxDeliveries())));
        ops.add(set(MAX_RECORD_LOCKS, Integer.toString(s.maxInFlight())));
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        try {
            KafkaErrors.get(admin.incrementalAlterConfigs(Map.of(resource, ops)).all(), timeoutMs,
                    "configure share group '" + group + "'", topic);
        } catch (StorageException e) {
            if (e.getCause() instanceof InvalidConfigurationException || e.getCause() instanceof InvalidRequestException) {
                InvalidArgumentException bad = new InvalidArgumentException("Kafka refused the settings of shared "
                        + "subscription '" + subscription + "' (share group '" + group + "'): " + e.getCause().getMessage());
                bad.initCause(e.getCause());
                throw bad;
            }
            throw e;
        }
        return s.maxDeliveries();
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    private Optional<GroupListing> listing(String group, String topic) {
        Collection<GroupListing> groups = KafkaErrors.get(admin.listGroups(new ListGroupsOptions()).all(),
                timeoutMs, "list groups", topic);
        return groups.stream().filter(g -> g.groupId().equals(group)).findFirst();
    }

    /** The group configs set on {@code group} (not the broker defaults). */
    private Map<String, String> configs(String group, String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        Config config = KafkaErrors.get(admin.describeConfigs(List.of(resource)).all(), timeoutMs,
                "describe the configs of group '" + group + "'", topic).get(resource);
        java.util.HashMap<String, String> out = new java.util.HashMap<>();
        if (config != null) {
            for (ConfigEntry e : config.entries()) {
                if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG && e.value() != null) {
                    out.put(e.name(), e.value());
                }
            }
        }
        return out;
    }
}
