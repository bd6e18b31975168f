package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The window's memory with many short-lived producers (one-off sequence ids such as {@code <uuid>:0}):
 * answers stay those of a plain map of the ids, the producers held are exactly the prefixes with an id
 * stored within the window, and once the window passed and the purge ran nothing is held: no producer,
 * no run, no ring beyond its minimum, no map table sized for the producers gone, no staged id.
 */
class DedupOneOffPrefixesTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long WINDOW = 10_000;

    @TempDir
    Path dir;

    private record Held(long messageId, long storedAt) {
    }

    @Test
    void manyOneOffPrefixesAnswerAsAMapAndLeaveNothingOnceTheWindowPassed() {
        for (long seed = 1; seed <= 6; seed++) {
            check(seed, dir.resolve("s" + seed));
        }
    }

    private static String prefixOf(String id) {
        long seq = DedupRuns.sequence(id);
        return seq < 0 ? null : id.substring(0, id.length() - 1 - DedupRuns.digits(seq));
    }

    private void check(long seed, Path d) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Held> model = new HashMap<>();
        List<String> stored = new ArrayList<>();
        int oneOffs = 0;
        long producerSeq = 0;
        RocksMqConfig config = RocksMqConfig.builder(d).retentionInterval(Duration.ZERO).build();
        try (RocksStore store = RocksStore.open(config)) {
            long now = T0;
            long next = 0;
            Deduplication dedup = new Deduplication(1, WINDOW);
            Topic topic = new Topic("t", 1, 0, 0, now, 0, store.recentReadsBudget(), dedup);
            for (int step = 0; step < 300; step++) {
                int what = random.nextInt(100);
                if (what < 4) {
                    topic.purgeDeduplication(store, now);
                    continue;
                }
                if (what < 6) {
                    dedup = new Deduplication(1, WINDOW);
                    topic = new Topic("t", 1, 0, topic.nextIdAfterCommitted(), now, 0, store.recentReadsBudget(), dedup);
                    continue;
                }
                if (what < 20) {
                    now += random.nextLong(WINDOW / 3);
                }
                int n = 1 + random.nextInt(120);
                List<ProducerMessage> messages = new ArrayList<>(n);
                String[] ids = new String[n];
                for (int i = 0; i < n; i++) {
                    int kind = random.nextInt(10);
                    if (kind < 6) { // a one-off prefix: a fresh "uuid" and sequence 0 (or a small one)
                        ids[i] = "u" + Long.toHexString(random.nextLong()) + ":" + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
                        oneOffs++;
                    } else if (kind < 8 && !stored.isEmpty()) { // a retry of an earlier id
                        ids[i] = stored.get(random.nextInt(stored.size()));
                    } else if (kind < 9) { // a long-lived producer
                        ids[i] = "billing:" + producerSeq++;
                    } else {
                        ids[i] = "order-" + random.nextInt(1000);
                    }
                    messages.add(ProducerMessage.of(new byte[2]).withDeduplicationId(ids[i]));
                }
                Topic.Append a = new Topic.Append(messages, ProducePath.dedupIds(messages), 1 << 20, now);
                topic.append(store, a);
                for (int i = 0; i < n; i++) {
                    Held h = model.get(ids[i]);
                    long expected;
                    if (h != null && h.storedAt > now - WINDOW) {
                        expected = h.messageId;
                    } else {
                        expected = next++;
                        model.put(ids[i], new Held(expected, now));
                        stored.add(ids[i]);
                    }
                    assertThat(a.ids[i]).as("seed %d step %d message %d id %s", seed, step, i, ids[i]).isEqualTo(expected);
                }
                long cutoff = now - WINDOW;
                Set<String> livePrefixes = new HashSet<>();
                long live = 0;
                for (Map.Entry<String, Held> e : model.entrySet()) {
                    if (e.getValue().storedAt > cutoff) {
                        live++;
                        String prefix = prefixOf(e.getKey());
                        if (prefix != null) {
                            livePrefixes.add(prefix);
                        }
                    }
                }
                assertThat(dedup.heldIds()).as("seed %d step %d: held ids", seed, step).isEqualTo((int) live);
                assertThat(dedup.heldProducers()).as("seed %d step %d: producers held are the prefixes within the window",
                        seed, step).isEqualTo(livePrefixes.size());
                assertThat(dedup.runs().mapPeak()).as("seed %d step %d: the map's table follows its size", seed, step)
                        .isLessThanOrEqualTo(Math.max(64, 8 * livePrefixes.size() + 8 * n));
            }
            assertThat(oneOffs).isGreaterThan(5_000);
            now += WINDOW;
            topic.purgeDeduplication(store, now);
            assertThat(dedup.heldIds()).as("seed %d: nothing held once the window passed", seed).isZero();
            assertThat(dedup.heldProducers()).as("seed %d: no producer", seed).isZero();
            assertThat(dedup.runs().mapPeak()).as("seed %d: the map was rebuilt small", seed).isLessThan(64);
            assertThat(dedup.runs().ringCapacity()).as("seed %d: the ring at its minimum", seed).isEqualTo(16);
            assertThat(dedup.runs().writeArraysCapacity()).as("seed %d: the per-write arrays at their minimum", seed)
                    .isEqualTo(4);
            assertThat(dedup.hashed().capacity()).as("seed %d: the hash window at its minimum", seed).isEqualTo(64);
            assertThat(dedup.staged().count()).as("seed %d: no staged id kept", seed).isZero();
            // Staging starts at one entry and grows with the writes; release gives back anything above 128.
            assertThat(dedup.staged().capacity()).as("seed %d: staging no larger than its base size", seed)
                    .isLessThanOrEqualTo(128);
        }
    }
}
