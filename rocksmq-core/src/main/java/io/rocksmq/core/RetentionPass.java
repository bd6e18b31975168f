package io.rocksmq.core;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies retention to one topic: plans the cut ({@link RetentionPlanner}), deletes the entries below
 * it, moves groups that had not read them, and hands the deleted prefix to the {@link SpaceReclaimer}.
 *
 * <h2>Logical, then physical deletion</h2>
 * The deletion itself is the new retention state (the cut id) in the metadata: from the moment it is
 * written, and after any restart, readers start at the cut ({@link MessageReader}), so the entries
 * below it are gone for every reader. Their bytes go afterwards: the reclaimer drops the files that
 * lie wholly below the cut at once and cleans the remnant in bulk (see there for why not a range
 * tombstone per deletion). That keeps a deletion cheap enough to run whenever a topic crosses its cap,
 * which is what holds a topic to its cap plus one entry.
 *
 * <h2>Ordering and locks</h2>
 * <ol>
 *   <li>Plan without locks, from a snapshot of the accounting (in memory, never under the topic's
 *       produce lock) and the groups' volatile positions. Reads at most a segment or two. Only when the
 *       expiry rule finds an expired entry does the plan ask the shared groups, each under its own
 *       position lock and one at a time, for the lowest message their workers hold (the rule stops
 *       before it); a pass with nothing expired takes no position lock.</li>
 *   <li>Take the topic's admin lock (no group can be created or destroyed meanwhile), enter every
 *       active group and take their position locks in name order (consume holds at most one, so no
 *       deadlock): from here no position moves. If a consumed-data rule would now delete past some
 *       group's position (a seek backwards or a new group happened), or the expiry rule deletes
 *       something and the topic's default time-to-live changed since the plan (its change takes the
 *       admin lock; reads apply the new value at once), or past a message a shared group's worker
 *       acquired since the plan (the rule stops before held messages), give up and plan again.</li>
 *   <li>One {@code WriteBatch}: the new retention state, the deletion of the index segments below
 *       the cut, and the moved positions and skip counters of groups that had not read what a hard cap
 *       deleted (a group moved past expired messages counts no skip: it could never have been given
 *       them). Then the cut in memory, the positions, and the expired counts: a group moved past
 *       expired messages it had not read (a shared group: not finished) counts them as expired, as its
 *       read would have, so the count does not depend on whether retention or the read came first. The
 *       count rides on the position move, which is in the write: a second pass or a restart finds the
 *       group past the cut and counts nothing again. Then release everything.</li>
 *   <li>Release the deleted prefixes of all topics to the reclaimer once another half write buffer
 *       is deleted queue-wide (whole files dropped on this thread, no lock held; the rest, and any
 *       compaction, on the reclaimer's thread). The full pass sweeps what a quiet topic left.</li>
 * </ol>
 * Produce is never blocked by retention (the segment lock it shares is held for array copies only);
 * consume on the topic for the duration of one small write; other topics never.
 *
 * <p>Thread-safe for one caller at a time: {@link Retention} runs passes one after another.
 */
final class RetentionPass {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionPass.class);
    private static final int ATTEMPTS = 3;

    private final RocksStore store;
    private final SpaceReclaimer reclaimer;
    private final long releaseStepBytes;
    /** Topics with deletions not yet released, and their cut; the pass's own (one pass at a time). */
    private final Map<Topic, Long> unreleased = new LinkedHashMap<>();
    /** Bytes deleted by all topics together since the last release. */
    private long unreleasedBytes;
    /** Runs between a plan and its cut (tests: a change that races the pass); nothing in production. */
    private volatile Runnable afterPlan = () -> { };

    /**
     * @param releaseStepBytes bytes deleted (by all topics together) between two releases to the
     *                         reclaimer: releasing after every small deletion would mostly find no
     *                         whole file to drop
     */
    RetentionPass(RocksStore store, SpaceReclaimer reclaimer, long releaseStepBytes) {
        this.store = store;
        this.reclaimer = reclaimer;
        this.releaseStepBytes = releaseStepBytes;
    }

    /** Tests: {@code action} runs after each plan, before its cut is written. */
    void afterPlanForTest(Runnable action) {
        afterPlan = action;
    }

    /** Runs retention on a topic the caller has entered; returns the number of messages deleted. */
    long run(Topic t, long now) {
        TopicSpace space = t.space();
        try {
            RetentionPolicy policy = space.effective();
            if (!policy.limitsAnything()) {
                return 0;
            }
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                TopicSpace.Snapshot s = space.snapshot();
                if (s.retainedMessages() <= 0) {
                    space.head(null);
                    return 0;
                }
                RetentionPlanner planner = new RetentionPlanner(s,
                        (from, to, bytesAtFrom, limit) -> EntryScanner.scan(store, t.id(), from, to, bytesAtFrom, limit));
                long ttl = t.defaultTtlMillis(); // the plan's; the cut, under the admin lock, checks it still holds
                RetentionPlanner.Plan plan = planner.plan(policy, now, minPosition(t), space.head(),
                        expiry(t, ttl, now, new LowestHeld(t.groups(), now)));
                if (!plan.deletesAnything(s.cutId())) {
                    space.head(plan.newHead());
                    return 0;
                }
                afterPlan.run();
                long deleted = apply(t, s, plan, ttl, now);
                if (deleted >= 0) {
                    return deleted;
                }
            }
            LOG.info("topic '{}': group positions kept moving back during retention; trying again next pass", t.name());
            return 0;
        } finally {
            space.passed(now);
        }
    }

    /**
     * When an entry's messages have all expired: from its header alone when they carry no expiry of
     * their own (the topic's default time-to-live, or never), else by reading the entry. An expired entry
     * holding a message a shared group's worker has in flight counts as never expiring: the rule stops
     * before it. Only an expired entry asks {@code held}, so a pass that finds nothing expired takes no
     * shared group's position lock.
     */
    private RetentionPlanner.ExpirySource expiry(Topic t, long ttl, long now, LowestHeld held) {
        return e -> {
            long latest = e.ownExpiry() ? EntryScanner.latestExpiry(store, t.id(), e.firstId(), ttl)
                    : BatchFormat.expiryByDefault(e.publishTime(), ttl);
            return latest <= now && e.endId() > held.get() ? BatchFormat.NEVER : latest;
        };
    }

    /**
     * The lowest message a shared group of the topic holds in flight, {@link Long#MAX_VALUE} if none,
     * computed on first use and then kept for the rest of the plan. Computing it takes each shared
     * group's position lock in turn (one at a time, as a consume does), which is why it waits until the
     * expiry rule has something to delete. A worker that acquires a message after it was computed is
     * caught under the locks before the cut ({@code cutUnderLocks}), as before.
     *
     * <p>Not thread-safe: used by the one thread planning the pass.
     */
    private static final class LowestHeld {
        private final Iterable<ConsumerGroup> groups;
        private final long now;
        private boolean computed;
        private long lowest;

        LowestHeld(Iterable<ConsumerGroup> groups, long now) {
            this.groups = groups;
            this.now = now;
        }

        long get() {
            if (!computed) {
                lowest = compute();
                computed = true;
            }
            return lowest;
        }

        private long compute() {
            long min = Long.MAX_VALUE;
            for (ConsumerGroup g : groups) {
                if (g.shared() != null && g.lifecycle().tryEnter()) {
                    try {
                        min = Math.min(min, g.underPositionLock(() -> g.shared().lowestInFlight(g.position(), now)));
                    } finally {
                        g.lifecycle().exit();
                    }
                }
            }
            return min;
        }
    }

    /**
     * The smallest position of the topic's groups: data below it is consumed. A topic without groups has
     * consumed nothing (its data waits for a reader; only the hard caps and expiry delete it).
     */
    private static long minPosition(Topic t) {
        long min = Long.MAX_VALUE;
        for (ConsumerGroup g : t.groups()) {
            if (g.lifecycle().isActive()) {
                min = Math.min(min, g.position());
            }
        }
        return min == Long.MAX_VALUE ? RetentionPlanner.NOTHING_CONSUMED : min;
    }

    /** Deletes per plan; returns the messages deleted, or -1 if the plan no longer holds. */
    private long apply(Topic t, TopicSpace.Snapshot s, RetentionPlanner.Plan plan, long plannedTtl, long now) {
        long cut = plan.cutId();
        long[] deletedNow = plan.deletedByRule(s.cutId());
        List<ConsumerGroup> groups = new ArrayList<>();
        Moved moved = t.underAdminLock(() -> cutUnderLocks(t, s, plan, plannedTtl, now, deletedNow, groups));
        if (moved == null) {
            return -1;
        }
        t.space().head(plan.newHead());
        unreleased.put(t, cut);
        unreleasedBytes += plan.bytesAtCut() - s.deletedBytes();
        if (unreleasedBytes >= releaseStepBytes) {
            releaseAll();
        }
        report(t, s, plan, deletedNow, groups, moved.skipped());
        return cut - s.cutId();
    }

    /**
     * Hands every topic's deleted prefix to the reclaimer. Counted queue-wide: a step per topic let
     * N topics each hold a step of deleted data that was never even offered for dropping.
     */
    private void releaseAll() {
        for (Map.Entry<Topic, Long> e : unreleased.entrySet()) {
            reclaimer.release(e.getKey(), e.getValue(), false);
        }
        unreleased.clear();
        unreleasedBytes = 0;
    }

    /**
     * Under the topic's admin lock: enters the active groups (into {@code groups}), takes their position
     * locks in name order, and, if no group moved back before the plan's cut and the default time-to-live
     * the expiry rule planned with still holds, writes the cut and
     * moves the groups it passed. Returns what each group was moved past, or null if the plan no longer
     * holds.
     */
    private Moved cutUnderLocks(Topic t, TopicSpace.Snapshot s, RetentionPlanner.Plan plan, long plannedTtl, long now,
                                 long[] deletedNow, List<ConsumerGroup> groups) {
        long cut = plan.cutId();
        if (plan.ruleCut()[RetentionRule.EXPIRED.ordinal()] > s.cutId() && t.defaultTtlMillis() != plannedTtl) {
            // The default time-to-live changed since the plan (a change takes this lock): what it judged
            // expired may not be any more, and reads already apply the new value. Plan again.
            return null;
        }
        for (ConsumerGroup g : t.groups()) {
            if (g.lifecycle().tryEnter()) {
                groups.add(g);
            }
        }
        groups.sort(Comparator.comparing(ConsumerGroup::name));
        int locked = 0;
        try {
            for (ConsumerGroup g : groups) {
                g.lockPosition();
                locked++;
            }
            for (ConsumerGroup g : groups) {
                if (g.position() < plan.consumedRulesCut()) {
                    return null;
                }
                if (g.shared() != null && g.shared().lowestInFlight(g.position(), now)
                        < plan.ruleCut()[RetentionRule.EXPIRED.ordinal()]) {
                    return null; // a worker acquired one of the expired messages since the plan
                }
            }
            Moved moved = write(t, s, plan, deletedNow, groups);
            t.space().truncate(cut, plan.bytesAtCut(), deletedNow);
            for (int i = 0; i < groups.size(); i++) {
                ConsumerGroup g = groups.get(i);
                if (g.position() < cut) {
                    long skipped = moved.skipped()[i];
                    g.position(cut);
                    g.skipped(g.skippedTotal() + skipped, g.skippedNotTaken() + skipped);
                    if (g.shared() != null) {
                        g.shared().expiredByRetention(moved.expired()[i]);
                    } else {
                        g.expiredByRetention(moved.expired()[i]);
                    }
                }
            }
            return moved;
        } finally {
            for (int i = locked - 1; i >= 0; i--) {
                groups.get(i).unlockPosition();
            }
            for (ConsumerGroup g : groups) {
                g.lifecycle().exit();
            }
        }
    }

    /**
     * Per group (in the order of the pass's group list), what the cut moved it past: unread messages a
     * hard cap deleted ({@code skipped}), and expired messages it had not read, or for a shared group
     * not finished ({@code expired}).
     */
    private record Moved(long[] skipped, long[] expired) {
    }

    /** The one atomic write; returns what each group is moved past. Caller holds the groups' position locks. */
    private Moved write(Topic t, TopicSpace.Snapshot s, RetentionPlanner.Plan plan, long[] deletedNow,
                         List<ConsumerGroup> groups) {
        long cut = plan.cutId();
        long[] skipped = new long[groups.size()];
        long[] expired = new long[groups.size()];
        long expiredCut = plan.ruleCut()[RetentionRule.EXPIRED.ordinal()];
        long[] totals = s.deletedByRule().clone();
        for (int r = 0; r < RetentionRule.COUNT; r++) {
            totals[r] += deletedNow[r];
        }
        try (WriteBatch batch = new WriteBatch()) {
            // Point deletes of the index records the cut passed: a pass usually passes none, and a
            // range tombstone per pass would pile up in the metadata family.
            for (long end : s.segEnd()) {
                if (end > cut) {
                    break;
                }
                batch.delete(store.meta(), StorageLayout.retentionSegmentKey(t.id(), end));
            }
            batch.put(store.meta(), StorageLayout.retentionStateKey(t.id()), StorageLayout.retentionStateValue(
                    new StorageLayout.RetentionState(cut, plan.bytesAtCut(), totals)));
            for (int i = 0; i < groups.size(); i++) {
                ConsumerGroup g = groups.get(i);
                long pos = g.position();
                if (pos < cut) {
                    // Ids are contiguous from the old cut, so these many messages were unread and are gone;
                    // those below the expiry rule's cut had expired (never deliverable), not skipped.
                    long unreadFrom = Math.max(pos, s.cutId());
                    skipped[i] = Math.max(0, cut - Math.max(unreadFrom, expiredCut));
                    expired[i] = expiredCut <= unreadFrom ? 0
                            : g.shared() != null ? g.shared().unfinishedIn(unreadFrom, expiredCut)
                            : expiredCut - unreadFrom;
                    batch.put(store.meta(), g.positionKey(), StorageLayout.positionValue(cut));
                    if (skipped[i] > 0) {
                        batch.put(store.meta(), StorageLayout.skipKey(t.id(), g.name()), StorageLayout.skipValue(
                                g.skippedTotal() + skipped[i], g.skippedNotTaken() + skipped[i]));
                    }
                } else if (g.pendingPosition() >= 0) {
                    // A commit interval left it unwritten: written with the cut, so that a crash never
                    // resumes the group below messages this pass deletes.
                    batch.put(store.meta(), g.positionKey(), StorageLayout.positionValue(pos));
                }
            }
            store.write(batch);
            for (ConsumerGroup g : groups) {
                if (g.position() >= cut && g.pendingPosition() >= 0) {
                    g.position(g.position());
                }
            }
        } catch (RocksDBException e) {
            throw RocksStore.storage("cannot build the retention batch of topic '" + t.name() + "'", e);
        }
        return new Moved(skipped, expired);
    }

    private static void report(Topic t, TopicSpace.Snapshot s, RetentionPlanner.Plan plan, long[] deletedNow,
                               List<ConsumerGroup> groups, long[] skipped) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("topic '{}': retention deleted ids [{}, {}) ({} bytes); by rule {}", t.name(), s.cutId(),
                    plan.cutId(), plan.bytesAtCut() - s.deletedBytes(), java.util.Arrays.toString(deletedNow));
        }
        for (int i = 0; i < groups.size(); i++) {
            if (skipped[i] > 0) {
                LOG.warn("topic '{}' group '{}': retention hard cap deleted {} unread messages (ids up to {}); "
                                + "the group now starts at id {} (maxRetentionTime deleted {}, maxRetentionBytes deleted {} "
                                + "messages of the topic in this pass)", t.name(), groups.get(i).name(), skipped[i],
                        plan.cutId() - 1, plan.cutId(), deletedNow[RetentionRule.MAX_RETENTION_TIME.ordinal()],
                        deletedNow[RetentionRule.MAX_RETENTION_BYTES.ordinal()]);
            }
        }
    }
}
