package io.rocksmq.core;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Space accounting of one topic incarnation, exact to the stored entry: how many stored bytes it has
 * produced and retention has deleted (both cumulative, so any range's size is a difference), the id
 * below which everything is deleted, and a coarse index of closed <em>segments</em> (runs of entries
 * of at least the configured segment size; see {@link StorageLayout}, record {@code 0x13 .. 0x03}).
 *
 * <p>Cost on the produce path: {@link #stageSegment} adds one put to the produce's own
 * {@code WriteBatch} once per segment (never a separate write), and {@link #appended} updates a few
 * fields; the cumulative byte count rides in the topic id counter every produce writes anyway.
 *
 * <h2>Locks</h2>
 * Everything except the fields marked otherwise is guarded by the owning topic's {@code produceLock}:
 * produce appends at the tail under it, retention takes it only for an in-memory {@link #snapshot()}
 * and {@link #truncate}, never across storage I/O. {@link #producedBytes} is also volatile so it can be
 * read for metrics. The head cache is confined to the (single) retention pass.
 *
 * <p>Thread-safe as described.
 */
final class TopicSpace {
    // -- guarded by the topic's produceLock
    private long[] segEnd = new long[4];
    private long[] segBytes = new long[4];
    private long[] segTime = new long[4];
    private int segFirst;
    private int segCount;
    /** Start of the open (unclosed) segment, in ids and in cumulative bytes. */
    private long openStartBytes;
    private long tailEnd;
    private long tailTime;
    private volatile long producedBytes;
    /** Every id below it is deleted (hidden from readers at once; see {@link #cutId()}). Volatile for readers. */
    private volatile long cutId;
    private long deletedBytes;
    private final long[] deletedByRule = new long[RetentionRule.COUNT];

    // -- set before publication or by admin calls; read anywhere
    private volatile long segmentBytes = RocksMqConfig.DEFAULT_RETENTION_SEGMENT_BYTES;
    private volatile RetentionPolicy override = RetentionPolicy.INHERIT_ALL;
    private volatile RetentionPolicy effective = RetentionPolicy.KEEP_ALL;
    /** Retained bytes above which a produce asks for an immediate retention pass. */
    private volatile long wakeAboveBytes = Long.MAX_VALUE;
    private volatile Runnable overCap = () -> { };
    private final AtomicBoolean urgent = new AtomicBoolean();
    private volatile long lastPassTime = -1;
    private volatile long failures;
    /**
     * Ids below it are covered by a range tombstone (their space is or will be reclaimed by compaction);
     * between it and {@link #cutId} deleted entries may still sit in files. Written by the reclaimer.
     * Starts at the topic's start: after a restart, the first sweep covers whatever was left.
     */
    private volatile long sweptCut;

    // -- confined to the retention pass: the first retained entry, if known; deletions since the last full pass
    private RetentionPlanner.Entry head;
    private boolean deletedSinceFullPass;
    private long releasedBytes;

    TopicSpace(long startId, long nextId, long lastPublishTime, long producedBytes) {
        this.cutId = startId;
        this.sweptCut = startId;
        this.tailEnd = nextId;
        this.tailTime = lastPublishTime;
        this.producedBytes = producedBytes;
    }

    // ------------------------------------------------------------------ produce path (under produceLock)

    long producedBytes() {
        return producedBytes;
    }

    /**
     * Adds the record of the segment this produce closes, if it closes one, to the produce's batch.
     *
     * @return whether it does; pass it to {@link #appended} once the batch is written
     */
    boolean stageSegment(WriteBatch batch, ColumnFamilyHandle meta, long topicId, long endId, long produced,
                         long time) throws RocksDBException {
        if (produced - openStartBytes < segmentBytes) {
            return false;
        }
        batch.put(meta, StorageLayout.retentionSegmentKey(topicId, endId),
                StorageLayout.retentionSegmentValue(produced, time));
        return true;
    }

    /** After the produce's batch is written. */
    void appended(long endId, long produced, long time, boolean closesSegment) {
        tailEnd = endId;
        tailTime = time;
        producedBytes = produced;
        if (closesSegment) {
            addSegment(endId, produced, time);
        }
        if (produced - deletedBytes > wakeAboveBytes && !urgent.get() && urgent.compareAndSet(false, true)) {
            overCap.run();
        }
    }

    private void addSegment(long endId, long bytesAtEnd, long time) {
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
        openStartBytes = bytesAtEnd;
    }

    // ------------------------------------------------------------------ recovery (before publication)

    /** Restores what retention persisted; segments in key (= id) order. */
    void restore(StorageLayout.RetentionState state, Iterable<StorageLayout.Segment> segments, long segmentBytes) {
        this.segmentBytes = segmentBytes;
        if (state != null) {
            if (state.cutId() > tailEnd) {
                throw StorageLayout.corrupt("retention state deletes up to id " + state.cutId()
                        + " but the topic's id counter is " + tailEnd, null);
            }
            cutId = Math.max(cutId, state.cutId());
            deletedBytes = state.deletedBytes();
            System.arraycopy(state.deletedByRule(), 0, deletedByRule, 0, RetentionRule.COUNT);
        }
        openStartBytes = deletedBytes;
        for (StorageLayout.Segment s : segments) {
            if (s.endId() > cutId && s.endId() <= tailEnd) {
                addSegment(s.endId(), s.bytesAtEnd(), s.lastPublishTime());
            }
        }
    }

    /** Sets the cumulative produced bytes found by a scan, when the counter did not record them. */
    void restoreProducedBytes(long bytes) {
        producedBytes = bytes;
    }

    // ------------------------------------------------------------------ retention (under produceLock)

    /** An immutable copy of the accounting; closed segments ending after {@code cutId}, oldest first. */
    record Snapshot(long[] segEnd, long[] segBytes, long[] segTime, long cutId, long deletedBytes,
                    long tailEnd, long producedBytes, long tailTime, long[] deletedByRule) {
        long retainedBytes() {
            return producedBytes - deletedBytes;
        }

        long retainedMessages() {
            return tailEnd - cutId;
        }
    }

    Snapshot snapshot() {
        return new Snapshot(
                Arrays.copyOfRange(segEnd, segFirst, segFirst + segCount),
                Arrays.copyOfRange(segBytes, segFirst, segFirst + segCount),
                Arrays.copyOfRange(segTime, segFirst, segFirst + segCount),
                cutId, deletedBytes, tailEnd, producedBytes, tailTime, deletedByRule.clone());
    }

    /** After retention deleted every entry below {@code newCutId}. */
    void truncate(long newCutId, long newDeletedBytes, long[] deletedNow) {
        cutId = newCutId;
        deletedBytes = newDeletedBytes;
        for (int r = 0; r < RetentionRule.COUNT; r++) {
            deletedByRule[r] += deletedNow[r];
        }
        while (segCount > 0 && segEnd[segFirst] <= newCutId) {
            segFirst++;
            segCount--;
        }
        if (segCount == 0) {
            segFirst = 0;
        }
        openStartBytes = Math.max(openStartBytes, newDeletedBytes);
    }

    /**
     * Readers start here: entries below it are deleted even while their bytes still sit in a file
     * (retention deletes logically first, physically in bulk; see {@link SpaceReclaimer}).
     */
    long cutId() {
        return cutId;
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

    /** Installs a policy; the caller serialises changes (topic admin lock, or before publication). */
    void policy(RetentionPolicy override, RetentionPolicy effective, Runnable onOverCap) {
        this.override = override;
        this.effective = effective;
        this.overCap = onOverCap;
        this.wakeAboveBytes = effective.maxRetentionBytes() < 0 ? Long.MAX_VALUE : effective.maxRetentionBytes();
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

    /** Cumulative deleted bytes when the topic's deleted prefix was last released to the reclaimer. */
    long releasedBytes() {
        return releasedBytes;
    }

    void released(long bytes) {
        releasedBytes = bytes;
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
