package io.rocksmq.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, for one topic and one pass, how far retention deletes: the cut id below which every entry
 * goes. Pure logic over a {@link TopicSpace.Snapshot}; entries are read through an {@link EntrySource}
 * only for the one or two segments in which a cut falls.
 *
 * <h2>Rules</h2>
 * Entries are the accounting unit: an entry is deleted whole or not at all. Each rule deletes a
 * prefix of the topic's entries (oldest first), the smallest one that satisfies it:
 * <ul>
 *   <li>{@code maxRetentionBytes = B}: entries go while the data from the entry on exceeds {@code B},
 *       so afterwards the topic retains at most {@code B} stored bytes;</li>
 *   <li>{@code maxRetentionTime = T}: entries published before {@code now - T};</li>
 *   <li>an entry is <em>consumed</em> if every group's position is at or past its end (all groups have
 *       read all of it); no group: no entry is consumed (data nobody has read waits for the hard caps);</li>
 *   <li>{@code retentionTime = T}: consumed entries published before {@code now - T};</li>
 *   <li>{@code retentionBytes = B}: consumed entries while the consumed data from the entry on
 *       exceeds {@code B};</li>
 *   <li>expired: entries all of whose messages have expired at {@code now} (each message's own expiry,
 *       else its publish time plus the topic's default time-to-live), read or not: no group can ever
 *       be given them. The first entry holding a message not yet expired ends the prefix, even if
 *       expired entries follow it.</li>
 * </ul>
 * The cut is the longest of those prefixes. Every predicate but expiry is monotone along the topic
 * (publish times and cumulative bytes never decrease), which is what makes each rule a prefix; expiry
 * is made one by stopping at the first entry that has not expired.
 *
 * <p>Not thread-safe: one instance per topic per pass.
 */
final class RetentionPlanner {
    /** The {@code minPosition} of a topic without groups: below every id, so no entry counts as consumed. */
    static final long NOTHING_CONSUMED = -1;

    /** One stored entry: ids {@code [firstId, endId)}, cumulative stored bytes before and after it. */
    record Entry(long firstId, long endId, long bytesAtStart, long bytesAtEnd, long publishTime, boolean ownExpiry) {
        /** An entry whose messages carry no expiry of their own. */
        Entry(long firstId, long endId, long bytesAtStart, long bytesAtEnd, long publishTime) {
            this(firstId, endId, bytesAtStart, bytesAtEnd, publishTime, false);
        }
    }

    /**
     * When the last message of an entry expires ({@link BatchFormat#latestExpiry}; {@link BatchFormat#NEVER}
     * if one never does). The retention pass reads the entry only when its messages carry their own expiry.
     */
    interface ExpirySource {
        long latestExpiry(Entry e);
    }

    /** Expiry that never deletes (a topic whose messages cannot expire, and the planner's tests of other rules). */
    static final ExpirySource NO_EXPIRY = e -> BatchFormat.NEVER;

    /** Entries the expiry rule examines at most per pass (it reads them one by one); the next pass goes on. */
    static final int EXPIRY_SCAN_LIMIT = 65_536;

    /** Reads entries; the retention pass backs it by a bounded scan of the messages column family. */
    interface EntrySource {
        /** Entries with first id in {@code [fromId, toId)}, at most {@code limit}; {@code bytesAtFrom} seeds the sums. */
        List<Entry> scan(long fromId, long toId, long bytesAtFrom, int limit);
    }

    /**
     * The outcome. {@code ruleCut[r]} is where rule {@code r} alone would cut; {@code cutId} is the
     * largest; {@code consumedRulesCut} the largest of the two consumed-data rules (must not exceed any
     * group's position when applied); {@code newHead} the first entry left, if known.
     */
    record Plan(long cutId, long bytesAtCut, long[] ruleCut, long consumedRulesCut, Entry newHead) {
        boolean deletesAnything(long currentCut) {
            return cutId > currentCut;
        }

        /** Messages deleted per rule, each attributed to the first rule (in {@link RetentionRule#ATTRIBUTION} order) that deletes it. */
        long[] deletedByRule(long currentCut) {
            long[] out = new long[RetentionRule.COUNT];
            long frontier = currentCut;
            for (RetentionRule rule : RetentionRule.ATTRIBUTION) {
                int r = rule.ordinal();
                if (ruleCut[r] > frontier) {
                    out[r] = ruleCut[r] - frontier;
                    frontier = ruleCut[r];
                }
            }
            return out;
        }
    }

    private interface Predicate {
        /** True only if the rule certainly deletes every entry of segment {@code i}. */
        boolean wholeSegment(int i);

        boolean test(Entry e);
    }

    /** Entries read per scan at first; doubled for each further scan of the same segment. */
    static final int FIRST_SCAN = 16;

    private final TopicSpace.Snapshot s;
    private final EntrySource source;
    private final int segments;
    private final Map<Integer, SegmentEntries> loaded = new HashMap<>();

    RetentionPlanner(TopicSpace.Snapshot snapshot, EntrySource source) {
        this.s = snapshot;
        this.source = source;
        int closed = snapshot.segEnd().length;
        long lastClosedEnd = closed == 0 ? snapshot.cutId() : snapshot.segEnd()[closed - 1];
        // The open segment, if it holds anything, is one more (virtual) segment ending at the tail.
        this.segments = closed + (snapshot.tailEnd() > lastClosedEnd ? 1 : 0);
    }

    /**
     * @param minPosition the smallest position of any group, {@link #NOTHING_CONSUMED} if there is none
     * @param head        the first retained entry if known, else null (then it is read)
     */
    Plan plan(RetentionPolicy p, long now, long minPosition, Entry head) {
        return plan(p, now, minPosition, head, NO_EXPIRY);
    }

    /**
     * @param minPosition the smallest position of any group, {@link #NOTHING_CONSUMED} if there is none
     * @param head        the first retained entry if known, else null (then it is read)
     * @param expiry      when an entry's messages have all expired
     */
    Plan plan(RetentionPolicy p, long now, long minPosition, Entry head, ExpirySource expiry) {
        long[] cut = new long[RetentionRule.COUNT];
        long[] bytes = new long[RetentionRule.COUNT];
        java.util.Arrays.fill(cut, s.cutId());
        java.util.Arrays.fill(bytes, s.deletedBytes());
        if (segments == 0) {
            return new Plan(s.cutId(), s.deletedBytes(), cut, s.cutId(), null);
        }
        Entry first = head != null && head.firstId() == s.cutId() ? head : firstEntry();

        if (p.maxRetentionBytes() >= 0) {
            long x = s.producedBytes() - p.maxRetentionBytes();
            apply(RetentionRule.MAX_RETENTION_BYTES, cut, bytes, first, new Predicate() {
                public boolean wholeSegment(int i) {
                    return endBytes(i) <= x;
                }

                public boolean test(Entry e) {
                    return e.bytesAtStart() < x;
                }
            });
        }
        if (p.maxRetentionTime() >= 0) {
            long t = now - p.maxRetentionTime();
            apply(RetentionRule.MAX_RETENTION_TIME, cut, bytes, first, timeBefore(t, Long.MAX_VALUE));
        }
        if (p.retentionTime() >= 0) {
            long t = now - p.retentionTime();
            apply(RetentionRule.RETENTION_TIME, cut, bytes, first, timeBefore(t, minPosition));
        }
        if (p.retentionBytes() >= 0 && first.endId() <= minPosition
                && consumedBytesUpperBound(minPosition) - s.deletedBytes() > p.retentionBytes()) {
            long[] consumed = walk(first, consumedBy(minPosition));
            long x = consumed[1] - p.retentionBytes();
            apply(RetentionRule.RETENTION_BYTES, cut, bytes, first, new Predicate() {
                public boolean wholeSegment(int i) {
                    return end(i) <= minPosition && endBytes(i) <= x;
                }

                public boolean test(Entry e) {
                    return e.endId() <= minPosition && e.bytesAtStart() < x;
                }
            });
        }

        if (expiry != NO_EXPIRY) {
            long[] c = walkExpired(first, e -> expiry.latestExpiry(e) <= now);
            cut[RetentionRule.EXPIRED.ordinal()] = c[0];
            bytes[RetentionRule.EXPIRED.ordinal()] = c[1];
        }

        int best = 0;
        for (int r = 1; r < RetentionRule.COUNT; r++) {
            if (cut[r] > cut[best]) {
                best = r;
            }
        }
        long consumedRulesCut = Math.max(cut[RetentionRule.RETENTION_TIME.ordinal()],
                cut[RetentionRule.RETENTION_BYTES.ordinal()]);
        return new Plan(cut[best], bytes[best], cut, consumedRulesCut, entryStartingAt(cut[best], first));
    }

    private void apply(RetentionRule rule, long[] cut, long[] bytes, Entry first, Predicate p) {
        long[] c = walk(first, p);
        cut[rule.ordinal()] = c[0];
        bytes[rule.ordinal()] = c[1];
    }

    /** The longest prefix of entries satisfying {@code p}: {cut id, cumulative bytes at the cut}. */
    private long[] walk(Entry first, Predicate p) {
        long cutId = s.cutId();
        long cutBytes = s.deletedBytes();
        if (!p.test(first)) {
            return new long[] {cutId, cutBytes}; // the cheap, common answer: nothing to delete
        }
        for (int i = 0; i < segments; i++) {
            if (p.wholeSegment(i)) {
                cutId = end(i);
                cutBytes = endBytes(i);
                continue;
            }
            SegmentEntries entries = entries(i);
            for (int k = 0; ; k++) {
                Entry e = entries.get(k);
                if (e == null) {
                    break;
                }
                if (!p.test(e)) {
                    return new long[] {cutId, cutBytes};
                }
                cutId = e.endId();
                cutBytes = e.bytesAtEnd();
            }
        }
        return new long[] {cutId, cutBytes};
    }

    /**
     * The longest prefix of entries that have expired, as {@link #walk} but entry by entry (no segment
     * says when its messages expire) and at most {@link #EXPIRY_SCAN_LIMIT} entries a pass.
     */
    private long[] walkExpired(Entry first, java.util.function.Predicate<Entry> expired) {
        long cutId = s.cutId();
        long cutBytes = s.deletedBytes();
        if (!expired.test(first)) {
            return new long[] {cutId, cutBytes};
        }
        int examined = 0;
        for (int i = 0; i < segments; i++) {
            SegmentEntries entries = entries(i);
            for (int k = 0; ; k++) {
                Entry e = entries.get(k);
                if (e == null) {
                    break;
                }
                if (++examined > EXPIRY_SCAN_LIMIT || !expired.test(e)) {
                    return new long[] {cutId, cutBytes};
                }
                cutId = e.endId();
                cutBytes = e.bytesAtEnd();
            }
        }
        return new long[] {cutId, cutBytes};
    }

    private Predicate timeBefore(long t, long minPosition) {
        return new Predicate() {
            public boolean wholeSegment(int i) {
                return end(i) <= minPosition && lastTime(i) < t;
            }

            public boolean test(Entry e) {
                return e.endId() <= minPosition && e.publishTime() < t;
            }
        };
    }

    private Predicate consumedBy(long minPosition) {
        return new Predicate() {
            public boolean wholeSegment(int i) {
                return end(i) <= minPosition;
            }

            public boolean test(Entry e) {
                return e.endId() <= minPosition;
            }
        };
    }

    /** Cumulative bytes at the end of the segment holding the position: at least the consumed data's end. */
    private long consumedBytesUpperBound(long minPosition) {
        for (int i = 0; i < segments; i++) {
            if (end(i) > minPosition) {
                return endBytes(i);
            }
        }
        return s.producedBytes();
    }

    private Entry entryStartingAt(long id, Entry first) {
        if (first.firstId() == id) {
            return first;
        }
        for (SegmentEntries list : loaded.values()) {
            for (Entry e : list.list) {
                if (e.firstId() == id) {
                    return e;
                }
            }
        }
        return null;
    }

    private Entry firstEntry() {
        List<Entry> one = source.scan(s.cutId(), end(0), s.deletedBytes(), 1);
        if (one.isEmpty()) {
            throw StorageLayout.corrupt("retention: no stored entry at or after id " + s.cutId()
                    + " although the topic accounts for messages up to " + s.tailEnd(), null);
        }
        return one.get(0);
    }

    private SegmentEntries entries(int i) {
        return loaded.computeIfAbsent(i, SegmentEntries::new);
    }

    /**
     * The entries of one segment, read lazily from its start in growing scans: a rule usually stops
     * after a few entries (the common pass deletes one produce's worth), so a pass reads about what
     * it deletes, not the whole segment.
     */
    private final class SegmentEntries {
        final int segment;
        final List<Entry> list = new java.util.ArrayList<>();
        boolean complete;

        SegmentEntries(int segment) {
            this.segment = segment;
        }

        /** The k-th entry of the segment, or null past its end. */
        Entry get(int k) {
            while (k >= list.size() && !complete) {
                loadMore();
            }
            return k < list.size() ? list.get(k) : null;
        }

        private void loadMore() {
            Entry last = list.isEmpty() ? null : list.get(list.size() - 1);
            long from = last == null ? start(segment) : last.endId();
            long bytes = last == null ? startBytes(segment) : last.bytesAtEnd();
            int want = Math.max(FIRST_SCAN, list.size());
            List<Entry> more = source.scan(from, end(segment), bytes, want);
            list.addAll(more);
            Entry now = list.isEmpty() ? null : list.get(list.size() - 1);
            if (more.size() < want || (now != null && now.endId() >= end(segment))) {
                complete = true;
                long at = now == null ? startBytes(segment) : now.bytesAtEnd();
                long endId = now == null ? start(segment) : now.endId();
                if (at != endBytes(segment) || endId != end(segment)) {
                    throw StorageLayout.corrupt("retention: entries of ids [" + start(segment) + ", " + end(segment)
                            + ") end at id " + endId + " and hold " + (at - startBytes(segment))
                            + " bytes; the index says " + (endBytes(segment) - startBytes(segment)), null);
                }
            }
        }
    }

    private int closed() {
        return s.segEnd().length;
    }

    private long start(int i) {
        return i == 0 ? s.cutId() : s.segEnd()[i - 1];
    }

    private long startBytes(int i) {
        return i == 0 ? s.deletedBytes() : s.segBytes()[i - 1];
    }

    private long end(int i) {
        return i < closed() ? s.segEnd()[i] : s.tailEnd();
    }

    private long endBytes(int i) {
        return i < closed() ? s.segBytes()[i] : s.producedBytes();
    }

    private long lastTime(int i) {
        return i < closed() ? s.segTime()[i] : s.tailTime();
    }
}
