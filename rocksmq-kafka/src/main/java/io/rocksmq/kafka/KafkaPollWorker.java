package io.rocksmq.kafka;

import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.Message;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.TopicNotFoundException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The poll loop of one {@link KafkaMqConsumer}, on its own thread, and the only code that touches its
 * {@link KafkaConsumer} (which is single-threaded). Each turn it takes the work application threads left
 * in the {@link ConsumerState} (commits of acknowledgements, seeks), then blocks in {@code poll} —
 * Kafka's long poll, ended early by {@code wakeup()} when new work arrives — and buffers what it got.
 *
 * <h2>Backpressure</h2>
 * A poll returns at most {@code max.poll.records} records, and the loop lets records flow only while the
 * buffer has room for that many; otherwise it pauses every partition ({@code KafkaConsumer.pause}) and
 * polls only to wait for a wake-up, which the application's next take sends once there is room. So the
 * consumer never holds more than the receive buffer size, and a slow application stops the fetching
 * without stopping the loop.
 *
 * <h2>Commits</h2>
 * The committed offset of each partition is the first unacknowledged offset read (Kafka's "next offset
 * to read"). A synchronous {@code ack} waits for a {@code commitSync}; auto-ack and
 * {@link KafkaOptions.CommitMode#ASYNC} use {@code commitAsync}; closing commits synchronously once more.
 * A seek commits its new position before it takes effect, so a failed seek changes nothing.
 *
 * <h2>Checks</h2>
 * Every {@link KafkaOptions#subscriptionCheckInterval()} the loop asks the cluster whether the topic (same
 * topic id) and the subscription's committed offsets still exist, so a deletion by another client ends
 * the consumer with the embedded backend's exception (a subscription counts as deleted when two checks in
 * a row find no offsets, since deleting a topic removes its offsets just before the topic); it also picks up partitions added to the topic and
 * re-commits an unchanged position hourly, because Kafka expires the offsets of a group without members
 * ({@code offsets.retention.minutes} after the last commit) and this backend's consumers, which assign
 * partitions themselves, are never members.
 *
 * <p>Not thread-safe: runs on the consumer's poll thread only.
 */
final class KafkaPollWorker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPollWorker.class);
    static final long OFFSET_REFRESH_NANOS = TimeUnit.HOURS.toNanos(1);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ConsumerState state;
    private final KafkaAdminOps admin;
    private final String topic;
    private final String group;
    private final Uuid topicId;
    private final Duration timeout;
    private final long checkIntervalNanos;
    /** The client's count of expired records this subscription dropped ({@link KafkaMqClient#expiredMessages}). */
    private final LongAdder expired;

    private final List<TopicPartition> assignment;
    /** Per partition, the highest offset handed to Kafka in a commit, confirmed or not. */
    private final Map<TopicPartition, Long> requested = new HashMap<>();
    /** Per partition, the offset Kafka last confirmed. */
    private final Map<TopicPartition, Long> confirmed = new HashMap<>();
    private boolean paused;
    /** Bumped by every seek: answers to asynchronous commits sent before it are ignored. */
    private int epoch;
    /** Consecutive checks that found no committed offset of the subscription. */
    private int offsetsMissing;
    private long nextCheck;
    private long lastCommit;

    /** Polls made, for tests of the no-busy-polling property. */
    private final AtomicLong polls = new AtomicLong();
    /** Whether the partitions are paused for lack of room, for tests. */
    private volatile boolean pausedForTests;

    KafkaPollWorker(KafkaConsumer<byte[], byte[]> consumer, ConsumerState state, KafkaAdminOps admin,
                    KafkaAdminOps.TopicInfo topic, String group, KafkaOptions options,
                    Map<TopicPartition, Long> committedAtStart, LongAdder expired) {
        this.consumer = consumer;
        this.state = state;
        this.admin = admin;
        this.topic = topic.name();
        this.topicId = topic.id();
        this.group = group;
        this.timeout = options.requestTimeout();
        this.checkIntervalNanos = options.subscriptionCheckInterval().toNanos();
        this.expired = expired;
        this.assignment = new ArrayList<>(topic.topicPartitions());
        this.requested.putAll(committedAtStart);
        this.confirmed.putAll(committedAtStart);
        long now = System.nanoTime();
        this.nextCheck = now + checkIntervalNanos;
        this.lastCommit = now;
    }

    long polls() {
        return polls.get();
    }

    boolean paused() {
        return pausedForTests;
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (RuntimeException e) {
            fail(KafkaErrors.map(e, "read topic '" + topic + "' for subscription '" + group + "'", topic));
        } catch (Error e) {
            fail(new RocksMqException("the poll loop of '" + topic + "/" + group + "' died", e));
            throw e;
        } finally {
            shutdown();
        }
    }

    private void loop() {
        while (true) {
            ConsumerState.Work work = state.takeWork();
            if (work.stop()) {
                return;
            }
            if (work.commit()) {
                commit(work.commitWaiters());
            }
            for (ConsumerState.Request r : work.requests()) {
                handle(r);
            }
            ConsumerState.Next next = state.prepareToPoll();
            if (next != ConsumerState.Next.AGAIN) {
                pause(next == ConsumerState.Next.POLL_PAUSED);
                ConsumerRecords<byte[], byte[]> records = null;
                try {
                    polls.incrementAndGet();
                    records = consumer.poll(pollTimeout());
                } catch (WakeupException e) {
                    // New work: the next turn takes it.
                } finally {
                    state.polled();
                }
                if (records != null && !records.isEmpty()) {
                    state.publish(decode(records));
                }
            }
            check();
        }
    }

    // ------------------------------------------------------------------ commits

    /**
     * Commits the acknowledged positions: synchronously if someone waits (then completes the waiters, with
     * the failure if it failed), else asynchronously what moved past the last commit handed to Kafka.
     */
    private void commit(List<CompletableFuture<Void>> waiters) {
        if (waiters.isEmpty()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = uncommitted(requested);
            if (!offsets.isEmpty()) {
                commitAsync(offsets);
            }
            return;
        }
        try {
            commitPending();
            waiters.forEach(w -> w.complete(null));
        } catch (RuntimeException e) {
            RuntimeException mapped = KafkaErrors.map(e, "commit the offsets of subscription '" + group
                    + "' on topic '" + topic + "'", topic);
            waiters.forEach(w -> w.completeExceptionally(mapped));
        }
    }

    /**
     * Commits, synchronously, every position Kafka has not confirmed yet (an asynchronous commit of it may
     * still be in flight, but whoever waits here must know it is stored).
     */
    private void commitPending() {
        Map<TopicPartition, OffsetAndMetadata> offsets = uncommitted(confirmed);
        if (!offsets.isEmpty()) {
            commitSync(offsets);
        }
    }

    /** Positions that moved past {@code baseline}. */
    private Map<TopicPartition, OffsetAndMetadata> uncommitted(Map<TopicPartition, Long> baseline) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        state.positions().forEach((p, position) -> {
            TopicPartition tp = new TopicPartition(topic, p);
            if (position > baseline.getOrDefault(tp, -1L)) {
                offsets.put(tp, new OffsetAndMetadata(position));
            }
        });
        return offsets;
    }

    private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        blocking(() -> {
            consumer.commitSync(offsets, timeout);
            return null;
        });
        offsets.forEach((tp, om) -> {
            requested.put(tp, om.offset());
            confirmed.put(tp, om.offset());
        });
        lastCommit = System.nanoTime();
    }

    private void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, om) -> requested.put(tp, om.offset()));
        int sentIn = epoch;
        // The callback runs on this thread, inside a later poll or commit.
        consumer.commitAsync(offsets, (done, error) -> {
            if (sentIn != epoch) {
                return; // a seek committed its own position since: this answer is about the past
            }
            if (error == null) {
                done.forEach((tp, om) -> confirmed.merge(tp, om.offset(), Math::max));
                lastCommit = System.nanoTime();
                return;
            }
            LOG.warn("async commit of subscription '{}' on topic '{}' failed; it is retried: {}", group, topic,
                    error.toString());
            offsets.forEach((tp, om) -> {
                if (requested.getOrDefault(tp, -1L) == om.offset()) {
                    requested.put(tp, confirmed.getOrDefault(tp, -1L));
                }
            });
        });
    }

    // ------------------------------------------------------------------ seeks

    private void handle(ConsumerState.Request request) {
        try {
            if (request instanceof ConsumerState.SeekToId s) {
                seek(s);
            } else if (request instanceof ConsumerState.SeekToTime t) {
                seek(t);
            }
            request.future().complete(null);
        } catch (RuntimeException e) {
            request.future().completeExceptionally(KafkaErrors.map(e, "seek subscription '" + group
                    + "' on topic '" + topic + "'", topic));
        }
    }

    private void seek(ConsumerState.SeekToId s) {
        TopicPartition tp = new TopicPartition(topic, s.partition());
        long target = s.inclusive() || s.offset() == Long.MAX_VALUE ? s.offset() : s.offset() + 1;
        long begin = blocking(() -> consumer.beginningOffsets(List.of(tp), timeout)).get(tp);
        long end = blocking(() -> consumer.endOffsets(List.of(tp), timeout)).get(tp);
        // Past the end means "after the newest": Kafka would reset an out-of-range offset to the start.
        target = Math.max(begin, Math.min(target, end));
        // Other partitions restart at their first unacknowledged message: nothing unacknowledged is lost.
        Map<Integer, Long> positions = state.positions();
        positions.put(s.partition(), target);
        reposition(positions);
    }

    private void seek(ConsumerState.SeekToTime t) {
        long epochMillis = Math.max(0, t.epochMillis());
        Map<TopicPartition, Long> query = new HashMap<>();
        assignment.forEach(tp -> query.put(tp, epochMillis));
        Map<TopicPartition, OffsetAndTimestamp> found = blocking(() -> consumer.offsetsForTimes(query, timeout));
        Map<TopicPartition, Long> end = blocking(() -> consumer.endOffsets(assignment, timeout));
        Map<Integer, Long> positions = new HashMap<>();
        for (TopicPartition tp : assignment) {
            OffsetAndTimestamp at = found.get(tp);
            positions.put(tp.partition(), at != null ? at.offset() : end.get(tp));
        }
        reposition(positions);
    }

    /** Persists the positions, then restarts reading there with no acknowledgement state. */
    private void reposition(Map<Integer, Long> positions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        positions.forEach((p, offset) -> offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(offset)));
        epoch++;
        commitSync(offsets);
        state.reset(positions);
        positions.forEach((p, offset) -> consumer.seek(new TopicPartition(topic, p), offset));
    }

    // ------------------------------------------------------------------ polling

    private void pause(boolean pause) {
        if (pause == paused) {
            return;
        }
        if (pause) {
            consumer.pause(assignment);
        } else {
            consumer.resume(assignment);
        }
        paused = pause;
        pausedForTests = pause;
    }

    /** Until the next check is due: a long poll ends as soon as records arrive or work wakes it. */
    private Duration pollTimeout() {
        long nanos = nextCheck - System.nanoTime();
        return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), nanos));
    }

    /**
     * The records as messages, without the expired ones: they are never handed on, so never delivered
     * (the ack ring allows gaps in read offsets, as compaction leaves). A subscription's committed
     * position may stay before trailing expired records; they are skipped again after a restart. Counted
     * here, before any later record of the batch is handed on.
     */
    private List<Message> decode(ConsumerRecords<byte[], byte[]> records) {
        List<Message> out = new ArrayList<>(records.count());
        long now = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (!RecordCodec.expired(r, now)) {
                out.add(RecordCodec.decode(r));
            } else {
                expired.increment();
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ periodic checks

    private void check() {
        long now = System.nanoTime();
        if (now - nextCheck < 0) {
            return;
        }
        nextCheck = now + checkIntervalNanos;
        try {
            Optional<KafkaAdminOps.TopicInfo> info = admin.describe(topic);
            if (info.isEmpty() || !info.get().id().equals(topicId)) {
                fail(new TopicNotFoundException(topic));
                return;
            }
            if (info.get().partitions() > assignment.size()) {
                addPartitions(info.get().partitions());
            }
            if (admin.committed(group, assignment).isEmpty()) {
                // Deleting a topic deletes its groups' offsets first: only a second look, with the topic
                // still there, tells a deleted subscription from a topic being deleted.
                if (++offsetsMissing >= 2) {
                    fail(new ConsumerGroupNotFoundException(topic, group));
                    return;
                }
            } else {
                offsetsMissing = 0;
            }
            if (now - lastCommit > OFFSET_REFRESH_NANOS) {
                Map<TopicPartition, OffsetAndMetadata> same = new HashMap<>();
                confirmed.forEach((tp, offset) -> same.put(tp, new OffsetAndMetadata(offset)));
                commitSync(same);
            }
            commit(List.of()); // retries async commits that failed
        } catch (RocksMqException | org.apache.kafka.common.KafkaException e) {
            // Unreachable or slow cluster: nothing to conclude; the next check tries again.
            LOG.debug("periodic check of '{}/{}' failed: {}", topic, group, e.toString());
        }
    }

    private void addPartitions(int count) {
        List<TopicPartition> added = new ArrayList<>();
        for (int p = assignment.size(); p < count; p++) {
            added.add(new TopicPartition(topic, p));
        }
        Map<TopicPartition, OffsetAndMetadata> committed = blocking(() -> consumer.committed(new HashSet<>(added), timeout));
        Map<TopicPartition, Long> begin = blocking(() -> consumer.beginningOffsets(added, timeout));
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        Map<Integer, Long> positions = new HashMap<>();
        for (TopicPartition tp : added) {
            OffsetAndMetadata om = committed.get(tp);
            long offset = om != null ? om.offset() : begin.get(tp);
            start.put(tp, new OffsetAndMetadata(offset));
            positions.put(tp.partition(), offset);
        }
        commitSync(start);
        state.addPartitions(positions);
        assignment.addAll(added);
        consumer.assign(assignment);
        added.forEach(tp -> consumer.seek(tp, positions.get(tp.partition())));
        if (paused) {
            consumer.pause(added);
        }
        LOG.info("consumer of '{}/{}' now also reads partitions {}", topic, group, positions.keySet());
    }

    // ------------------------------------------------------------------ ending

    private void fail(RuntimeException e) {
        if (state.fail(e)) {
            LOG.debug("consumer of '{}/{}' stopped: {}", topic, group, e.toString());
        }
    }

    private void shutdown() {
        try {
            if (!state.failed()) {
                // Closed by the application: persist every acknowledgement before letting go.
                ConsumerState.Work last = state.takeWork();
                try {
                    commitPending();
                    last.commitWaiters().forEach(w -> w.complete(null));
                } catch (RuntimeException e) {
                    LOG.warn("final commit of '{}/{}' failed; messages acknowledged since the last commit will be"
                            + " delivered again: {}", topic, group, e.toString());
                }
            }
        } finally {
            state.abandonPending();
            try {
                consumer.close(CloseOptions.timeout(timeout));
            } catch (RuntimeException e) {
                LOG.warn("closing the Kafka consumer of '{}/{}' failed: {}", topic, group, e.toString());
            }
        }
    }

    /** Calls {@code call}, again if a wake-up meant for the poll interrupted it. */
    private static <T> T blocking(Supplier<T> call) {
        while (true) {
            try {
                return call.get();
            } catch (WakeupException e) {
                // A wake-up sent while the loop was between polls; at most one per poll, so this ends.
            }
        }
    }
}
