package io.rocksmq.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The planner against a brute-force model that applies every rule entry by entry, on random topics:
 * random entry sizes, counts and publish times, arbitrary segmentation of the index, an arbitrary
 * earlier cut, random policies and group positions, and (in half the runs) random expiry times per
 * entry. Seeded; the seed is in the failure message.
 */
class RetentionPlannerTest {
    private static final long START = 1_000;

    record Model(List<RetentionPlanner.Entry> entries, TopicSpace.Snapshot snapshot) {
    }

    @Test
    void plannerAgreesWithEntryByEntryModel() {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        for (int iteration = 0; iteration < 3000; iteration++) {
            String context = "seed " + seed + ", iteration " + iteration;
            Model m = randomTopic(rnd);
            List<RetentionPlanner.Entry> kept = m.entries().stream()
                    .filter(e -> e.firstId() >= m.snapshot().cutId()).toList();
            long now = kept.isEmpty() ? 50_000 : kept.get(0).publishTime() + rnd.nextInt(3000);
            RetentionPolicy p = new RetentionPolicy(limit(rnd, 2000), limit(rnd, 5000), limit(rnd, 2000), limit(rnd, 8000));
            long minPos = rnd.nextInt(4) == 0 ? Long.MAX_VALUE
                    : START + rnd.nextInt((int) (m.snapshot().tailEnd() - START + 2));
            java.util.Map<Long, Integer> reads = new java.util.HashMap<>();
            RetentionPlanner.EntrySource source = (from, to, bytesAtFrom, limit) -> {
                List<RetentionPlanner.Entry> out = new ArrayList<>();
                for (RetentionPlanner.Entry e : m.entries()) {
                    if (e.firstId() >= from && e.firstId() < to && out.size() < limit) {
                        if (out.isEmpty()) {
                            assertThat(e.bytesAtStart()).as(context).isEqualTo(bytesAtFrom);
                        }
                        out.add(e);
                        if (limit > 1) {
                            reads.merge(e.firstId(), 1, Integer::sum);
                        }
                    }
                }
                return out;
            };
            RetentionPlanner.Entry head = kept.isEmpty() || rnd.nextBoolean() ? null
                    : rnd.nextBoolean() ? kept.get(0) : m.entries().get(0); // the last may be stale
            java.util.Map<Long, Long> expiresAt = new java.util.HashMap<>();
            for (RetentionPlanner.Entry e : m.entries()) {
                expiresAt.put(e.firstId(), rnd.nextInt(4) == 0 ? BatchFormat.NEVER : e.publishTime() + rnd.nextInt(2000));
            }
            RetentionPlanner.ExpirySource expiry = rnd.nextBoolean() ? RetentionPlanner.NO_EXPIRY
                    : e -> expiresAt.get(e.firstId());
            RetentionPlanner.Plan plan = new RetentionPlanner(m.snapshot(), source).plan(p, now, minPos, head, expiry);
            long[] expected = model(kept, m.snapshot(), p, now, minPos,
                    e -> expiry != RetentionPlanner.NO_EXPIRY && expiresAt.get(e.firstId()) <= now);

            assertThat(plan.ruleCut()).as(context).containsExactly(
                    expected[0], expected[1], expected[2], expected[3], expected[4]);
            long cut = java.util.Arrays.stream(expected).max().orElseThrow();
            assertThat(plan.cutId()).as(context).isEqualTo(cut);
            assertThat(plan.bytesAtCut()).as(context).isEqualTo(bytesAt(kept, m.snapshot(), cut));
            if (plan.newHead() != null) {
                assertThat(plan.newHead().firstId()).as(context).isEqualTo(cut);
            }
            long[] by = plan.deletedByRule(m.snapshot().cutId());
            assertThat(java.util.Arrays.stream(by).sum()).as(context).isEqualTo(cut - m.snapshot().cutId());
            assertThat(reads.values()).as(context + ": an entry read twice").allMatch(n -> n == 1);
        }
    }

    @Test
    void aPassReadsAboutWhatItDeletesNotTheWholeSegment() {
        TopicSpace space = new TopicSpace(START, START, 0, 0);
        List<RetentionPlanner.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            entries.add(new RetentionPlanner.Entry(START + i, START + i + 1, 100L * i, 100L * (i + 1), 5));
            space.appended(START + i + 1, 100L * (i + 1), 5, false); // one open segment of 1000 entries
        }
        int[] read = new int[1];
        RetentionPlanner.EntrySource source = (from, to, bytesAtFrom, limit) -> {
            List<RetentionPlanner.Entry> out = entries.stream()
                    .filter(e -> e.firstId() >= from && e.firstId() < to).limit(limit).toList();
            read[0] += out.size();
            return out;
        };
        RetentionPlanner.Plan plan = new RetentionPlanner(space.snapshot(), source)
                .plan(RetentionPolicy.KEEP_ALL.withMaxRetentionBytes(100L * 997), 10, Long.MAX_VALUE, entries.get(0));
        assertThat(plan.cutId()).isEqualTo(START + 3);
        assertThat(read[0]).isLessThanOrEqualTo(RetentionPlanner.FIRST_SCAN);
        assertThat(plan.newHead()).isEqualTo(entries.get(3));
    }

    private static long limit(Random rnd, int max) {
        return rnd.nextInt(3) == 0 ? RetentionPolicy.UNLIMITED : rnd.nextInt(max);
    }

    /** Per rule (in RetentionRule order): where it alone cuts. */
    private static long[] model(List<RetentionPlanner.Entry> kept, TopicSpace.Snapshot s, RetentionPolicy p,
                                long now, long minPos, java.util.function.Predicate<RetentionPlanner.Entry> expired) {
        long consumedEnd = s.deletedBytes();
        for (RetentionPlanner.Entry e : kept) {
            if (e.endId() <= minPos) {
                consumedEnd = e.bytesAtEnd();
            }
        }
        long ce = consumedEnd;
        long[] out = new long[5];
        out[0] = prefix(kept, s, e -> p.retentionTime() >= 0 && e.endId() <= minPos
                && e.publishTime() < now - p.retentionTime());
        out[1] = prefix(kept, s, e -> p.retentionBytes() >= 0 && e.endId() <= minPos
                && ce - e.bytesAtStart() > p.retentionBytes());
        out[2] = prefix(kept, s, e -> p.maxRetentionTime() >= 0 && e.publishTime() < now - p.maxRetentionTime());
        out[3] = prefix(kept, s, e -> p.maxRetentionBytes() >= 0
                && s.producedBytes() - e.bytesAtStart() > p.maxRetentionBytes());
        out[4] = prefix(kept, s, expired);
        return out;
    }

    private static long prefix(List<RetentionPlanner.Entry> kept, TopicSpace.Snapshot s,
                               java.util.function.Predicate<RetentionPlanner.Entry> delete) {
        long cut = s.cutId();
        for (RetentionPlanner.Entry e : kept) {
            if (!delete.test(e)) {
                break;
            }
            cut = e.endId();
        }
        return cut;
    }

    private static long bytesAt(List<RetentionPlanner.Entry> kept, TopicSpace.Snapshot s, long id) {
        long at = s.deletedBytes();
        for (RetentionPlanner.Entry e : kept) {
            if (e.endId() <= id) {
                at = e.bytesAtEnd();
            }
        }
        return at;
    }

    /** A topic of random produces, an arbitrarily segmented index, and an earlier cut. */
    private static Model randomTopic(Random rnd) {
        TopicSpace space = new TopicSpace(START, START, 0, 0);
        List<RetentionPlanner.Entry> entries = new ArrayList<>();
        long id = START;
        long bytes = 0;
        long time = 10_000;
        int produces = rnd.nextInt(30);
        for (int i = 0; i < produces; i++) {
            time += rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(200);
            int chunks = 1 + rnd.nextInt(3);
            for (int c = 0; c < chunks; c++) {
                int count = 1 + rnd.nextInt(4);
                long size = 20 + rnd.nextInt(500);
                entries.add(new RetentionPlanner.Entry(id, id + count, bytes, bytes + size, time));
                id += count;
                bytes += size;
            }
            space.appended(id, bytes, time, rnd.nextInt(3) == 0);
        }
        int cutAt = entries.isEmpty() ? 0 : rnd.nextInt(entries.size() + 1);
        if (cutAt > 0 && rnd.nextBoolean()) {
            RetentionPlanner.Entry last = entries.get(cutAt - 1);
            space.truncate(last.endId(), last.bytesAtEnd(), new long[RetentionRule.COUNT]);
        }
        return new Model(entries, space.snapshot());
    }
}
