package io.rocksmq.core;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Space accounting of one topic incarnation, exact to the stored entry: how many stored bytes it has
 * produced and retention has deleted (both cumulative, so any range's size is a difference), the id
 * below which everything is deleted, and a coarse index of closed <em>segments</em> (runs of entries
 * of at least the configured segment size; see {@link StorageLayout}, record {@code 0x13 .. 0x03}).
 *
 * <p>Cost on the produce path: {@link #stageSegment} adds one put to the produce's own
 * {@code WriteBatch} once per segment (never a separate write), and {@link #appended} publishes one
 * small immutable {@link Tail}; the cumulative byte count rides in the topic id counter every
 * produce writes anyway.
 *
 * <h2>Locks</h2>
 * Retention never takes the topic's produce lock: a producer looping on a non-fair lock would starve
 * it, and the topic would outgrow its cap while retention waits. Instead:
 * <ul>
 *   <li>{@link #tail} (what produce last committed) and {@link #deleted} (what retention last
 *       deleted) are immutable objects published through volatile fields, each written by one side
 *       only (produce under the topic's produce lock; retention by its single pass thread);</li>
 *   <li>{@link #segmentLock} guards the segment arrays: produce appends (once per segment), retention
 *       copies and truncates, each holding it for an array copy at most;</li>
 *   <li>{@link #lastClosedBytes} is produce's own, under the produce lock; the head cache and release
 *       bookkeeping are the retention pass's own.</li>
 * </ul>
 * A snapshot reads {@link #deleted}, then the segments, then {@link #tail}, so the tail covers every
 * segment it lists, and retained amounts are never negative.
 *
 * <p>Thread-safe as described.
 */
final class TopicSpace {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSpace.class);
    /** A producer waits at most this long for retention to make room, then goes on (and says so). */
    static final long MAX_THROTTLE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long THROTTLE_RECHECK_MILLIS = 100;

    /** The last committed produce: next id, cumulative stored bytes, publish time. */
    record Tail(long endId, long producedBytes, long lastPublishTime) {
    }

    /** What retention deleted: every id below {@code cutId}, {@code bytes} in total, messages per rule. */
    record Deleted(long cutId, long bytes, long[] byRule) {
    }

    private volatile Tail tail;
    private volatile Deleted deleted;

    private final Object segmentLock = new Object();
    private long[] segEnd = new long[4];
    private long[] segBytes = new long[4];
    private long[] segTime = new long[4];
    private int segFirst;
    private int segCount;

    /** Cumulative bytes at the end of the last closed segment; produce's own (under the produce lock). */
    private long lastClosedBytes;

    private volatile long segmentBytes = RocksMqConfig.DEFAULT_RETENTION_SEGMENT_BYTES;
    private volatile RetentionPolicy override = RetentionPolicy.INHERIT_ALL;
    private volatile RetentionPolicy effective = RetentionPolicy.KEEP_ALL;
    /** Retained bytes above which a produce asks for an immediate retention pass. */
    private volatile long wakeAboveBytes = Long.MAX_VALUE;
    /** Retained bytes above which a producer waits for that pass (only with a background worker). */
    private volatile long throttleAboveBytes = Long.MAX_VALUE;
    /** Producers waiting for room wait on it; {@link #waiters} is changed under it. */
    private final Object room = new Object();
    private volatile int waiters;
    private volatile Runnable overCap = () -> { };
    private final AtomicBoolean urgent = new AtomicBoolean();
    private volatile long lastPassTime = -1;
    private volatile long failures;
    /**
     * Ids below it are covered by a range tombstone (their space is or will be reclaimed by compaction);
     * between it and the cut, deleted entries may still sit in files. Written by the reclaimer.
     * Starts at the topic's start: after a restart, the first sweep covers whatever was left.
     */
    private volatile long sweptCut;

    // -- confined to the retention pass
    private RetentionPlanner.Entry head;
    private boolean deletedSinceFullPass;

    TopicSpace(long startId, long nextId, long lastPublishTime, long producedBytes) {
        this.tail = new Tail(nextId, producedBytes, lastPublishTime);
        this.deleted = new Deleted(startId, 0, new long[RetentionRule.COUNT]);
        this.sweptCut = startId;
    }

    // ------------------------------------------------------------------ produce path (under the produce lock)

    long producedBytes() {
        return tail.producedBytes();
    }

    /**
     * Adds the record of the segment this produce closes, if it closes one, to the produce's batch.
     *
     * @return whether it does; pass it to {@link #appended} once the batch is written
     */
    boolean stageSegment(WriteBatch batch, ColumnFamilyHandle meta, long topicId, long endId, long produced,
                         long time) throws RocksDBException {
        if (produced - lastClosedBytes < segmentBytes) {
            return false;
        }
        batch.put(meta, StorageLayout.retentionSegmentKey(topicId, endId),
                StorageLayout.retentionSegmentValue(produced, time));
        return true;
    }

    /** After the produce's batch is written. */
    void appended(long endId, long produced, long time, boolean closesSegment) {
        if (closesSegment) {
            addSegment(endId, produced, time);
            lastClosedBytes = produced;
        }
        tail = new Tail(endId, produced, time);
        if (produced - deleted.bytes() > wakeAboveBytes && !urgent.get() && urgent.compareAndSet(false, true)) {
            overCap.run();
        }
    }

    private void addSegment(long endId, long bytesAtEnd, long time) {
        synchronized (segmentLock) {
            if (segFirst + segCount == segEnd.length) {
                if (segFirst > segEnd.length / 2) {
                    // Most of the array is deleted segments: slide the live ones down instead of growing.
                    System.arraycopy(segEnd, segFirst, segEnd, 0, segCount);
                    System.arraycopy(segBytes, segFirst, segBytes, 0, segCount);
                    System.arraycopy(segTime, segFirst, segTime, 0, segCount);
                    segFirst = 0;
                } else {
                    int n = segEnd.length * 2;
                    segEnd = Arrays.copyOf(segEnd, n);
                    segBytes = Arrays.copyOf(segBytes, n);
                    segTime = Arrays.copyOf(segTime, n);
                }
            }
            int i = segFirst + segCount;
            segEnd[i] = endId;
            segBytes[i] = bytesAtEnd;
            segTime[i] = time;
            segCount++;
        }
    }

    // ------------------------------------------------------------------ recovery (before publication)

    /** Restores what retention persisted; segments in key (= id) order. */
    void restore(StorageLayout.RetentionState state, Iterable<StorageLayout.Segment> segments, long segmentBytes) {
        this.segmentBytes = segmentBytes;
        Tail t = tail;
        if (state != null) {
            if (state.cutId() > t.endId()) {
                throw StorageLayout.corrupt("retention state deletes up to id " + state.cutId()
                        + " but the topic's id counter is " + t.endId(), null);
            }
            deleted = new Deleted(Math.max(deleted.cutId(), state.cutId()), state.deletedBytes(),
                    state.deletedByRule().clone());
        }
        lastClosedBytes = deleted.bytes();
        for (StorageLayout.Segment s : segments) {
            if (s.endId() > deleted.cutId() && s.endId() <= t.endId()) {
                addSegment(s.endId(), s.bytesAtEnd(), s.lastPublishTime());
                lastClosedBytes = s.bytesAtEnd();
            }
        }
    }

    /** Sets the cumulative produced bytes found by a scan, when the counter did not record them. */
    void restoreProducedBytes(long bytes) {
        Tail t = tail;
        tail = new Tail(t.endId(), bytes, t.lastPublishTime());
    }

    // ------------------------------------------------------------------ retention

    /** A consistent copy of the accounting; closed segments ending after {@code cutId}, oldest first. */
    record Snapshot(long[] segEnd, long[] segBytes, long[] segTime, long cutId, long deletedBytes,
                    long tailEnd, long producedBytes, long tailTime, long[] deletedByRule) {
        long retainedBytes() {
            return producedBytes - deletedBytes;
        }

        long retainedMessages() {
            return tailEnd - cutId;
        }
    }

    /** Takes no lock but the segment lock; callable from any thread (metrics) and by the retention pass. */
    Snapshot snapshot() {
        Deleted d = deleted;
        long[] ends;
        long[] bytes;
        long[] times;
        synchronized (segmentLock) {
            int from = segFirst;
            int to = segFirst + segCount;
            while (from < to && segEnd[from] <= d.cutId()) {
                from++; // truncated by a pass that has not finished updating the arrays
            }
            ends = Arrays.copyOfRange(segEnd, from, to);
            bytes = Arrays.copyOfRange(segBytes, from, to);
            times = Arrays.copyOfRange(segTime, from, to);
        }
        Tail t = tail;
        return new Snapshot(ends, bytes, times, d.cutId(), d.bytes(), t.endId(), t.producedBytes(),
                t.lastPublishTime(), d.byRule().clone());
    }

    /** By the retention pass, after it deleted every entry below {@code newCutId}. */
    void truncate(long newCutId, long newDeletedBytes, long[] deletedNow) {
        Deleted d = deleted;
        long[] byRule = d.byRule().clone();
        for (int r = 0; r < RetentionRule.COUNT; r++) {
            byRule[r] += deletedNow[r];
        }
        deleted = new Deleted(newCutId, newDeletedBytes, byRule);
        if (waiters > 0) {
            synchronized (room) {
                room.notifyAll();
            }
        }
        synchronized (segmentLock) {
            while (segCount > 0 && segEnd[segFirst] <= newCutId) {
                segFirst++;
                segCount--;
            }
            if (segCount == 0) {
                segFirst = 0;
            }
        }
    }

    /**
     * Readers start here: entries below it are deleted even while their bytes still sit in a file
     * (retention deletes logically first, physically in bulk; see {@link SpaceReclaimer}).
     */
    long cutId() {
        return deleted.cutId();
    }

    long sweptCut() {
        return sweptCut;
    }

    /** By the reclaimer, once a range tombstone covers every id below {@code cut}. */
    void swept(long cut) {
        if (cut > sweptCut) {
            sweptCut = cut;
        }
    }

    // ------------------------------------------------------------------ policy and bookkeeping

    RetentionPolicy override() {
        return override;
    }

    RetentionPolicy effective() {
        return effective;
    }

    /**
     * Installs a policy; the caller serialises changes (topic admin lock, or before publication).
     *
     * @param onOverCap     asks the background worker for a pass over this topic, or null if there is
     *                      no worker (then producers are never made to wait)
     * @param throttleSlack bytes over {@code maxRetentionBytes} a producer may take the topic before it
     *                      waits for the worker
     */
    void policy(RetentionPolicy override, RetentionPolicy effective, Runnable onOverCap, long throttleSlack) {
        this.override = override;
        this.effective = effective;
        this.overCap = onOverCap == null ? () -> { } : onOverCap;
        long cap = effective.maxRetentionBytes();
        this.wakeAboveBytes = cap < 0 ? Long.MAX_VALUE : cap;
        this.throttleAboveBytes = cap < 0 || onOverCap == null ? Long.MAX_VALUE : cap + throttleSlack;
    }

    /**
     * After a produce, holding no lock: if the topic is over its byte cap by more than the slack, waits
     * until the retention worker has made room, the topic or queue is closing, or
     * {@link #MAX_THROTTLE_NANOS} passed. Two volatile reads when there is room.
     */
    void awaitRoom(Lifecycle topic, Lifecycle queue) {
        if (retainedBytes() <= throttleAboveBytes) {
            return;
        }
        long deadline = System.nanoTime() + MAX_THROTTLE_NANOS;
        boolean interrupted = false;
        synchronized (room) {
            waiters++;
            try {
                while (retainedBytes() > throttleAboveBytes && topic.isActive() && queue.isActive()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        LOG.warn("retention has not kept up with produce for {} s: a topic is {} bytes over its cap",
                                TimeUnit.NANOSECONDS.toSeconds(MAX_THROTTLE_NANOS),
                                retainedBytes() - effective.maxRetentionBytes());
                        break;
                    }
                    try {
                        room.wait(Math.min(THROTTLE_RECHECK_MILLIS, TimeUnit.NANOSECONDS.toMillis(left) + 1));
                    } catch (InterruptedException e) {
                        interrupted = true;
                        break;
                    }
                }
            } finally {
                waiters--;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private long retainedBytes() {
        long deletedBytes = deleted.bytes(); // first: produced only grows, so the difference is never negative
        return tail.producedBytes() - deletedBytes;
    }

    /** Clears the "pass requested" flag before a pass, so a produce during the pass asks again. */
    void clearUrgent() {
        urgent.set(false);
    }

    void passed(long now) {
        lastPassTime = now;
    }

    long lastPassTime() {
        return lastPassTime;
    }

    void failed() {
        failures++; // only the single retention pass writes it
    }

    long failures() {
        return failures;
    }

    RetentionPlanner.Entry head() {
        return head;
    }

    void head(RetentionPlanner.Entry entry) {
        head = entry;
    }

    /** Called by each pass that deleted something. */
    void deletedInPass() {
        deletedSinceFullPass = true;
    }

    /** At a full pass: true if nothing was deleted since the previous one (resets the record). */
    boolean quietSinceLastFullPass() {
        boolean quiet = !deletedSinceFullPass;
        deletedSinceFullPass = false;
        return quiet;
    }
}
