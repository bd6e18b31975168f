package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The window against a plain map model where {@link DedupRunsModelTest} does not go: writes that
 * combine several produces (each resolved in turn with the next free id, one log record for all, as
 * {@code Topic.write} does for concurrent producers), writes that fail after their ids were resolved
 * (nothing stored, nothing logged, nothing committed: the next write must not see them), several
 * writes in one millisecond (their runs merge on load), restarts that load the log, and purges.
 * Every message's answer must be the model's: the original's id while its id was stored within the
 * window, else the next free id.
 */
class DedupCombinedWritesModelTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long WINDOW = 5_000;
    private static final String[] PREFIXES = {"p0", "p1", "a:b", "", "\u00e9"};

    @TempDir
    Path dir;

    private record Held(long messageId, long storedAt) {
    }

    @Test
    void combinedAndFailedWritesAnswerAsAPlainMap() throws Exception {
        for (long seed = 1; seed <= 16; seed++) {
            check(seed, dir.resolve("s" + seed));
        }
    }

    private static String randomId(SplittableRandom random, long[] highest) {
        int kind = random.nextInt(20);
        int producer = random.nextInt(PREFIXES.length);
        String prefix = PREFIXES[producer];
        if (kind < 11) {
            return prefix + ":" + highest[producer]++;
        }
        if (kind < 15) {
            return prefix + ":" + Math.max(0, highest[producer] - 1 - random.nextInt(30));
        }
        if (kind < 16) {
            highest[producer] += 1 + random.nextInt(20);
            return prefix + ":" + highest[producer];
        }
        long near = Math.max(0, highest[producer] - random.nextInt(5));
        return switch (kind) {
            case 16 -> prefix + ":0" + near;
            case 17 -> prefix + ":" + (999_999_999_999_999_990L + random.nextInt(20)); // 18 and 19 digits
            default -> "x" + random.nextInt(40);
        };
    }

    private void check(long seed, Path d) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Held> model = new HashMap<>();
        long[] highest = new long[PREFIXES.length];
        RocksMqConfig config = RocksMqConfig.builder(d).retentionInterval(Duration.ZERO).build();
        try (RocksStore store = RocksStore.open(config)) {
            long now = T0;
            long next = 0;
            Deduplication dedup = new Deduplication(1, WINDOW);
            for (int step = 0; step < 500; step++) {
                int what = random.nextInt(100);
                if (what < 3) {
                    dedup.purge(store, now);
                    continue;
                }
                if (what < 7) {
                    dedup = new Deduplication(1, WINDOW);
                    continue;
                }
                if (what < 30) {
                    now += random.nextLong(WINDOW / 3);
                }
                boolean fails = random.nextInt(8) == 0;
                int produces = 1 + random.nextInt(random.nextBoolean() ? 1 : 4);
                List<Topic.Append> group = new ArrayList<>();
                List<String[]> idsOf = new ArrayList<>();
                for (int k = 0; k < produces; k++) {
                    int n = 1 + random.nextInt(random.nextBoolean() ? 4 : 60);
                    List<ProducerMessage> messages = new ArrayList<>(n);
                    String[] ids = new String[n];
                    for (int i = 0; i < n; i++) {
                        ids[i] = random.nextInt(10) == 0 ? null
                                : random.nextInt(8) == 0 && i > 0 && ids[i - 1] != null ? ids[i - 1] : randomId(random, highest);
                        ProducerMessage m = ProducerMessage.of(new byte[1]);
                        messages.add(ids[i] == null ? m : m.withDeduplicationId(ids[i]));
                    }
                    group.add(new Topic.Append(messages, ProducePath.dedupIds(messages), 1 << 20, now));
                    idsOf.add(ids);
                }
                // As Topic.write: one prepare, each produce resolved from the next free id, one record.
                dedup.prepare(store, now);
                long writeNext = next;
                for (Topic.Append a : group) {
                    a.ids = new long[a.count];
                    a.stored = new boolean[a.count];
                    if (a.dedupIds == null) {
                        for (int i = 0; i < a.count; i++) {
                            a.ids[i] = writeNext + i;
                        }
                        writeNext += a.count;
                    } else {
                        writeNext += dedup.resolve(store, a, now, writeNext);
                    }
                }
                if (fails) { // the write failed: nothing stored or logged, the model unchanged
                    continue;
                }
                try (WriteBatch batch = new WriteBatch()) {
                    dedup.index(batch, store, now);
                    store.write(batch);
                }
                dedup.commit(now, 0);
                for (int k = 0; k < group.size(); k++) {
                    String[] ids = idsOf.get(k);
                    for (int i = 0; i < ids.length; i++) {
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
                        assertThat(group.get(k).ids[i]).as("seed %d step %d produce %d message %d id %s", seed, step, k, i, ids[i])
                                .isEqualTo(expected);
                    }
                }
                assertThat(writeNext).as("seed %d step %d: kept messages take consecutive ids", seed, step).isEqualTo(next);
                long cutoff = now - WINDOW;
                long live = model.values().stream().filter(h -> h.storedAt > cutoff).count();
                dedup.prepare(store, now); // evicts as the next write would; drops nothing pending
                assertThat(dedup.heldIds()).as("seed %d step %d: held are the ids within the window", seed, step)
                        .isEqualTo((int) live);
            }
        }
    }
}
