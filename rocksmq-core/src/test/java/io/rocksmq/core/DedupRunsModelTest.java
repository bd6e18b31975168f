package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The window against a plain map model, over seeded random histories that mix ids of the sequence
 * form (kept as runs, {@link DedupRuns}) with look-alikes that are not of it ({@code p:07}, {@code p:+7},
 * 19 digits) and other strings; retries of old sequences, producers that go back (spilled to the
 * general path), repeats inside one batch, time moving past the window, purges and restarts (a new
 * {@link Deduplication} loading the log). Every message's answer must equal the model's: the original's
 * message id while the id was stored within the window, else the next free id.
 */
class DedupRunsModelTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long WINDOW = 10_000;
    private static final String[] PREFIXES = {"p0", "p1", "a:b", "", "é"};

    @TempDir
    Path dir;

    private record Held(long messageId, long storedAt) {
    }

    @Test
    void runsAnswerAsAPlainMapOfIdsOverRandomHistories() {
        for (long seed = 1; seed <= 12; seed++) {
            check(seed, dir.resolve("s" + seed));
        }
    }

    @Test
    void sequenceFormIsCanonicalDecimalAfterTheLastColon() {
        assertThat(DedupRuns.sequence("p:7")).isEqualTo(7);
        assertThat(DedupRuns.sequence("p:0")).isEqualTo(0);
        assertThat(DedupRuns.sequence("a:b:120")).isEqualTo(120);
        assertThat(DedupRuns.sequence(":5")).isEqualTo(5);
        assertThat(DedupRuns.sequence("p:999999999999999999")).isEqualTo(999_999_999_999_999_999L);
        for (String other : new String[] {"p:07", "p:00", "p:+7", "p:-1", "p:", "7", "p7", "p:7a", "p:1000000000000000000",
                "p:\u0661"}) {
            assertThat(DedupRuns.sequence(other)).as(other).isEqualTo(-1);
        }
        for (long s : new long[] {0, 9, 10, 99, 100, 123_456_789, 999_999_999_999_999_999L}) {
            assertThat(DedupRuns.digits(s)).isEqualTo(Long.toString(s).length());
            assertThat(DedupRuns.sequence(DedupRuns.id("x", s))).isEqualTo(s);
        }
    }

    private static String randomId(SplittableRandom random, long[] highest) {
        int kind = random.nextInt(20);
        int producer = random.nextInt(PREFIXES.length);
        String prefix = PREFIXES[producer];
        if (kind < 12) { // the usual: the producer's next sequence
            return prefix + ":" + highest[producer]++;
        }
        if (kind < 15) { // a retry or a producer that went back
            return prefix + ":" + Math.max(0, highest[producer] - 1 - random.nextInt(40));
        }
        if (kind < 16) { // a jump forward
            highest[producer] += 1 + random.nextInt(50);
            return prefix + ":" + highest[producer];
        }
        long near = Math.max(0, highest[producer] - random.nextInt(5));
        return switch (kind) {
            case 16 -> prefix + ":0" + near; // not canonical: another id than prefix:near
            case 17 -> prefix + ":+" + near;
            case 18 -> prefix + ":" + (1_000_000_000_000_000_000L + near); // 19 digits
            default -> "x" + random.nextInt(60);
        };
    }

    private void check(long seed, Path d) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Held> model = new HashMap<>();
        long[] highest = new long[PREFIXES.length];
        RocksMqConfig config = RocksMqConfig.builder(d).retentionInterval(Duration.ZERO).build();
        try (RocksStore store = RocksStore.open(config)) {
            long now = T0;
            long next = 0;
            Deduplication dedup = new Deduplication(1, WINDOW);
            Topic topic = new Topic("t", 1, 0, 0, now, 0, store.recentReadsBudget(), dedup);
            for (int step = 0; step < 400; step++) {
                int what = random.nextInt(100);
                if (what < 3) {
                    topic.purgeDeduplication(store, now);
                    continue;
                }
                if (what < 7) {
                    dedup = new Deduplication(1, WINDOW);
                    topic = new Topic("t", 1, 0, topic.nextIdAfterCommitted(), now, 0, store.recentReadsBudget(), dedup);
                    continue;
                }
                if (what < 15) {
                    now += random.nextLong(WINDOW / 2);
                }
                int n = 1 + random.nextInt(random.nextBoolean() ? 5 : 150);
                List<ProducerMessage> messages = new ArrayList<>(n);
                String[] ids = new String[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = random.nextInt(10) == 0 ? null
                            : random.nextInt(8) == 0 && i > 0 && ids[i - 1] != null ? ids[i - 1] : randomId(random, highest);
                    ProducerMessage m = ProducerMessage.of(new byte[4]);
                    messages.add(ids[i] == null ? m : m.withDeduplicationId(ids[i]));
                }
                Topic.Append a = new Topic.Append(messages, ProducePath.dedupIds(messages), 1 << 20, now);
                topic.append(store, a);
                for (int i = 0; i < n; i++) {
                    Held h = ids[i] == null ? null : model.get(ids[i]);
                    long expected;
                    if (h != null && h.storedAt > now - WINDOW) {
                        expected = h.messageId;
                    } else {
                        expected = next++;
                        if (ids[i] != null) {
                            model.put(ids[i], new Held(expected, now));
                        }
                    }
                    assertThat(a.ids[i]).as("seed %d step %d message %d id %s", seed, step, i, ids[i]).isEqualTo(expected);
                }
                if (a.dedupIds != null) { // a write with ids evicts what passed the window first
                    long cutoff = now - WINDOW;
                    long live = model.values().stream().filter(h -> h.storedAt > cutoff).count();
                    assertThat(dedup.heldIds()).as("seed %d step %d: held are the ids within the window", seed, step)
                            .isEqualTo((int) live);
                }
            }
            now += WINDOW;
            ProducerMessage late = ProducerMessage.of(new byte[4]).withDeduplicationId("late");
            topic.append(store, new Topic.Append(List.of(late), new String[] {"late"}, 1 << 20, now));
            assertThat(dedup.heldIds()).as("seed %d: only the last id is held once the window passed", seed).isEqualTo(1);
            assertThat(dedup.heldProducers()).as("seed %d: producers with nothing held are forgotten", seed).isZero();
        }
    }
}
