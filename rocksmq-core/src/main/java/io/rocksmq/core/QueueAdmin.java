package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.TopicNotFoundException;

import java.util.List;

/**
 * The administration of an open queue, from {@link RocksMq#admin()}: per-topic retention policies and
 * message settings, retention passes on demand, and what operators watch (space and retention metrics,
 * what recovery found at open, RocksDB's own properties). The calls an application makes on every
 * message (produce, consume, seek, wait) stay on {@link RocksMq}; this is what a deployment or an
 * operator changes now and then, as Kafka keeps its {@code Admin} apart from producers and consumers.
 *
 * <pre>{@code
 * mq.admin().setRetention("orders", RetentionPolicy.INHERIT_ALL.withRetentionTime(Duration.ofDays(7)));
 * TopicStats stats = mq.admin().topicStats("orders");
 * }</pre>
 *
 * <p>Every call enters the queue's and the topic's lifecycles as {@link RocksMq}'s own calls do, so it
 * fails with {@link io.rocksmq.api.QueueClosedException} once the queue is closed and with
 * {@link TopicNotFoundException} for a topic destroyed meanwhile. A read-only queue or a follower
 * refuses the setters and {@link #runRetention()} with {@link io.rocksmq.api.ReadOnlyQueueException}.
 *
 * <p>Thread-safe: one instance per queue, holding only the queue's engine; call it from any thread.
 */
public final class QueueAdmin {
    private final QueueEngine engine;

    QueueAdmin(QueueEngine engine) {
        this.engine = engine;
    }

    // ------------------------------------------------------------------ retention and message settings

    /**
     * Sets a topic's retention override (persisted). Fields set to {@link RetentionPolicy#INHERIT}
     * follow the queue's defaults; {@link RetentionPolicy#INHERIT_ALL} removes the override. Takes
     * effect at the next retention pass (at once if the background worker runs).
     *
     * @throws TopicNotFoundException   if there is no such topic
     * @throws InvalidArgumentException if the policy is null
     */
    public void setRetention(String topic, RetentionPolicy override) {
        engine.store.requireWritable();
        Names.check("topic", topic);
        if (override == null) {
            throw new InvalidArgumentException("retention policy must not be null");
        }
        engine.inTopic(topic, t -> {
            engine.retention.setPolicy(t, override);
            return null;
        });
    }

    /**
     * Sets a topic's message settings (persisted): its deduplication window (for produces that start after
     * it returns) and its default time-to-live (for every read from then on, of old messages too).
     *
     * @throws TopicNotFoundException   if there is no such topic
     * @throws InvalidArgumentException if the settings are null
     */
    public void setMessageSettings(String topic, MessageSettings settings) {
        engine.store.requireWritable();
        Names.check("topic", topic);
        if (settings == null) {
            throw new InvalidArgumentException("message settings must not be null");
        }
        engine.inTopic(topic, t -> {
            MessageSettingsStore.set(engine.store, t, settings);
            return null;
        });
    }

    /** The topic's message settings ({@link MessageSettings#DEFAULT} unless set). */
    public MessageSettings messageSettings(String topic) {
        Names.check("topic", topic);
        return engine.inTopic(topic, MessageSettingsStore::current);
    }

    /** The topic's effective retention policy: its override resolved against the queue's defaults. */
    public RetentionPolicy retention(String topic) {
        Names.check("topic", topic);
        return engine.inTopic(topic, t -> t.space().effective());
    }

    /** The topic's stored override, {@link RetentionPolicy#INHERIT} where it follows the defaults. */
    public RetentionPolicy retentionOverride(String topic) {
        Names.check("topic", topic);
        return engine.inTopic(topic, t -> t.space().override());
    }

    /**
     * Runs one retention pass over every topic now, on the calling thread (one pass at a time: this
     * waits for a background pass in progress). Space is reclaimed afterwards in the background.
     *
     * @return the number of messages deleted
     */
    public long runRetention() {
        engine.store.requireWritable();
        return engine.call(engine.retention::runAll);
    }

    // ------------------------------------------------------------------ health and monitoring

    /**
     * What opening this queue found lost: acknowledged messages that are gone (a damaged or deleted
     * write-ahead log, a lost table file, an old backup restored), with topic and id range, and
     * RocksDB's own recovery diagnoses. Every finding is also logged at ERROR. See {@link RecoveryReport}.
     * A follower does not check (the writer acknowledges messages meanwhile): its report lists nothing.
     */
    public RecoveryReport recoveryReport() {
        return engine.recoveryReport();
    }

    /** How many metadata entries recovery repaired when this queue was opened (0 after a clean close). */
    public int recoveryRepairs() {
        return engine.recoveryRepairs;
    }

    /** Space and retention metrics of a topic; see {@link TopicStats}. */
    public TopicStats topicStats(String topic) {
        Names.check("topic", topic);
        return engine.inTopic(topic, engine.retention::stats);
    }

    /**
     * Reads a numeric RocksDB property, such as {@code rocksdb.estimate-pending-compaction-bytes},
     * {@code rocksdb.actual-delayed-write-rate} or {@code rocksdb.total-sst-files-size}. Properties kept
     * per column family are those of the {@code messages} column family, which holds every message (the
     * {@code meta} family is tiny); database-wide ones are the same whichever family is asked.
     * Read-only; for monitoring.
     *
     * @throws InvalidArgumentException if RocksDB does not know the property or it is not numeric
     */
    public long engineProperty(String property) {
        if (property == null || property.isEmpty()) {
            throw new InvalidArgumentException("property must not be null or empty");
        }
        return engine.call(() -> engine.store.longProperty(property));
    }

    // ------------------------------------------------------------------ per-group counts and the schedule

    /**
     * Messages a hard retention cap ({@code maxRetentionTime}/{@code maxRetentionBytes}) deleted before
     * the group read them, since the group was created. Such a deletion moves the group to the
     * earliest retained message and logs a warning; this is how a consumer can tell that it missed
     * data. Persisted.
     *
     * @throws ConsumerGroupNotFoundException if there is no such group
     */
    public long skippedMessages(String topic, String group) {
        Names.checkTopicAndGroup(topic, group);
        return engine.inGroup(topic, group, (t, g) -> g.skippedTotal());
    }

    /**
     * Expired messages the group skipped since the queue was opened (never delivered: see
     * {@link ProducerMessage#withTtl} and {@link MessageSettings#defaultTtl()}), whether its read skipped
     * them or retention deleted them before it read them.
     *
     * @throws ConsumerGroupNotFoundException if there is no such group
     */
    public long expiredMessages(String topic, String group) {
        Names.checkTopicAndGroup(topic, group);
        return engine.inGroup(topic, group, (t, g) -> g.expired());
    }

    /** Up to {@code max} of the topic's waiting scheduled messages, earliest due first. */
    public List<ScheduledMessage> scheduled(String topic, int max) {
        Names.check("topic", topic);
        if (max <= 0) {
            throw new InvalidArgumentException("max must be positive, was " + max);
        }
        return engine.inTopic(topic, t -> engine.scheduler.list(t, max));
    }

    /** How many scheduled messages wait for the topic (reads the topic's schedule index). */
    public long scheduledCount(String topic) {
        Names.check("topic", topic);
        return engine.inTopic(topic, engine.scheduler::count);
    }
}
