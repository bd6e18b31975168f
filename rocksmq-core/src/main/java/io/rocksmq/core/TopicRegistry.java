package io.rocksmq.core;

import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.StorageException;
import io.rocksmq.api.TopicNotFoundException;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The queue's topics and their groups, and every metadata write that creates or destroys one: the
 * registry half of {@link RocksMq} (which validates arguments and enters the queue's lifecycle before
 * it calls in here).
 *
 * <h2>States and who changes them</h2>
 * {@link #topics} holds each topic's current incarnation; a topic is put in only once its records are
 * written and removed only once they are deleted and it is quiescent. {@link #nextTopicId} and
 * {@link #messageIdFloor} mirror the persisted global record. A topic's and a group's lifecycles are
 * moved to CLOSING and CLOSED only here ({@link #destroyTopic}, {@link #destroyGroup}).
 *
 * <h2>Locks</h2>
 * {@link #adminLock} serialises topic creation and destruction and guards {@link #nextTopicId},
 * {@link #messageIdFloor} and changes to {@link #topics} (reads of the map need no lock: a topic found
 * there may be closing, so callers enter its lifecycle). Group changes and registrations take the
 * topic's admin lock ({@link Topic#underAdminLock}). Order: this lock, then a topic's admin lock, then
 * a group's position lock (the lock order of the whole engine is in {@code package-info}). None is taken
 * on the produce, consume or notify paths.
 *
 * <p>Thread-safe.
 */
final class TopicRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(TopicRegistry.class);
    private final RocksStore store;
    private final RocksMqConfig config;
    private final SpaceReclaimer reclaimer;
    private final ConcurrentHashMap<String, Topic> topics;
    private final ReentrantLock adminLock = new ReentrantLock();
    /** Under {@link #adminLock}. */
    private long nextTopicId;
    /** Under {@link #adminLock}: every id of a topic created from now on is at least this. */
    private long messageIdFloor;

    TopicRegistry(RocksMqConfig config, RocksStore store, SpaceReclaimer reclaimer, Recovery.Result recovered) {
        this.config = config;
        this.store = store;
        this.reclaimer = reclaimer;
        this.topics = new ConcurrentHashMap<>(recovered.topics());
        this.nextTopicId = recovered.nextTopicId();
        this.messageIdFloor = recovered.messageIdFloor();
    }

    /** A read-only live view of the topics by name (some may be closing). */
    Map<String, Topic> view() {
        return Collections.unmodifiableMap(topics);
    }

    // ------------------------------------------------------------------ lookups

    /** The topic of that name, entered: the caller must exit its lifecycle. */
    Topic enterTopic(String name) {
        Topic t = topics.get(name);
        if (t == null || !t.lifecycle().tryEnter()) {
            throw new TopicNotFoundException(name);
        }
        return t;
    }

    /** The group of that name, entered: the caller must exit its lifecycle. */
    static ConsumerGroup enterGroup(Topic t, String name) {
        ConsumerGroup g = t.group(name);
        if (g == null || !g.lifecycle().tryEnter()) {
            throw new ConsumerGroupNotFoundException(t.name(), name);
        }
        return g;
    }

    /** Runs {@code f} with the topic entered (so it cannot be destroyed under it). */
    <R> R inTopic(String topic, Function<Topic, R> f) {
        Topic t = enterTopic(topic);
        try {
            return f.apply(t);
        } finally {
            t.lifecycle().exit();
        }
    }

    /** Runs {@code f} with the topic and the group entered. */
    <R> R inGroup(String topic, String group, BiFunction<Topic, ConsumerGroup, R> f) {
        return inTopic(topic, t -> {
            ConsumerGroup g = enterGroup(t, group);
            try {
                return f.apply(t, g);
            } finally {
                g.lifecycle().exit();
            }
        });
    }

    /** True if the group exists on the topic (false if the topic does not exist). */
    boolean groupExists(String topic, String group) {
        Topic t = topics.get(topic);
        if (t == null || !t.lifecycle().isActive()) {
            return false;
        }
        ConsumerGroup g = t.group(group);
        return g != null && g.lifecycle().isActive();
    }

    /**
     * Wakes the group's registrations, entering the topic and the group for the signal; an unknown or
     * closing topic or group is a no-op (a notification that loses the race with destruction is harmless).
     */
    void signalGroupIfExists(String topic, String group) {
        Topic t = topics.get(topic);
        if (t == null || !t.lifecycle().tryEnter()) {
            return;
        }
        try {
            ConsumerGroup g = t.group(group);
            if (g != null && g.lifecycle().tryEnter()) {
                try {
                    g.signal();
                } finally {
                    g.lifecycle().exit();
                }
            }
        } finally {
            t.lifecycle().exit();
        }
    }

    boolean topicExists(String name) {
        Topic t = topics.get(name);
        return t != null && t.lifecycle().isActive();
    }

    /** Names of the active topics, sorted. */
    List<String> topicNames() {
        List<String> names = new ArrayList<>();
        topics.forEach((name, t) -> {
            if (t.lifecycle().isActive()) {
                names.add(name);
            }
        });
        names.sort(null);
        return names;
    }

    /** Names of the topic's active groups, sorted. */
    static List<String> groupNames(Topic t) {
        List<String> names = new ArrayList<>();
        for (ConsumerGroup g : t.groups()) {
            if (g.lifecycle().isActive()) {
                names.add(g.name());
            }
        }
        names.sort(null);
        return names;
    }

    // ------------------------------------------------------------------ topics

    /**
     * Creates a topic unless it exists: writes its record, counter and the global record in one batch,
     * then hands it to {@code beforePublish} and publishes it.
     */
    void createTopic(String name, Consumer<Topic> beforePublish) {
        adminLock.lock();
        try {
            if (topics.containsKey(name)) {
                return;
            }
            long topicId = nextTopicId;
            long now = config.clock().millis();
            StorageLayout.TopicRecord record = new StorageLayout.TopicRecord(topicId, messageIdFloor, now);
            try (WriteBatch batch = new WriteBatch()) {
                batch.put(store.meta(), StorageLayout.topicKey(name), StorageLayout.topicValue(record));
                batch.put(store.meta(), StorageLayout.topicCounterKey(topicId),
                        StorageLayout.topicCounterValue(messageIdFloor, now, 0));
                batch.put(store.meta(), StorageLayout.globalKey(),
                        StorageLayout.globalValue(topicId + 1, messageIdFloor));
                store.write(batch);
            } catch (RocksDBException e) {
                throw RocksStore.storage("cannot create topic '" + name + "'", e);
            }
            nextTopicId = topicId + 1;
            Topic created = new Topic(name, topicId, messageIdFloor, messageIdFloor, now, 0, store.recentReadsBudget());
            beforePublish.accept(created);
            topics.put(name, created);
        } finally {
            adminLock.unlock();
        }
    }

    /**
     * Destroys a topic: refuses new operations on it, waits for those in flight, deletes its messages
     * and records in one batch, removes it, then ends its groups and their registrations.
     */
    void destroyTopic(String name) {
        adminLock.lock();
        try {
            Topic t = topics.get(name);
            if (t == null || !t.lifecycle().beginClose()) {
                throw new TopicNotFoundException(name);
            }
            t.lifecycle().awaitQuiescent();
            // No operation is in flight on the topic or any of its groups from here on.
            long newFloor = Math.max(messageIdFloor, t.nextIdAfterCommitted());
            try (WriteBatch batch = new WriteBatch()) {
                batch.deleteRange(store.messages(), StorageLayout.topicLowerBound(t.id()),
                        StorageLayout.topicUpperBound(t.id()));
                batch.deleteRange(store.meta(), StorageLayout.groupPositionPrefix(t.id()),
                        StorageLayout.groupPositionPrefix(t.id() + 1));
                batch.delete(store.meta(), StorageLayout.topicCounterKey(t.id()));
                Retention.deleteTopic(batch, store, t.id());
                Deduplication.deleteTopic(batch, store, t.id());
                SharedGroups.deleteTopic(batch, store, t.id());
                Scheduler.deleteTopic(batch, store, t.id());
                batch.delete(store.meta(), StorageLayout.topicKey(name));
                batch.put(store.meta(), StorageLayout.globalKey(), StorageLayout.globalValue(nextTopicId, newFloor));
                store.write(batch);
            } catch (RocksDBException | RuntimeException e) {
                // Nothing was deleted: reopen the topic for business rather than leave it half-dead.
                t.lifecycle().reopen();
                throw new StorageException("cannot destroy topic '" + name + "'",
                        e instanceof RocksDBException r ? RocksStore.statusOf(r) : e.toString(), e);
            }
            messageIdFloor = newFloor;
            topics.remove(name, t);
            t.underAdminLock(() -> {
                for (ConsumerGroup g : t.groups()) {
                    g.lifecycle().beginClose();
                    endGroup(t, g, AwaitResult.GROUP_DESTROYED);
                }
                t.clearGroups();
                return null;
            });
            t.lifecycle().markClosed();
            t.recentReads().clear();
            reclaimer.reclaim(store.messages(), StorageLayout.topicLowerBound(t.id()),
                    StorageLayout.topicUpperBound(t.id()));
        } finally {
            adminLock.unlock();
        }
    }

    /**
     * A follower's refresh ({@link RocksMq#refresh()}): under this registry's lock, runs {@code reload}
     * (which catches up with the writer and returns the topics loaded again, as at open, ready but not
     * published: {@link FollowerRefresh}), then puts each in place of the topic of that name and removes
     * the topics the writer destroyed. A caller sees every topic either as it was or as
     * reloaded, never a missing one that exists on both sides. The replaced incarnations are left as they
     * were (a read that found one finishes on it); their shared recent reads are dropped.
     *
     * <p>Only for a follower: nothing else changes the map of a read-only queue.
     */
    void replaceAll(java.util.function.Supplier<Recovery.Result> reload) {
        adminLock.lock();
        try {
            Recovery.Result loaded = reload.get();
            if (loaded == null) {
                return; // no loadable view this time: keep the one we have
            }
            Map<String, Topic> fresh = loaded.topics();
            List<Topic> replaced = new ArrayList<>();
            fresh.forEach((name, t) -> {
                Topic old = topics.put(name, t);
                if (old != null) {
                    replaced.add(old);
                }
            });
            topics.forEach((name, t) -> {
                if (!fresh.containsKey(name) && topics.remove(name, t)) {
                    replaced.add(t);
                }
            });
            replaced.forEach(t -> t.recentReads().clear());
            nextTopicId = loaded.nextTopicId();
            messageIdFloor = loaded.messageIdFloor();
        } finally {
            adminLock.unlock();
        }
    }

    // ------------------------------------------------------------------ groups (caller entered the topic)

    /** Creates a group positioned at the topic's start, persisted; returns it. */
    ConsumerGroup createGroup(Topic t, String group) {
        return t.underAdminLock(() -> {
            if (t.group(group) != null) {
                throw new ConsumerGroupExistsException(t.name(), group);
            }
            byte[] key = StorageLayout.groupPositionKey(t.id(), group);
            long position = t.startId();
            store.putMeta(key, StorageLayout.positionValue(position));
            ConsumerGroup created = new ConsumerGroup(group, key, position);
            t.addGroup(created);
            return created;
        });
    }

    /**
     * Destroys a group: refuses new operations on it, waits for those in flight, deletes its records,
     * removes it, and only then ends its registrations. Unknown group: does nothing and returns false.
     */
    boolean destroyGroup(Topic t, String group) {
        return t.underAdminLock(() -> {
            ConsumerGroup g = t.group(group);
            if (g == null || !g.lifecycle().beginClose()) {
                return false;
            }
            g.lifecycle().awaitQuiescent();
            try (WriteBatch batch = new WriteBatch()) {
                batch.delete(store.meta(), g.positionKey());
                Retention.deleteGroup(batch, store, t, g);
                SharedGroups.deleteGroup(batch, store, t, g);
                store.write(batch);
            } catch (RocksDBException e) {
                // Nothing was deleted: reopen the group rather than leave it CLOSING in the map,
                // where it could be neither used, destroyed again, nor re-created.
                g.lifecycle().reopen();
                throw RocksStore.storage("cannot destroy consumer group '" + group + "'", e);
            }
            t.removeGroup(g);
            endGroup(t, g, AwaitResult.GROUP_DESTROYED);
            return true;
        });
    }

    /** Registers a consumer of the group for wake-ups. */
    static ConsumerRegistration register(Topic t, String group) {
        return t.underAdminLock(() -> {
            ConsumerGroup g = t.group(group);
            if (g == null || !g.lifecycle().isActive()) {
                throw new ConsumerGroupNotFoundException(t.name(), group);
            }
            // Under the admin lock, so destruction (which also takes it) sees this registration.
            ConsumerRegistration r = new ConsumerRegistration(t, g);
            g.addRegistration(r);
            t.signal().add(r);
            return r;
        });
    }

    /** At queue close, once no call is in flight: ends every registration with {@link AwaitResult#QUEUE_CLOSED}. */
    /**
     * At close, once no operation is in flight: writes every group position a commit interval left
     * unwritten. A failed write leaves that group as a crash would (logged; close goes on).
     */
    void persistPendingPositions() {
        for (Topic t : topics.values()) {
            for (ConsumerGroup g : t.groups()) {
                try {
                    g.persistPendingPosition(store);
                } catch (RuntimeException e) {
                    LOG.warn("topic '{}' group '{}': position not persisted at close", t.name(), g.name(), e);
                }
            }
        }
    }

    void endAllRegistrations() {
        for (Topic t : topics.values()) {
            t.underAdminLock(() -> {
                for (ConsumerGroup g : t.groups()) {
                    endGroup(t, g, AwaitResult.QUEUE_CLOSED);
                }
                return null;
            });
        }
    }

    /** Under the topic's admin lock: detaches the group's registrations and ends them. */
    private static void endGroup(Topic t, ConsumerGroup g, AwaitResult why) {
        for (ConsumerRegistration r : g.takeRegistrations()) {
            t.signal().remove(r);
            r.end(why);
        }
        g.closeCursor();
        if (why == AwaitResult.GROUP_DESTROYED) {
            g.lifecycle().markClosed();
        }
    }
}
