package io.rocksmq.core;

import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.api.WrongGroupTypeException;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * The shared consumer groups of a queue, as {@link RocksMq} delegates to them: creation, the records
 * they add to group and topic destruction and to recovery, and every {@link SharedGroup} operation
 * entered the way stream-group operations are (queue, topic, group lifecycles), run under the group's
 * position lock on its {@link SharedGroupState}.
 *
 * <p>Thread-safe: final references, and a volatile test seam ({@link #factory}).
 */
final class SharedGroups {
    private final QueueEngine engine;
    private final RocksMqConfig config;
    private final RocksStore store;
    private final TopicRegistry registry;
    private final ProducePath producePath;
    /** Makes the state of groups created from now on; tests install broken variants (recovery uses the real one). */
    private volatile SharedGroupState.Factory factory = SharedGroupState::new;

    SharedGroups(QueueEngine engine) {
        this.engine = engine;
        this.config = engine.config;
        this.store = engine.store;
        this.registry = engine.registry;
        this.producePath = engine.producePath;
    }

    /**
     * Creates a shared group positioned at the topic's start: its position and options in one batch.
     * The caller entered the queue and the topic.
     */
    void create(Topic t, String group, SharedGroupOptions options) {
        if (options.deadLetterTopic() != null) {
            if (options.deadLetterTopic().equals(t.name())) {
                throw new InvalidArgumentException("the dead-letter topic must differ from the group's topic '"
                        + t.name() + "'");
            }
            if (!registry.topicExists(options.deadLetterTopic())) {
                throw new TopicNotFoundException(options.deadLetterTopic());
            }
        }
        t.underAdminLock(() -> {
            if (t.group(group) != null) {
                throw new ConsumerGroupExistsException(t.name(), group);
            }
            byte[] key = StorageLayout.groupPositionKey(t.id(), group);
            long position = t.startId();
            try (WriteBatch batch = new WriteBatch()) {
                batch.put(store.meta(), key, StorageLayout.positionValue(position));
                batch.put(store.meta(), SharedLayout.sharedOptionsKey(t.id(), group), SharedLayout.sharedOptionsValue(options));
                store.write(batch);
            } catch (RocksDBException e) {
                throw RocksStore.storage("cannot create shared group '" + group + "'", e);
            }
            t.addGroup(new ConsumerGroup(group, key, position,
                    factory.create(options, t.id(), group, position, new long[2], Map.of())));
            return null;
        });
    }

    /** Adds the deletion of a group's shared records (if it is shared) to a group destruction's batch. */
    static void deleteGroup(WriteBatch batch, RocksStore store, Topic t, ConsumerGroup g) throws RocksDBException {
        if (g.shared() != null) {
            batch.delete(store.meta(), SharedLayout.sharedOptionsKey(t.id(), g.name()));
            batch.delete(store.meta(), SharedLayout.sharedCountersKey(t.id(), g.name()));
            batch.deleteRange(store.meta(), SharedLayout.sharedMessageKey(t.id(), g.name(), 0),
                    SharedLayout.sharedMessagesEnd(t.id(), g.name()));
        }
    }

    /** Adds the deletion of every shared record of a topic to a topic destruction's batch. */
    static void deleteTopic(WriteBatch batch, RocksStore store, long topicId) throws RocksDBException {
        batch.deleteRange(store.meta(), SharedLayout.sharedPrefix(topicId), SharedLayout.sharedPrefix(topicId + 1));
    }

    /** A handle on an existing shared group. */
    SharedGroup handle(String topic, String group) {
        call(topic, group, (s, op) -> null);
        return new SharedGroup(this, topic, group);
    }

    /** For tests: the state of groups created from now on. */
    void factory(SharedGroupState.Factory f) {
        factory = f;
    }

    RocksMqConfig config() {
        return config;
    }

    /** Registers for the group's wake-ups (produces to its topic, and its own signals). */
    ConsumerRegistration register(String topic, String group) {
        return engine.inTopic(topic, t -> TopicRegistry.register(t, group));
    }

    /**
     * Runs {@code f} on the group's state under its position lock, the queue, topic and group entered;
     * then, outside the lock, wakes the group's waiting acquirers if {@code wake} (something may have
     * become available, or room in flight).
     */
    <R> R call(String topic, String group, boolean wake, BiFunction<SharedGroupState, SharedGroupState.Op, R> f) {
        return call(topic, group, s -> wake, f);
    }

    /**
     * As {@link #call(String, String, boolean, BiFunction)}, waking the acquirers if {@code wakeIf}, asked
     * under the lock before {@code f} runs, says so (an ack wakes them only when the group was full: only
     * then did it make room for them).
     */
    <R> R call(String topic, String group, Predicate<SharedGroupState> wakeIf,
               BiFunction<SharedGroupState, SharedGroupState.Op, R> f) {
        return engine.inGroup(topic, group, (t, g) -> {
            SharedGroupState s = g.shared();
            if (s == null) {
                throw new WrongGroupTypeException(topic, group, false);
            }
            boolean[] wake = new boolean[1];
            R result = g.underPositionLock(() -> {
                wake[0] = wakeIf.test(s);
                return f.apply(s, new SharedGroupState.Op(store, t, g, config.clock().millis(),
                        producePath::produceDeadLetter));
            });
            if (wake[0]) {
                g.signal();
            }
            return result;
        });
    }

    <R> R call(String topic, String group, BiFunction<SharedGroupState, SharedGroupState.Op, R> f) {
        return call(topic, group, false, f);
    }

    /** Checks the queue is writable (every shared operation but stats writes or may write). */
    void requireWritable() {
        store.requireWritable();
    }

    /** The shared-group records found at open, collected by {@link Recovery} and turned into groups. */
    static final class Loaded {
        private final Map<Long, Map<String, SharedGroupOptions>> options = new HashMap<>();
        private final Map<Long, Map<String, long[]>> counters = new HashMap<>();
        private final Map<Long, Map<String, Map<Long, byte[]>>> messages = new HashMap<>();

        /** One record of the {@code 0x14} range. */
        void add(byte[] key, byte[] value) {
            long topicId = SharedLayout.sharedKeyTopic(key);
            switch (SharedLayout.sharedKeyType(key)) {
                case SharedLayout.SHARED_OPTIONS -> options.computeIfAbsent(topicId, k -> new HashMap<>())
                        .put(SharedLayout.sharedKeyGroup(key), SharedLayout.decodeSharedOptions(value));
                case SharedLayout.SHARED_COUNTERS -> counters.computeIfAbsent(topicId, k -> new HashMap<>())
                        .put(SharedLayout.sharedKeyGroup(key), SharedLayout.decodeSharedCounters(value));
                case SharedLayout.SHARED_MESSAGE -> messages.computeIfAbsent(topicId, k -> new HashMap<>())
                        .computeIfAbsent(SharedLayout.sharedMessageKeyGroup(key), k -> new HashMap<>())
                        .put(SharedLayout.sharedMessageKeyId(key), value);
                default -> {
                    // a record type of a later minor version: ignore
                }
            }
        }

        /** The group as stored: shared if it has an options record, else a stream group. */
        ConsumerGroup group(long topicId, String name, byte[] positionKey, long position) {
            SharedGroupOptions o = options.getOrDefault(topicId, Map.of()).get(name);
            if (o == null) {
                return new ConsumerGroup(name, positionKey, position);
            }
            long[] c = counters.getOrDefault(topicId, Map.of()).getOrDefault(name, new long[2]);
            Map<Long, byte[]> records = messages.getOrDefault(topicId, Map.of()).getOrDefault(name, Map.of());
            return new ConsumerGroup(name, positionKey, position,
                    new SharedGroupState(o, topicId, name, position, c, records));
        }
    }
}
