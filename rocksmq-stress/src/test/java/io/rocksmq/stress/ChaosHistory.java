package io.rocksmq.stress;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The recorded history of one chaos episode and the checks run on it afterwards.
 *
 * <h2>Checked and wild groups</h2>
 * A checked group's consumes hold the read side of its {@link GroupLog#admin} lock and its create,
 * destroy and seek the write side, so every consume is attributed to one incarnation and one
 * stretch between seeks; they still race with each other, with produce, notify, register, await and
 * exists, and with the admin operations of every other group. A wild group's consumes take no test
 * lock and race with its own destroy and seeks too; for those only per-run checks apply (ids
 * consecutive, payloads those produced with the ids) plus the registration and exception checks.
 *
 * <h2>Attributing consumes to a group's life</h2>
 * Each group name has an {@link GroupLog#epoch}: every create, destroy or seek of it bumps it to odd
 * before the call and to even after, and appends the {@link Segment} that starts at that even value.
 * A consume records the epoch it ran in (always even and stable for a checked group, see above). The
 * runs of one segment (one incarnation, between two seeks), sorted by first id, must tile a gap-free,
 * overlap-free range from the segment's start; at the end of the episode the last segment of every
 * live checked group must reach the topic's newest message.
 *
 * <p>Thread-safe for recording (each thread owns its {@link Recorder}); checking runs after all
 * recording threads stopped.
 */
final class ChaosHistory {
    static final int KIND_RUN = 0;
    static final int KIND_NOT_FOUND = 1;
    static final int KIND_EXISTS_TRUE = 2;
    static final int KIND_EXISTS_FALSE = 3;
    /** A consume of a wild group: only its ids and payloads are checked. */
    static final int KIND_WILD_RUN = 4;
    /** Record: kind, group, e1, e2, first id, count, payload hash. */
    private static final int REC = 7;

    /** One incarnation's stretch between two admin operations. startMin == startMax when known exactly. */
    record Segment(boolean live, long startMin, long startMax, String how) {
    }

    /** Test-side state of one consumer-group name. */
    static final class GroupLog {
        final int index;
        final int topic;
        final String name;
        /** Write side: create, destroy, seek of this group name; read side: a checked group's consumes. */
        final ReentrantReadWriteLock admin = new ReentrantReadWriteLock();
        final boolean wild;
        final AtomicLong epoch = new AtomicLong();
        /**
         * Destroys begun and ended so far. A registration made while {@code destroysEnded == n} belongs to
         * an incarnation whose destroy is number {@code > n}: GROUP_DESTROYED needs {@code destroysBegun > n}.
         */
        final AtomicLong destroysBegun = new AtomicLong();
        final AtomicLong destroysEnded = new AtomicLong();
        /** Segment k starts at epoch 2k; appended under {@link #admin}. */
        final List<Segment> segments = new ArrayList<>();
        /** Under {@link #admin}. */
        boolean live;

        GroupLog(int index, int topic, String name, long firstId, boolean wild) {
            this.index = index;
            this.wild = wild;
            this.topic = topic;
            this.name = name;
            this.segments.add(new Segment(true, firstId, firstId, "created"));
            this.live = true;
        }
    }

    /** What one thread saw; single-threaded. */
    static final class Recorder {
        final LongList records = new LongList();
        /** topic, first id, count, tag base. */
        final LongList produces = new LongList();

        void record(int kind, GroupLog g, long e1, long e2, long first, long count, long hash) {
            records.add(kind);
            records.add(g.index);
            records.add(e1);
            records.add(e2);
            records.add(first);
            records.add(count);
            records.add(hash);
        }

        void produced(int topic, long firstId, int count, long tagBase) {
            produces.add(topic);
            produces.add(firstId);
            produces.add(count);
            produces.add(tagBase);
        }
    }

    final List<GroupLog> groups = new ArrayList<>();
    final List<Recorder> recorders = new ArrayList<>();
    final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    final long[] firstIds;
    long certainRuns;

    ChaosHistory(long[] firstIds) {
        this.firstIds = firstIds;
    }

    synchronized Recorder newRecorder() {
        Recorder r = new Recorder();
        recorders.add(r);
        return r;
    }

    void violation(String what) {
        if (violations.size() < 50) {
            violations.add(what);
        }
    }

    /** Order-sensitive hash of a run's payload tags; the checker recomputes it from the produces. */
    static long hashStep(long hash, long tag) {
        return hash * 31 + tag;
    }

    /**
     * Checks every invariant; {@code latestIds[t]} is the topic's newest id after the final drain,
     * {@code drained} the groups whose last segment must reach it.
     */
    void check(long[] latestIds, boolean[] drained) {
        long[][] tags = tagsById(latestIds);
        List<List<long[]>> byGroup = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            byGroup.add(new ArrayList<>());
        }
        for (Recorder r : recorders) {
            for (int i = 0; i < r.records.size(); i += REC) {
                long[] rec = new long[REC];
                for (int j = 0; j < REC; j++) {
                    rec[j] = r.records.get(i + j);
                }
                byGroup.get((int) rec[1]).add(rec);
            }
        }
        for (GroupLog g : groups) {
            checkGroup(g, byGroup.get(g.index), tags[g.topic], latestIds[g.topic], drained[g.index]);
        }
    }

    private long[][] tagsById(long[] latestIds) {
        long[][] tags = new long[firstIds.length][];
        for (int t = 0; t < firstIds.length; t++) {
            tags[t] = new long[(int) (latestIds[t] - firstIds[t] + 1)];
        }
        for (Recorder r : recorders) {
            for (int i = 0; i < r.produces.size(); i += 4) {
                int t = (int) r.produces.get(i);
                long first = r.produces.get(i + 1);
                long count = r.produces.get(i + 2);
                long base = r.produces.get(i + 3);
                for (long k = 0; k < count; k++) {
                    int slot = (int) (first + k - firstIds[t]);
                    if (slot < 0 || slot >= tags[t].length) {
                        violation("topic " + t + ": produce returned id " + (first + k) + " outside ["
                                + firstIds[t] + ", " + latestIds[t] + "]");
                    } else if (tags[t][slot] != 0) {
                        violation("topic " + t + ": id " + (first + k) + " given to two produced messages");
                    } else {
                        tags[t][slot] = base + k;
                    }
                }
            }
        }
        for (int t = 0; t < tags.length; t++) {
            for (int slot = 0; slot < tags[t].length; slot++) {
                if (tags[t][slot] == 0) {
                    violation("topic " + t + ": id " + (firstIds[t] + slot) + " below the latest id was never produced");
                    break;
                }
            }
        }
        return tags;
    }

    private void checkGroup(GroupLog g, List<long[]> recs, long[] tags, long latest, boolean drained) {
        String who = "topic " + g.topic + " group " + g.name;
        int segCount = g.segments.size();
        List<List<long[]>> runs = new ArrayList<>();
        for (int s = 0; s < segCount; s++) {
            runs.add(new ArrayList<>());
        }
        for (long[] rec : recs) {
            int kind = (int) rec[0];
            if (kind == KIND_RUN || kind == KIND_WILD_RUN) {
                checkPayload(who, rec, tags, latest);
            }
            if (g.wild) {
                continue;
            }
            long e1 = rec[2];
            if (e1 != rec[3] || (e1 & 1) != 0) {
                if (kind == KIND_RUN || kind == KIND_NOT_FOUND) {
                    // Impossible for a checked group: its consumes exclude its admin operations.
                    violation(who + ": test bug: consume not attributable to one segment (epochs " + e1 + ".."
                            + rec[3] + ")");
                }
                continue; // an exists() that overlapped an admin operation: either answer is right
            }
            int s = (int) (e1 / 2);
            Segment seg = g.segments.get(s);
            if (kind == KIND_RUN) {
                certainRuns++;
                if (!seg.live) {
                    violation(who + ": consumed " + runText(rec) + " while destroyed (segment " + s + ")");
                }
                runs.get(s).add(rec);
            } else if (seg.live && kind == KIND_NOT_FOUND) {
                violation(who + ": consume said 'not found' while the group was live (segment " + s + ")");
            } else if (kind == KIND_EXISTS_TRUE && !seg.live) {
                violation(who + ": exists() true while destroyed (segment " + s + ")");
            } else if (kind == KIND_EXISTS_FALSE && seg.live) {
                violation(who + ": exists() false while live (segment " + s + ")");
            }
        }
        long end = -1;
        for (int s = 0; s < segCount; s++) {
            end = tile(who, s, g.segments.get(s), runs.get(s));
        }
        if (drained && g.segments.get(segCount - 1).live && end < latest + 1) {
            violation(who + ": after the final drain the group's last segment reaches " + (end - 1)
                    + ", the topic's latest id is " + latest + ": messages lost");
        }
    }

    /**
     * Checks that one segment's runs, sorted by first id, tile a gap-free, overlap-free range from the
     * segment's start; returns the id after the last one (the start if there is none).
     */
    private long tile(String who, int s, Segment seg, List<long[]> runs) {
        if (!seg.live || runs.isEmpty()) {
            return seg.startMin;
        }
        runs.sort(Comparator.comparingLong(r -> r[4]));
        long expected = runs.get(0)[4];
        if (expected < seg.startMin || expected > seg.startMax) {
            violation(who + ": segment " + s + " (" + seg.how + ") starts consuming at " + expected
                    + ", expected within [" + seg.startMin + ", " + seg.startMax + "]: "
                    + (expected > seg.startMax ? "messages lost" : "messages before the seek returned"));
        }
        for (long[] run : runs) {
            if (run[4] > expected) {
                violation(who + ": segment " + s + " (" + seg.how + ") lost ids " + expected + ".." + (run[4] - 1)
                        + " (next consumed run " + runText(run) + ")");
            } else if (run[4] < expected) {
                violation(who + ": segment " + s + " (" + seg.how + ") returned ids again: " + runText(run)
                        + " but already consumed up to " + (expected - 1));
            }
            expected = Math.max(expected, run[4] + run[5]);
        }
        return expected;
    }

    private void checkPayload(String who, long[] rec, long[] tags, long latest) {
        long first = rec[4];
        long count = rec[5];
        long base = latest + 1 - tags.length;
        if (first < base || first + count - 1 > latest) {
            violation(who + ": consumed ids " + runText(rec) + " outside the produced range");
            return;
        }
        long hash = 0;
        for (long id = first; id < first + count; id++) {
            hash = hashStep(hash, tags[(int) (id - base)]);
        }
        if (hash != rec[6]) {
            violation(who + ": payloads of " + runText(rec) + " do not match what was produced with those ids");
        }
    }

    private static String runText(long[] rec) {
        return "[" + rec[4] + ".." + (rec[4] + rec[5] - 1) + "]";
    }

    @Override
    public String toString() {
        return "checked runs " + certainRuns + ", violations "
                + Arrays.toString(violations.toArray());
    }
}
