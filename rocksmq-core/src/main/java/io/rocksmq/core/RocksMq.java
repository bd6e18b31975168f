package io.rocksmq.core;

import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.StorageException;
import io.rocksmq.api.TopicNotFoundException;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * An embedded, persistent message queue stored in RocksDB: topics, consumer groups with persisted
 * positions, produce/consume/seek, and consumers woken the moment messages arrive. This is the
 * broker-level API (Milvus RocksMQ's server interface in Java form); applications usually prefer the
 * client API built on it.
 *
 * <pre>{@code
 * try (RocksMq mq = RocksMq.open(Path.of("data"))) {
 *     mq.createTopic("orders");
 *     mq.createConsumerGroup("orders", "billing");
 *     long[] ids = mq.produce("orders", List.of(ProducerMessage.of("hello".getBytes())));
 *     List<ConsumerMessage> got = mq.consume("orders", "billing", 100);
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Message ids are strictly increasing per topic and never reused: not after restart, not after
 *       destroying and re-creating the topic. A produce is one atomic write (messages and id counter).</li>
 *   <li>Each message is returned once per consumer group, in id order, even to concurrent consumers.
 *       Positions are persisted with the data and survive restart.</li>
 *   <li>Produce to one topic never waits for another topic. Waking consumers takes no lock.</li>
 *   <li>Destroying a group or topic refuses new operations on it, waits for those in flight, removes
 *       it, and only then ends its registrations: nothing is signalled after removal, nothing crashes.</li>
 *   <li>Disk stays bounded: retention ({@link RetentionPolicy}, {@link #setRetention}) deletes consumed
 *       data by age and size and enforces hard caps on all data, reporting what groups missed
 *       ({@link #skippedMessages}); deleted space is reclaimed promptly ({@link #topicStats}).</li>
 * </ul>
 *
 * <h2>Concurrency design</h2>
 * The queue, each topic and each group has a {@link Lifecycle} (state plus in-flight count in one
 * atomic word); every call enters the ones it touches and exits when done. {@link #adminLock} (queue)
 * serialises topic creation and destruction; each topic's admin lock serialises its groups' creation,
 * destruction and registrations. None of those is taken on the produce, consume or notify paths.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class RocksMq implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RocksMq.class);

    private final RocksMqConfig config;
    private final RocksStore store;
    private final Lifecycle lifecycle = new Lifecycle();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final ConcurrentHashMap<String, Topic> topics;
    /** Serialises topic create/destroy; guards {@link #nextTopicId} and {@link #messageIdFloor}. */
    private final ReentrantLock adminLock = new ReentrantLock();
    private long nextTopicId;
    private long messageIdFloor;
    private final SpaceReclaimer reclaimer;
    /** Metadata repairs the consistency check made when this instance opened. */
    private final int recoveryRepairs;
    /** Read on every produce and consume; never null ({@link QueueListener#NO_OP} by default). */
    private volatile QueueListener listener = QueueListener.NO_OP;
    private final Retention retention;

    private RocksMq(RocksMqConfig config, RocksStore store, Recovery.Result recovered) {
        this.config = config;
        this.store = store;
        this.topics = new ConcurrentHashMap<>(recovered.topics());
        this.nextTopicId = recovered.nextTopicId();
        this.messageIdFloor = recovered.messageIdFloor();
        this.recoveryRepairs = recovered.repairs();
        this.reclaimer = new SpaceReclaimer(store, SpaceReclaimer.tombstoneThreshold(config));
        this.retention = new Retention(config, store, reclaimer, topics, lifecycle);
    }

    /** Opens (or creates) the queue stored in {@code directory}, with default settings. */
    public static RocksMq open(Path directory) {
        return open(RocksMqConfig.builder(directory).build());
    }

    /**
     * Opens (or creates) a queue; recovers topics, groups, positions and id counters, checking them.
     *
     * @throws io.rocksmq.api.QueueAlreadyOpenException if the directory is open in this or another live process
     * @throws StorageException                         if the data cannot be read
     */
    public static RocksMq open(RocksMqConfig config) {
        if (config == null) {
            throw new InvalidArgumentException("config must not be null");
        }
        RocksStore store = RocksStore.open(config);
        try {
            Recovery.Result recovered = Recovery.load(store, config.clock().millis());
            if (recovered.repairs() > 0) {
                LOG.warn("opened {} with {} metadata repairs", store.directory(), recovered.repairs());
            }
            RocksMq mq = new RocksMq(config, store, recovered);
            mq.retention.start();
            return mq;
        } catch (RuntimeException e) {
            try {
                store.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The configuration this queue was opened with. */
    public RocksMqConfig config() {
        return config;
    }

    // ------------------------------------------------------------------ topics

    /**
     * Creates a topic; does nothing if it exists.
     *
     * @throws io.rocksmq.api.InvalidNameException if the name is not 1-255 printable characters
     */
    public void createTopic(String topic) {
        Names.check("topic", topic);
        enter();
        adminLock.lock();
        try {
            if (topics.containsKey(topic)) {
                return;
            }
            long topicId = nextTopicId;
            long now = config.clock().millis();
            StorageLayout.TopicRecord record = new StorageLayout.TopicRecord(topicId, messageIdFloor, now);
            try (WriteBatch batch = new WriteBatch()) {
                batch.put(store.meta(), StorageLayout.topicKey(topic), StorageLayout.topicValue(record));
                batch.put(store.meta(), StorageLayout.topicCounterKey(topicId),
                        StorageLayout.topicCounterValue(messageIdFloor, now, 0));
                batch.put(store.meta(), StorageLayout.globalKey(),
                        StorageLayout.globalValue(topicId + 1, messageIdFloor));
                store.write(batch);
            } catch (RocksDBException e) {
                throw RocksStore.storage("cannot create topic '" + topic + "'", e);
            }
            nextTopicId = topicId + 1;
            Topic created = new Topic(topic, topicId, messageIdFloor, messageIdFloor, now, 0, store.recentReadsBudget());
            retention.attach(created);
            topics.put(topic, created);
        } finally {
            adminLock.unlock();
            exit();
        }
    }

    /**
     * Destroys a topic: its messages, groups, positions and metadata. Its registered consumers are
     * woken and get {@link AwaitResult#GROUP_DESTROYED}. Ids of a topic re-created later continue
     * above this one's. Waits for operations in flight on the topic to finish first.
     *
     * @throws TopicNotFoundException if there is no such topic
     */
    public void destroyTopic(String topic) {
        Names.check("topic", topic);
        enter();
        adminLock.lock();
        try {
            Topic t = topics.get(topic);
            if (t == null || !t.lifecycle.beginClose()) {
                throw new TopicNotFoundException(topic);
            }
            t.lifecycle.awaitQuiescent();
            // No operation is in flight on the topic or any of its groups from here on.
            long newFloor = Math.max(messageIdFloor, t.nextIdAfterCommitted());
            try (WriteBatch batch = new WriteBatch()) {
                batch.deleteRange(store.messages(), StorageLayout.topicLowerBound(t.id()),
                        StorageLayout.topicUpperBound(t.id()));
                batch.deleteRange(store.meta(), StorageLayout.groupPositionPrefix(t.id()),
                        StorageLayout.groupPositionPrefix(t.id() + 1));
                batch.delete(store.meta(), StorageLayout.topicCounterKey(t.id()));
                Retention.deleteTopic(batch, store, t.id());
                batch.delete(store.meta(), StorageLayout.topicKey(topic));
                batch.put(store.meta(), StorageLayout.globalKey(), StorageLayout.globalValue(nextTopicId, newFloor));
                store.write(batch);
            } catch (RocksDBException | RuntimeException e) {
                // Nothing was deleted: reopen the topic for business rather than leave it half-dead.
                t.lifecycle.reopen();
                throw new StorageException("cannot destroy topic '" + topic + "'",
                        e instanceof RocksDBException r ? RocksStore.statusOf(r) : e.toString(), e);
            }
            messageIdFloor = newFloor;
            topics.remove(topic, t);
            t.adminLock.lock();
            try {
                for (ConsumerGroup g : t.groups.values()) {
                    g.lifecycle.beginClose();
                    endGroup(t, g, AwaitResult.GROUP_DESTROYED);
                }
                t.groups.clear();
            } finally {
                t.adminLock.unlock();
            }
            t.lifecycle.markClosed();
            t.recentReads().clear();
            reclaimer.reclaim(store.messages(), StorageLayout.topicLowerBound(t.id()),
                    StorageLayout.topicUpperBound(t.id()));
        } finally {
            adminLock.unlock();
            exit();
        }
    }

    /** True if the topic exists. */
    public boolean topicExists(String topic) {
        Names.check("topic", topic);
        enter();
        try {
            Topic t = topics.get(topic);
            return t != null && t.lifecycle.isActive();
        } finally {
            exit();
        }
    }

    /** Names of all topics, sorted. */
    public List<String> topics() {
        enter();
        try {
            List<String> names = new ArrayList<>();
            topics.forEach((name, t) -> {
                if (t.lifecycle.isActive()) {
                    names.add(name);
                }
            });
            names.sort(null);
            return names;
        } finally {
            exit();
        }
    }

    // ------------------------------------------------------------------ consumer groups

    /**
     * Creates a consumer group positioned at the earliest retained message.
     *
     * @throws TopicNotFoundException       if there is no such topic
     * @throws ConsumerGroupExistsException if the group exists
     */
    public void createConsumerGroup(String topic, String group) {
        Names.check("topic", topic);
        Names.check("consumer group", group);
        underTopicAdminLock(topic, t -> {
            if (t.groups.containsKey(group)) {
                throw new ConsumerGroupExistsException(topic, group);
            }
            byte[] key = StorageLayout.groupPositionKey(t.id(), group);
            long position = t.startId();
            store.putMeta(key, StorageLayout.positionValue(position));
            t.groups.put(group, new ConsumerGroup(group, key, position));
            return null;
        });
    }

    /**
     * Destroys a consumer group: refuses new operations on it, waits for those in flight (bounded by
     * one consume's read and write), deletes its position, removes it, and only then ends its
     * registrations with {@link AwaitResult#GROUP_DESTROYED}. Unknown group: does nothing.
     *
     * @throws TopicNotFoundException if there is no such topic
     */
    public void destroyConsumerGroup(String topic, String group) {
        Names.check("topic", topic);
        Names.check("consumer group", group);
        underTopicAdminLock(topic, t -> {
            ConsumerGroup g = t.groups.get(group);
            if (g == null || !g.lifecycle.beginClose()) {
                return null;
            }
            g.lifecycle.awaitQuiescent();
            try (WriteBatch batch = new WriteBatch()) {
                batch.delete(store.meta(), g.positionKey());
                Retention.deleteGroup(batch, store, t, g);
                store.write(batch);
            } catch (RocksDBException e) {
                // Nothing was deleted: reopen the group rather than leave it CLOSING in the map,
                // where it could be neither used, destroyed again, nor re-created.
                g.lifecycle.reopen();
                throw RocksStore.storage("cannot destroy consumer group '" + group + "'", e);
            }
            t.groups.remove(group, g);
            endGroup(t, g, AwaitResult.GROUP_DESTROYED);
            return null;
        });
    }

    /** True if the group exists on the topic (false if the topic does not exist). */
    public boolean consumerGroupExists(String topic, String group) {
        Names.check("topic", topic);
        Names.check("consumer group", group);
        enter();
        try {
            Topic t = topics.get(topic);
            if (t == null || !t.lifecycle.isActive()) {
                return false;
            }
            ConsumerGroup g = t.groups.get(group);
            return g != null && g.lifecycle.isActive();
        } finally {
            exit();
        }
    }

    /**
     * Names of the topic's consumer groups, sorted.
     *
     * @throws TopicNotFoundException if there is no such topic
     */
    public List<String> consumerGroups(String topic) {
        Names.check("topic", topic);
        enter();
        try {
            Topic t = enterTopic(topic);
            try {
                List<String> names = new ArrayList<>();
                t.groups.forEach((name, g) -> {
                    if (g.lifecycle.isActive()) {
                        names.add(name);
                    }
                });
                names.sort(null);
                return names;
            } finally {
                t.lifecycle.exit();
            }
        } finally {
            exit();
        }
    }

    // ------------------------------------------------------------------ produce and consume

    /** Produces with the queue's default durability. See {@link #produce(String, List, Durability)}. */
    public long[] produce(String topic, List<ProducerMessage> messages) {
        return produce(topic, messages, config.durability());
    }

    /**
     * Appends the messages as one atomic batch and wakes the topic's waiting consumers. If that takes
     * the topic over its {@code maxRetentionBytes} by more than half a write buffer (the background
     * retention worker has fallen behind), waits, after the write, until the worker has deleted down to
     * the cap: this is what bounds the disk whatever the produce rate.
     *
     * @return the ids given to the messages, in order (consecutive)
     * @throws InvalidArgumentException if the list is null, empty or holds null
     * @throws TopicNotFoundException   if there is no such topic
     * @throws StorageException         if the write (or, for FSYNC, the fsync) failed; then, for WAL,
     *                                  nothing was written
     */
    public long[] produce(String topic, List<ProducerMessage> messages, Durability durability) {
        Names.check("topic", topic);
        if (messages == null || messages.isEmpty()) {
            throw new InvalidArgumentException("messages must not be null or empty");
        }
        if (durability == null) {
            throw new InvalidArgumentException("durability must not be null");
        }
        long startNanos = System.nanoTime();
        int count = messages.size();
        for (int i = 0; i < count; i++) {
            ProducerMessage m = messages.get(i);
            if (m == null) {
                throw new InvalidArgumentException("message " + i + " is null");
            }
            StorageLayout.checkEncodable(m);
        }
        // Encode before taking the topic's lock: only id allocation and the write happen under it.
        List<int[]> ranges = StorageLayout.chunks(messages, config.maxBatchEntryBytes());
        byte[][] chunks = new byte[ranges.size()][];
        int[] chunkFirst = new int[ranges.size()];
        for (int c = 0; c < chunks.length; c++) {
            int[] r = ranges.get(c);
            chunks[c] = StorageLayout.encodeBatch(messages, r[0], r[1]);
            chunkFirst[c] = r[0];
        }
        enter();
        try {
            Topic t = enterTopic(topic);
            long[] first = new long[1];
            long ticket;
            boolean durable = durability == Durability.FSYNC;
            if (durable) {
                store.beginDurableWrite(); // a sync starting now waits for this write to join it
            }
            try {
                ticket = t.append(store, config.clock().millis(), chunks, chunkFirst, count, first);
                t.signal().signal();
            } finally {
                if (durable) {
                    store.endDurableWrite();
                }
                t.lifecycle.exit();
            }
            t.space().awaitRoom(t.lifecycle, lifecycle);
            if (durability == Durability.FSYNC) {
                store.awaitDurable(ticket);
            }
            long[] ids = new long[count];
            for (int i = 0; i < count; i++) {
                ids[i] = first[0] + i;
            }
            QueueListener l = listener;
            try {
                l.onProduce(topic, messages, System.nanoTime() - startNanos);
            } catch (RuntimeException e) {
                LOG.warn("queue listener failed on produce to '{}'", topic, e);
            }
            return ids;
        } finally {
            exit();
        }
    }

    /**
     * Returns up to {@code max} messages from the group's position, in id order, and advances the
     * position past them (persisted before returning). Never blocks; empty when nothing is available.
     * Concurrent callers on one group never get the same message.
     *
     * @throws InvalidArgumentException       if {@code max <= 0}
     * @throws TopicNotFoundException         if there is no such topic
     * @throws ConsumerGroupNotFoundException if there is no such group
     */
    public List<ConsumerMessage> consume(String topic, String group, int max) {
        Names.check("topic", topic);
        Names.check("consumer group", group);
        if (max <= 0) {
            throw new InvalidArgumentException("max must be positive, was " + max);
        }
        long startNanos = System.nanoTime();
        List<ConsumerMessage> got = onGroup(topic, group, (t, g) -> consumeLocked(t, g, max));
        QueueListener l = listener;
        try {
            l.onConsume(topic, group, got, System.nanoTime() - startNanos);
        } catch (RuntimeException e) {
            LOG.warn("queue listener failed on consume from '{}'", topic, e);
        }
        return got;
    }

    private List<ConsumerMessage> consumeLocked(Topic t, ConsumerGroup g, int max) {
        g.readLock.lock();
        try {
            long from = g.position();
            if (from > t.latestId()) {
                return List.of(); // nothing committed past the position: no need to touch storage
            }
            MessageList messages = MessageReader.read(store, t, from, max, g.cursor());
            if (!messages.isEmpty()) {
                long next = messages.id(messages.size() - 1) + 1;
                store.putMeta(g.positionKey(), StorageLayout.positionValue(next));
                g.position(next);
            }
            return messages;
        } finally {
            g.readLock.unlock();
        }
    }

    /**
     * Reads up to {@code max} messages with id {@code >= fromId} without any consumer group (nothing
     * is advanced or persisted). Ids below the earliest retained message start at the earliest.
     */
    public List<ConsumerMessage> read(String topic, long fromId, int max) {
        Names.check("topic", topic);
        if (max <= 0) {
            throw new InvalidArgumentException("max must be positive, was " + max);
        }
        enter();
        try {
            Topic t = enterTopic(topic);
            try {
                if (fromId > t.latestId()) {
                    return List.of();
                }
                return MessageReader.read(store, t, Math.max(fromId, 0), max);
            } finally {
                t.lifecycle.exit();
            }
        } finally {
            exit();
        }
    }

    // ------------------------------------------------------------------ positions

    /**
     * Moves the group so that the next consume starts at the first retained message with id
     * {@code >= id}. Backwards is allowed. Wakes the group's registered consumers.
     */
    public void seek(String topic, String group, long id) {
        Names.check("topic", topic);
        Names.check("consumer group", group);
        if (id < 0) {
            throw new InvalidArgumentException("message id must be >= 0, was " + id);
        }
        withGroup(topic, group, (t, g) -> id);
    }

    /** Moves the group past every message committed so far: the next consume returns only later ones. */
    public void seekToLatest(String topic, String group) {
        Names.check("topic", topic);
        Names.check("consumer group", group);
        withGroup(topic, group, (t, g) -> t.nextIdAfterCommitted());
    }

    /** Moves the group to the first message published at or after {@code epochMillis}. */
    public void seekToTimestamp(String topic, String group, long epochMillis) {
        Names.check("topic", topic);
        Names.check("consumer group", group);
        withGroup(topic, group, (t, g) -> MessageReader.firstIdAtOrAfter(store, t, epochMillis));
    }

    /**
     * The id of the first message published at or after {@code epochMillis}, or the id the next
     * message will get if there is none.
     */
    public long messageIdAtOrAfter(String topic, long epochMillis) {
        Names.check("topic", topic);
        return onTopic(topic, t -> MessageReader.firstIdAtOrAfter(store, t, epochMillis));
    }

    /** Id of the newest message, or -1 when the topic has never had one. */
    public long latestMessageId(String topic) {
        Names.check("topic", topic);
        return onTopic(topic, Topic::latestId);
    }

    /** Id of the oldest retained message, or -1 when the topic holds none. */
    public long earliestMessageId(String topic) {
        Names.check("topic", topic);
        return onTopic(topic, t -> MessageReader.earliestId(store, t));
    }

    /** The group's position: the id the next consume starts from (at or after). */
    public long position(String topic, String group) {
        Names.check("topic", topic);
        Names.check("consumer group", group);
        return onGroup(topic, group, (t, g) -> g.position());
    }

    // ------------------------------------------------------------------ wake-up

    /**
     * Registers a consumer of the group for wake-ups; see {@link ConsumerRegistration} for the loop.
     *
     * @throws ConsumerGroupNotFoundException if there is no such group
     */
    public ConsumerRegistration registerConsumer(String topic, String group) {
        Names.check("topic", topic);
        Names.check("consumer group", group);
        return underTopicAdminLock(topic, t -> {
            ConsumerGroup g = t.groups.get(group);
            if (g == null || !g.lifecycle.isActive()) {
                throw new ConsumerGroupNotFoundException(topic, group);
            }
            // Under the admin lock, so destruction (which also takes it) sees this registration.
            ConsumerRegistration r = new ConsumerRegistration(t, g);
            g.addRegistration(r);
            t.signal().add(r);
            return r;
        });
    }

    /**
     * Wakes the group's registered consumers. Unknown or destroyed group or topic: does nothing (a
     * notification that loses the race with destruction is a harmless no-op).
     */
    public void notify(String topic, String group) {
        Names.check("topic", topic);
        Names.check("consumer group", group);
        enter();
        try {
            Topic t = topics.get(topic);
            if (t == null || !t.lifecycle.tryEnter()) {
                return;
            }
            try {
                ConsumerGroup g = t.groups.get(group);
                if (g != null && g.lifecycle.tryEnter()) {
                    try {
                        g.signal();
                    } finally {
                        g.lifecycle.exit();
                    }
                }
            } finally {
                t.lifecycle.exit();
            }
        } finally {
            exit();
        }
    }

    // ------------------------------------------------------------------ observability

    /**
     * Installs the listener told of every produce and consume (replacing the previous one); pass
     * {@link QueueListener#NO_OP} to remove it.
     *
     * @throws InvalidArgumentException if {@code listener} is null
     */
    public void listener(QueueListener listener) {
        if (listener == null) {
            throw new InvalidArgumentException("listener must not be null (use QueueListener.NO_OP)");
        }
        this.listener = listener;
    }

    /** The installed listener ({@link QueueListener#NO_OP} when none). */
    public QueueListener listener() {
        return listener;
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
        enter();
        try {
            return store.longProperty(property);
        } finally {
            exit();
        }
    }

    // ------------------------------------------------------------------ retention

    /**
     * Sets a topic's retention override (persisted). Fields set to {@link RetentionPolicy#INHERIT}
     * follow the queue's defaults; {@link RetentionPolicy#INHERIT_ALL} removes the override. Takes
     * effect at the next retention pass (at once if the background worker runs).
     *
     * @throws TopicNotFoundException   if there is no such topic
     * @throws InvalidArgumentException if the policy is null
     */
    public void setRetention(String topic, RetentionPolicy override) {
        Names.check("topic", topic);
        if (override == null) {
            throw new InvalidArgumentException("retention policy must not be null");
        }
        onTopic(topic, t -> {
            retention.setPolicy(t, override);
            return 0;
        });
    }

    /** The topic's effective retention policy: its override resolved against the queue's defaults. */
    public RetentionPolicy retention(String topic) {
        Names.check("topic", topic);
        return onTopic(topic, t -> t.space().effective());
    }

    /** The topic's stored override, {@link RetentionPolicy#INHERIT} where it follows the defaults. */
    public RetentionPolicy retentionOverride(String topic) {
        Names.check("topic", topic);
        return onTopic(topic, t -> t.space().override());
    }

    /**
     * Runs one retention pass over every topic now, on the calling thread (one pass at a time: this
     * waits for a background pass in progress). Space is reclaimed afterwards in the background.
     *
     * @return the number of messages deleted
     */
    public long runRetention() {
        enter();
        try {
            return retention.runAll();
        } finally {
            exit();
        }
    }

    /** How many metadata entries recovery repaired when this queue was opened (0 after a clean close). */
    public int recoveryRepairs() {
        return recoveryRepairs;
    }

    /** Space and retention metrics of a topic; see {@link TopicStats}. */
    public TopicStats topicStats(String topic) {
        Names.check("topic", topic);
        return onTopic(topic, retention::stats);
    }

    /**
     * Messages a hard retention cap ({@code maxRetentionTime}/{@code maxRetentionBytes}) deleted before
     * the group read them, since the group was created. Such a deletion moves the group to the
     * earliest retained message and logs a warning; this is how a consumer can tell that it missed
     * data. Persisted.
     *
     * @throws ConsumerGroupNotFoundException if there is no such group
     */
    public long skippedMessages(String topic, String group) {
        Names.check("topic", topic);
        Names.check("consumer group", group);
        return onGroup(topic, group, (t, g) -> g.skippedTotal());
    }

    /**
     * Like {@link #skippedMessages} but counts only since the last call of this method, and resets that
     * count (persisted): a consumer calls it after each {@code consume} to learn whether it missed
     * messages since it last asked.
     */
    public long takeSkippedMessages(String topic, String group) {
        Names.check("topic", topic);
        Names.check("consumer group", group);
        return onGroup(topic, group, retention::takeSkipped);
    }

    /** Waits until every compaction queued by retention or destroyTopic so far has run (tests, tools). */
    void awaitSpaceReclaimed() {
        reclaimer.awaitIdle();
    }

    /** Runs {@code f} with the queue and the topic entered (so neither can close under it). */
    private <R> R onTopic(String topic, Function<Topic, R> f) {
        enter();
        try {
            Topic t = enterTopic(topic);
            try {
                return f.apply(t);
            } finally {
                t.lifecycle.exit();
            }
        } finally {
            exit();
        }
    }

    /** Runs {@code f} with the queue, the topic and the group entered. */
    private <R> R onGroup(String topic, String group, BiFunction<Topic, ConsumerGroup, R> f) {
        return onTopic(topic, t -> {
            ConsumerGroup g = enterGroup(t, group);
            try {
                return f.apply(t, g);
            } finally {
                g.lifecycle.exit();
            }
        });
    }

    /** Runs {@code f} with the topic entered and its admin lock held (group create/destroy/register). */
    private <R> R underTopicAdminLock(String topic, Function<Topic, R> f) {
        return onTopic(topic, t -> {
            t.adminLock.lock();
            try {
                return f.apply(t);
            } finally {
                t.adminLock.unlock();
            }
        });
    }

    // ------------------------------------------------------------------ lifecycle

    /** True until {@link #close()} starts. */
    public boolean isOpen() {
        return lifecycle.isActive();
    }

    /**
     * Closes the queue: refuses new calls, lets calls in flight finish, stops background work, ends
     * every registration with {@link AwaitResult#QUEUE_CLOSED}, then closes RocksDB. Idempotent;
     * concurrent callers return once the queue is closed.
     */
    @Override
    public void close() {
        if (!lifecycle.beginClose()) {
            awaitClosed();
            return;
        }
        try {
            lifecycle.awaitQuiescent();
            retention.close();
            reclaimer.close();
            for (Topic t : topics.values()) {
                t.adminLock.lock();
                try {
                    for (ConsumerGroup g : t.groups.values()) {
                        endGroup(t, g, AwaitResult.QUEUE_CLOSED);
                    }
                } finally {
                    t.adminLock.unlock();
                }
            }
            store.close();
        } finally {
            lifecycle.markClosed();
            closed.countDown();
        }
    }

    private void awaitClosed() {
        boolean interrupted = false;
        while (true) {
            try {
                closed.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ internals

    /** Under the topic's admin lock: detaches the group's registrations and ends them. */
    private static void endGroup(Topic t, ConsumerGroup g, AwaitResult why) {
        for (ConsumerRegistration r : g.takeRegistrations()) {
            t.signal().remove(r);
            r.end(why);
        }
        g.closeCursor();
        if (why == AwaitResult.GROUP_DESTROYED) {
            g.lifecycle.markClosed();
        }
    }

    private void enter() {
        if (!lifecycle.tryEnter()) {
            throw new QueueClosedException("queue is closed: " + store.directory());
        }
    }

    private void exit() {
        lifecycle.exit();
    }

    private Topic enterTopic(String name) {
        Topic t = topics.get(name);
        if (t == null || !t.lifecycle.tryEnter()) {
            throw new TopicNotFoundException(name);
        }
        return t;
    }

    private static ConsumerGroup enterGroup(Topic t, String name) {
        ConsumerGroup g = t.groups.get(name);
        if (g == null || !g.lifecycle.tryEnter()) {
            throw new ConsumerGroupNotFoundException(t.name(), name);
        }
        return g;
    }

    private interface PositionFunction {
        long target(Topic t, ConsumerGroup g);
    }

    /** Sets the group's position to {@code f}'s result, persisted, and wakes its consumers. */
    private void withGroup(String topic, String group, PositionFunction f) {
        onGroup(topic, group, (t, g) -> {
            g.readLock.lock();
            try {
                long target = f.target(t, g);
                store.putMeta(g.positionKey(), StorageLayout.positionValue(target));
                g.position(target);
            } finally {
                g.readLock.unlock();
            }
            g.signal();
            return null;
        });
    }

    /** Number of WAL fsyncs so far (group-commit ratio = FSYNC produces / this). */
    long walSyncCount() {
        return store.syncCount();
    }

    Map<String, Topic> topicsForTest() {
        return topics;
    }

    /** The underlying store, for diagnostics that compare the queue with raw reads on the same data. */
    RocksStore store() {
        return store;
    }
}
