package io.rocksmq.core;

import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.StorageException;
import io.rocksmq.api.TopicNotFoundException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

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
 *   <li>Disk stays bounded: retention ({@link RetentionPolicy}, {@link QueueAdmin#setRetention}) deletes consumed
 *       data by age and size and enforces hard caps on all data, reporting what groups missed
 *       ({@link QueueAdmin#skippedMessages}); deleted space is reclaimed promptly ({@link QueueAdmin#topicStats}).</li>
 * </ul>
 *
 * <p><b>Read-only</b> ({@link RocksMqConfig.Builder#readOnly}): every method that would change the queue
 * (create, destroy, produce, consume, seek, retention) throws {@link io.rocksmq.api.ReadOnlyQueueException}
 * before doing anything; nothing in the directory is written.
 *
 * <p><b>Follower</b> ({@link RocksMqConfig.Builder#follow}): read-only as well, for a queue another
 * process has open for writing; it sees the queue as it was at open, and {@link #refresh()} moves it
 * forward to what the writer has written since.
 *
 * <h2>Concurrency design</h2>
 * The queue, each topic and each group has a {@link Lifecycle} (state plus in-flight count in one
 * atomic word); every call enters the ones it touches and exits when done. The topic registry
 * ({@link TopicRegistry}) serialises topic creation and destruction under its lock; each topic's admin
 * lock serialises its groups' creation, destruction and registrations. None of those is taken on the
 * produce, consume or notify paths. The lock order is written once, in this package's
 * {@code package-info}.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class RocksMq implements AutoCloseable {
    private final QueueEngine engine;
    private final ListenerSlot listener = new ListenerSlot();
    private final SharedGroups sharedGroups;
    private final QueueAdmin admin;

    private RocksMq(QueueEngine engine) {
        this.engine = engine;
        engine.scheduler.listener(listener); // scheduled messages appearing are produces to the listener
        this.sharedGroups = new SharedGroups(engine);
        this.admin = new QueueAdmin(engine);
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
        return new RocksMq(QueueEngine.open(config));
    }

    /** The configuration this queue was opened with. */
    public RocksMqConfig config() {
        return engine.config;
    }

    /** Retention policies, message settings and what operators watch; see {@link QueueAdmin}. */
    public QueueAdmin admin() {
        return admin;
    }

    // ------------------------------------------------------------------ topics

    /**
     * Creates a topic; does nothing if it exists.
     *
     * @throws io.rocksmq.api.InvalidNameException if the name is not 1-255 printable characters
     */
    public void createTopic(String topic) {
        engine.store.requireWritable();
        Names.check("topic", topic);
        engine.run(() -> engine.registry.createTopic(topic, engine.retention::attach));
    }

    /**
     * Destroys a topic: its messages, groups, positions and metadata. Its registered consumers are
     * woken and get {@link AwaitResult#GROUP_DESTROYED}. Ids of a topic re-created later continue
     * above this one's. Waits for operations in flight on the topic to finish first.
     *
     * @throws TopicNotFoundException if there is no such topic
     */
    public void destroyTopic(String topic) {
        engine.store.requireWritable();
        Names.check("topic", topic);
        engine.run(() -> {
            engine.registry.destroyTopic(topic);
            engine.updateWatermark(); // else a crash soon after would report the destroyed topic as lost
        });
    }

    /** True if the topic exists. */
    public boolean topicExists(String topic) {
        Names.check("topic", topic);
        return engine.call(() -> engine.registry.topicExists(topic));
    }

    /** Names of all topics, sorted. */
    public List<String> topics() {
        return engine.call(engine.registry::topicNames);
    }

    // ------------------------------------------------------------------ consumer groups

    /**
     * Creates a consumer group positioned at the earliest retained message.
     *
     * @throws TopicNotFoundException       if there is no such topic
     * @throws ConsumerGroupExistsException if the group exists
     */
    public void createConsumerGroup(String topic, String group) {
        engine.store.requireWritable();
        Names.checkTopicAndGroup(topic, group);
        engine.inTopic(topic, t -> engine.registry.createGroup(t, group));
    }

    /**
     * Destroys a consumer group: refuses new operations on it, waits for those in flight (bounded by
     * one consume's read and write), deletes its position, removes it, and only then ends its
     * registrations with {@link AwaitResult#GROUP_DESTROYED}. Unknown group: does nothing.
     *
     * @throws TopicNotFoundException if there is no such topic
     */
    public void destroyConsumerGroup(String topic, String group) {
        engine.store.requireWritable();
        Names.checkTopicAndGroup(topic, group);
        engine.inTopic(topic, t -> engine.registry.destroyGroup(t, group));
    }

    /**
     * Creates a shared consumer group (a work queue, see {@link SharedGroup}) positioned at the earliest
     * retained message, with its options persisted.
     *
     * @throws TopicNotFoundException       if there is no such topic, or no such dead-letter topic
     * @throws ConsumerGroupExistsException if a group of that name exists (of either type)
     * @throws InvalidArgumentException     if options is null or names the group's own topic for dead letters
     */
    public void createSharedGroup(String topic, String group, SharedGroupOptions options) {
        engine.store.requireWritable();
        Names.checkTopicAndGroup(topic, group);
        if (options == null) {
            throw new InvalidArgumentException("options must not be null (use SharedGroupOptions.DEFAULTS)");
        }
        engine.inTopic(topic, t -> {
            sharedGroups.create(t, group, options);
            return null;
        });
    }

    /**
     * A handle on a shared group, for its workers; see {@link SharedGroup}.
     *
     * @throws ConsumerGroupNotFoundException if there is no such group
     * @throws io.rocksmq.api.WrongGroupTypeException if the group is a stream group
     */
    public SharedGroup sharedGroup(String topic, String group) {
        Names.checkTopicAndGroup(topic, group);
        return sharedGroups.handle(topic, group);
    }

    /** True if the group exists on the topic (false if the topic does not exist). */
    public boolean consumerGroupExists(String topic, String group) {
        Names.checkTopicAndGroup(topic, group);
        return engine.call(() -> engine.registry.groupExists(topic, group));
    }

    /**
     * Names of the topic's consumer groups, sorted.
     *
     * @throws TopicNotFoundException if there is no such topic
     */
    public List<String> consumerGroups(String topic) {
        Names.check("topic", topic);
        return engine.inTopic(topic, TopicRegistry::groupNames);
    }

    // ------------------------------------------------------------------ produce and consume

    /** Produces with the queue's default durability. See {@link #produce(String, List, Durability)}. */
    public long[] produce(String topic, List<ProducerMessage> messages) {
        return produce(topic, messages, engine.config.durability());
    }

    /**
     * Appends the messages as one atomic batch and wakes the topic's waiting consumers. If that takes
     * the topic over its {@code maxRetentionBytes} by more than half a write buffer (the background
     * retention worker has fallen behind), waits, after the write, until the worker has deleted down to
     * the cap: this is what bounds the disk whatever the produce rate.
     *
     * <p>A message with a {@linkplain ProducerMessage#deduplicationId() deduplication id} that was stored
     * within the topic's window ({@link MessageSettings}) is not stored again: its id in the answer is
     * the original's. Each message of a batch is deduplicated on its own; the rest is still one atomic
     * write.
     *
     * @return the id of each message, in order: consecutive for the messages stored by this call
     * @throws InvalidArgumentException if the list is null, empty or holds null, or a message is larger
     *                                  than {@link RocksMqConfig#maxMessageBytes()} (nothing is stored)
     * @throws TopicNotFoundException   if there is no such topic
     * @throws StorageException         if the write (or, for FSYNC, the fsync) failed; then, for WAL,
     *                                  nothing was written
     */
    public long[] produce(String topic, List<ProducerMessage> messages, Durability durability) {
        engine.store.requireWritable();
        Names.check("topic", topic);
        long startNanos = System.nanoTime();
        ProducePath.validate(messages, durability, engine.config, false);
        long[] ids = engine.call(() -> engine.producePath.produce(topic, messages, durability));
        listener.produced(topic, messages, startNanos);
        return ids;
    }

    /**
     * As {@link #produce(String, List, Durability)}, with deduplication ids given as a prefix and one
     * sequence per message instead of strings: message {@code i} with {@code sequences[i] >= 0} has the
     * id {@code prefix + ":" + sequences[i]} (the sequence in decimal), exactly as if the message carried
     * that string ({@link ProducerMessage#withDeduplicationId}): the same answers, the same stored
     * window; a negative sequence gives the message no id (or leaves it its own). The queue keeps
     * consecutive sequences of one prefix as runs, so a producer numbering its messages (the client
     * producer's automatic ids) costs no string per message, no parse and no per-message check.
     *
     * @throws InvalidArgumentException as {@link #produce(String, List, Durability)}, or if the prefix or
     *                                  sequences are null, there is not one sequence per message, a
     *                                  sequence is above 10^18 - 1, a message with a sequence has an id of
     *                                  its own, the prefix holds an unpaired surrogate, or an id
     *                                  would be longer than {@link ProducerMessage#MAX_DEDUPLICATION_ID_BYTES}
     *                                  UTF-8 bytes (nothing is stored)
     * @throws TopicNotFoundException   if there is no such topic
     * @throws StorageException         as {@link #produce(String, List, Durability)}
     */
    public long[] produceWithSequenceIds(String topic, List<ProducerMessage> messages, String prefix, long[] sequences,
                                         Durability durability) {
        engine.store.requireWritable();
        Names.check("topic", topic);
        long startNanos = System.nanoTime();
        ProducePath.validate(messages, durability, engine.config, false);
        long[] copy = sequences == null ? null : sequences.clone(); // checked and used: the caller's array may change
        ProducePath.validateSequenceIds(messages, prefix, copy);
        long[] ids = engine.call(() -> engine.producePath.produce(topic, messages, prefix, copy, durability));
        listener.produced(topic, messages, startNanos);
        return ids;
    }

    /**
     * Appends a batch of payload-only messages given in columns ({@link PayloadBlock}: the sizes and one
     * block of bytes) as one atomic batch, with the queue's default durability; see
     * {@link #producePayloads(String, PayloadBlock, Durability)}.
     */
    public long producePayloads(String topic, PayloadBlock block) {
        return producePayloads(topic, block, engine.config.durability());
    }

    /**
     * Stores what {@link #produce(String, List, Durability)} stores for the same payloads as messages
     * without properties, byte for byte, and behaves as it does (retention's backpressure, the fsync wait,
     * the listener told of the messages), but encodes the stored batch straight from the block: no
     * {@link ProducerMessage} and no payload array per message. For a server that receives batches in
     * this form ({@code rmq serve}).
     *
     * @return the id of the first message; the others have the next ids, in order
     * @throws InvalidArgumentException if the block is null or a payload is larger than
     *                                  {@link RocksMqConfig#maxMessageBytes()} (nothing is stored)
     * @throws TopicNotFoundException   if there is no such topic
     * @throws StorageException         as {@link #produce(String, List, Durability)}
     */
    public long producePayloads(String topic, PayloadBlock block, Durability durability) {
        engine.store.requireWritable();
        Names.check("topic", topic);
        long startNanos = System.nanoTime();
        ProducePath.validate(block, durability, engine.config);
        long first = engine.call(() -> engine.producePath.producePayloads(topic, block, durability));
        listener.producedPayloads(topic, block, startNanos);
        return first;
    }

    // ------------------------------------------------------------------ scheduled delivery

    /**
     * Stores messages that each carry a delivery time ({@link ProducerMessage#withDeliverAt},
     * {@link ProducerMessage#withDeliverAfter}) in the queue's schedule, as one atomic write; each appears
     * on the topic at its time (a time already past: at once), gets its message id then, and wakes
     * consumers like a produce. Durable as a produce of that durability; after a restart, messages that
     * fell due while the queue was closed appear right after open, in due-time order. A deduplication id
     * is checked when the message appears (a copy stored within the window then drops it); a time-to-live
     * counts from then. Destroying the topic drops its schedule. See {@link Scheduler}.
     *
     * @return a handle per message, for {@link #cancelScheduled}
     * @throws InvalidArgumentException if the list is null, empty or holds null, a message has no delivery
     *                                  time or is too large (nothing is stored)
     * @throws TopicNotFoundException   if there is no such topic
     */
    public List<ScheduleHandle> schedule(String topic, List<ProducerMessage> messages, Durability durability) {
        engine.store.requireWritable();
        Names.check("topic", topic);
        ProducePath.validate(messages, durability, engine.config, true);
        return engine.inTopic(topic, t -> engine.scheduler.schedule(t, messages, durability));
    }

    /** One scheduled message, with the queue's default durability; see {@link #schedule(String, List, Durability)}. */
    public ScheduleHandle schedule(String topic, ProducerMessage message) {
        return schedule(topic, java.util.Collections.singletonList(message), engine.config.durability()).get(0);
    }

    /**
     * Cancels a scheduled message that has not appeared yet. Against its move to the topic, exactly one
     * wins: either this returns and the message never appears, or it throws and the message appeared once.
     *
     * @throws io.rocksmq.api.ScheduleNotFoundException if it is not waiting (delivered, cancelled before,
     *                                                   dropped with its topic)
     * @throws TopicNotFoundException                    if the handle's topic does not exist
     */
    public void cancelScheduled(ScheduleHandle handle) {
        engine.store.requireWritable();
        if (handle == null) {
            throw new InvalidArgumentException("handle must not be null");
        }
        Names.check("topic", handle.topic());
        engine.inTopic(handle.topic(), t -> {
            engine.scheduler.cancel(t, handle);
            return null;
        });
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
        engine.store.requireWritable();
        Names.checkTopicAndGroup(topic, group);
        if (max <= 0) {
            throw new InvalidArgumentException("max must be positive, was " + max);
        }
        long startNanos = System.nanoTime();
        List<ConsumerMessage> got = engine.inGroup(topic, group, (t, g) -> g.consume(engine.store, t, max,
                config().clock().millis(), config().positionCommitIntervalMillis()));
        listener.consumed(topic, group, got, startNanos);
        return got;
    }

    /**
     * Reads up to {@code max} messages with id {@code >= fromId} without any consumer group (nothing
     * is advanced or persisted). Ids below the earliest retained message start at the earliest. Expired
     * messages are left out, as {@link #consume} leaves them out.
     * On a follower the messages returned have no gap and start at {@code fromId} (or the earliest): a
     * message its view lacks for now ends the read, and a later {@link #refresh()} brings it.
     */
    public List<ConsumerMessage> read(String topic, long fromId, int max) {
        return read(topic, fromId, max, null);
    }

    /**
     * As {@link #read(String, long, int)}, and adds the ids of the expired messages it skipped to
     * {@code skipped} (if not null), for a reader that moves a group by its own commits: it hands them
     * back to {@link #commitPosition} so that the group counts them when its position moves past them.
     * {@code skipped} is the caller's, used under its lock.
     */
    public List<ConsumerMessage> read(String topic, long fromId, int max, ExpiredIds skipped) {
        Names.check("topic", topic);
        if (max <= 0) {
            throw new InvalidArgumentException("max must be positive, was " + max);
        }
        // A follower's view may lack messages for a while: its reads stop before a gap rather than skip it.
        boolean follower = engine.config.follow();
        return engine.inTopic(topic, t -> ExpiringRead.read(f -> {
            MessageList read = MessageReader.read(engine.store, t, f, max);
            return follower ? FollowerRefresh.contiguous(read, Math.max(f, t.space().cutId())) : read;
        }, Math.max(fromId, 0), t.latestId(), config().clock().millis(), t.defaultTtlMillis(), skipped).messages());
    }

    // ------------------------------------------------------------------ positions

    /**
     * Moves the group so that the next consume starts at the first retained message with id
     * {@code >= id}. Backwards is allowed. An id past the latest message moves the group to just after
     * it, as {@link #seekToLatest} does (the group then gets only messages produced later; it does not
     * skip ids that do not exist yet). Wakes the group's registered consumers.
     */
    public void seek(String topic, String group, long id) {
        moveGroupToId(topic, group, id, null);
    }

    /**
     * A commit by a reader that reads without the group ({@link #read(String, long, int, ExpiredIds)})
     * and moves it by what its application acknowledged: moves the group as {@link #seek} does, and in
     * the same step (under the group's position lock) adds to its {@link QueueAdmin#expiredMessages
     * expired count} the ids of {@code passed} that the move takes the position past. Ids the position
     * was already past (retention, a seek or another consumer moved it, and counted them if anyone had
     * to) add nothing. The caller then drops from {@code passed} the ids below {@code id}.
     */
    public void commitPosition(String topic, String group, long id, ExpiredIds passed) {
        moveGroupToId(topic, group, id, passed);
    }

    /** {@link #seek} and {@link #commitPosition}: {@code passed} null for a seek (it counts nothing). */
    private void moveGroupToId(String topic, String group, long id, ExpiredIds passed) {
        engine.store.requireWritable();
        Names.checkTopicAndGroup(topic, group);
        if (id < 0) {
            throw new InvalidArgumentException("message id must be >= 0, was " + id);
        }
        moveGroupPosition(topic, group,
                t -> t.clampPosition(id, () -> MessageReader.lastStoredId(engine.store, t.id()) + 1), passed);
    }

    /** Moves the group past every message committed so far: the next consume returns only later ones. */
    public void seekToLatest(String topic, String group) {
        engine.store.requireWritable();
        Names.checkTopicAndGroup(topic, group);
        moveGroupPosition(topic, group, Topic::nextIdAfterCommitted, null);
    }

    /** Moves the group to the first message published at or after {@code epochMillis}. */
    public void seekToTimestamp(String topic, String group, long epochMillis) {
        engine.store.requireWritable();
        Names.checkTopicAndGroup(topic, group);
        moveGroupPosition(topic, group, t -> MessageReader.firstIdAtOrAfter(engine.store, t, epochMillis), null);
    }

    /**
     * The id of the first message published at or after {@code epochMillis}, or the id the next
     * message will get if there is none.
     */
    public long messageIdAtOrAfter(String topic, long epochMillis) {
        Names.check("topic", topic);
        return engine.inTopic(topic, t -> MessageReader.firstIdAtOrAfter(engine.store, t, epochMillis));
    }

    /** Id of the newest message, or -1 when the topic has never had one. */
    public long latestMessageId(String topic) {
        Names.check("topic", topic);
        return engine.inTopic(topic, Topic::latestId);
    }

    /** Id of the oldest retained message, or -1 when the topic holds none. */
    public long earliestMessageId(String topic) {
        Names.check("topic", topic);
        return engine.inTopic(topic, t -> MessageReader.earliestId(engine.store, t));
    }

    /** The group's position: the id the next consume starts from (at or after). */
    public long position(String topic, String group) {
        Names.checkTopicAndGroup(topic, group);
        return engine.inGroup(topic, group, (t, g) -> g.position());
    }

    // ------------------------------------------------------------------ wake-up

    /**
     * Registers a consumer of the group for wake-ups; see {@link ConsumerRegistration} for the loop.
     *
     * @throws ConsumerGroupNotFoundException if there is no such group
     */
    public ConsumerRegistration registerConsumer(String topic, String group) {
        Names.checkTopicAndGroup(topic, group);
        return engine.inTopic(topic, t -> TopicRegistry.register(t, group));
    }

    /**
     * Wakes the group's registered consumers (Milvus RocksMQ's {@code Notify}; named so as not to
     * overload {@link Object#notify()}). Unknown or destroyed group or topic: does nothing (a
     * notification that loses the race with destruction is a harmless no-op).
     */
    public void notifyGroup(String topic, String group) {
        Names.checkTopicAndGroup(topic, group);
        engine.run(() -> engine.registry.signalGroupIfExists(topic, group));
    }

    // ------------------------------------------------------------------ observability

    /**
     * Installs the listener told of every produce and consume (replacing the previous one); pass
     * {@link QueueListener#NO_OP} to remove it. A listener's failure is logged, never thrown.
     *
     * @throws InvalidArgumentException if {@code listener} is null
     */
    public void listener(QueueListener listener) {
        this.listener.set(listener);
    }

    /** The installed listener ({@link QueueListener#NO_OP} when none). */
    public QueueListener listener() {
        return listener.get();
    }

    // ------------------------------------------------------------------ per-group counts and follower

    /**
     * A follower ({@link RocksMqConfig#follow()}): catches up with what the process writing the queue has
     * written so far (RocksDB's {@code tryCatchUpWithPrimary}: the writer's MANIFEST and write-ahead log,
     * so unflushed produces are included) and reloads topics, latest ids, group positions and retention
     * state from it, as an open would. Afterwards calls see what the writer had committed when the refresh
     * started, except, rarely, the last writes before one of the writer's memtable flushes, which a catch-up
     * racing with that flush can miss; the next refresh shows them (readers go by ids, so nothing is
     * skipped). Calls concurrent with a refresh see the view before or after it. Costs a
     * read of the queue's metadata (one seek per topic plus its few metadata records); registrations are
     * not woken by the writer's produces (poll with this). Refreshes run one at a time.
     *
     * <p>Does nothing on a queue that is not a follower: its view is always current.
     *
     * @throws io.rocksmq.api.StorageException if catching up failed (the view stays as it was)
     */
    public void refresh() {
        engine.refresh();
    }

    /**
     * Like {@link QueueAdmin#skippedMessages} but counts only since the last call of this method, and resets that
     * count (persisted): a consumer calls it after each {@code consume} to learn whether it missed
     * messages since it last asked.
     */
    public long takeSkippedMessages(String topic, String group) {
        engine.store.requireWritable();
        Names.checkTopicAndGroup(topic, group);
        return engine.inGroup(topic, group, engine.retention::takeSkipped);
    }

    /** Waits until every compaction queued by retention or destroyTopic so far has run (tests, tools). */
    void awaitSpaceReclaimed() {
        engine.reclaimer.awaitIdle();
    }

    /** Sets the group's position to {@code target}'s answer (under its position lock), persisted, and wakes its consumers. */
    private void moveGroupPosition(String topic, String group, ToLongFunction<Topic> target, ExpiredIds passed) {
        engine.inGroup(topic, group, (t, g) -> {
            g.requireStream(t);
            g.moveTo(engine.store, () -> target.applyAsLong(t), passed);
            return null;
        });
    }

    // ------------------------------------------------------------------ lifecycle

    /** True until {@link #close()} starts. */
    public boolean isOpen() {
        return engine.isOpen();
    }

    /**
     * Closes the queue: refuses new calls, lets calls in flight finish, stops background work, ends
     * every registration with {@link AwaitResult#QUEUE_CLOSED}, then closes RocksDB. Idempotent;
     * concurrent callers return once the queue is closed.
     */
    @Override
    public void close() {
        engine.close();
    }

    // ------------------------------------------------------------------ internals

    /** Number of WAL fsyncs so far (group-commit ratio = FSYNC produces / this). */
    long walSyncCount() {
        return engine.store.syncCount();
    }

    /** A read-only live view of the topics, for tests and diagnostics in this package. */
    Map<String, Topic> topicsForTest() {
        return engine.registry.view();
    }

    /** The scheduler, for tests that move a clock or install a broken cancel. */
    Scheduler schedulerForTest() {
        return engine.scheduler;
    }

    /** The retention pass, for tests that act between its plan and its cut. */
    RetentionPass retentionPassForTest() {
        return engine.retention.passForTest();
    }

    /** The shared groups, for tests that install broken variants of their state. */
    SharedGroups sharedGroupsForTest() {
        return sharedGroups;
    }

    /** The underlying engine.store, for diagnostics that compare the queue with raw reads on the same data. */
    RocksStore store() {
        return engine.store;
    }
}
