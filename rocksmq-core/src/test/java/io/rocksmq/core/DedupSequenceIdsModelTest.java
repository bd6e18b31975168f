package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Ids given as (prefix, sequence) ({@link RocksMq#produceWithSequenceIds}, the client producer's
 * automatic ids) answer exactly as the same ids given as strings {@code prefix:sequence}: over seeded
 * random histories as in {@link DedupRunsModelTest} (sequence ids, look-alikes, other strings, retries,
 * producers going back, repeats in a batch, expiry, purges, restarts), each batch gives the ids of one
 * prefix either way at random, message by message, and every answer must equal a plain map model of the
 * string ids; the window holds exactly the model's ids within the window.
 */
class DedupSequenceIdsModelTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long WINDOW = 10_000;
    private static final String[] PREFIXES = {"p0", "p1", "a:b", "", "é", "q:7"};

    @TempDir
    Path dir;

    private record Held(long messageId, long storedAt) {
    }

    @Test
    void idsGivenAsSequencesAnswerAsTheirStrings() {
        for (long seed = 1; seed <= 12; seed++) {
            check(seed, dir.resolve("s" + seed));
        }
    }

    private static String randomId(SplittableRandom random, long[] highest) {
        int kind = random.nextInt(20);
        int producer = random.nextInt(PREFIXES.length);
        String prefix = PREFIXES[producer];
        if (kind < 12) {
            return prefix + ":" + highest[producer]++;
        }
        if (kind < 15) {
            return prefix + ":" + Math.max(0, highest[producer] - 1 - random.nextInt(40));
        }
        if (kind < 16) {
            highest[producer] += 1 + random.nextInt(50);
            return prefix + ":" + highest[producer];
        }
        long near = Math.max(0, highest[producer] - random.nextInt(5));
        return switch (kind) {
            case 16 -> prefix + ":0" + near;
            case 17 -> prefix + ":+" + near;
            case 18 -> prefix + ":" + (1_000_000_000_000_000_000L + near);
            default -> "x" + random.nextInt(60);
        };
    }

    private void check(long seed, Path d) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Held> model = new HashMap<>();
        long[] highest = new long[PREFIXES.length];
        int givenAsSequences = 0;
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
                String seqPrefix = PREFIXES[random.nextInt(PREFIXES.length)];
                int n = 1 + random.nextInt(random.nextBoolean() ? 5 : 150);
                List<ProducerMessage> messages = new ArrayList<>(n);
                String[] ids = new String[n];
                long[] seqs = new long[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = random.nextInt(10) == 0 ? null
                            : random.nextInt(8) == 0 && i > 0 && ids[i - 1] != null ? ids[i - 1] : randomId(random, highest);
                    seqs[i] = -1;
                    ProducerMessage m = ProducerMessage.of(new byte[4]);
                    long seq = ids[i] == null ? -1 : DedupRuns.sequence(ids[i]);
                    boolean ofPrefix = seq >= 0 && ids[i].equals(DedupRuns.id(seqPrefix, seq));
                    if (ofPrefix && random.nextInt(4) != 0) {
                        seqs[i] = seq; // given as (prefix, sequence): the message has no string id
                        givenAsSequences++;
                    } else if (ids[i] != null) {
                        m = m.withDeduplicationId(ids[i]);
                    }
                    messages.add(m);
                }
                String[] strings = ProducePath.dedupIds(messages);
                Topic.Append a = new Topic.Append(messages, strings == null ? new String[n] : strings, seqPrefix, seqs,
                        1 << 20, now);
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
                    assertThat(a.ids[i]).as("seed %d step %d message %d id %s (as a sequence: %s)", seed, step, i, ids[i],
                            seqs[i] >= 0).isEqualTo(expected);
                }
                long cutoff = now - WINDOW;
                long live = model.values().stream().filter(h -> h.storedAt > cutoff).count();
                assertThat(dedup.heldIds()).as("seed %d step %d: held are the ids within the window", seed, step)
                        .isEqualTo((int) live);
            }
            assertThat(givenAsSequences).as("seed %d: the history gave ids as sequences", seed).isGreaterThan(500);
            now += WINDOW;
            ProducerMessage late = ProducerMessage.of(new byte[4]);
            topic.append(store, new Topic.Append(List.of(late), new String[1], "late", new long[] {0}, 1 << 20, now));
            assertThat(dedup.heldIds()).as("seed %d: only the last id is held once the window passed", seed).isEqualTo(1);
            assertThat(dedup.heldProducers()).as("seed %d: only the last id's producer is held", seed).isEqualTo(1);
        }
    }

    @Test
    void theQueueAnswersAnIdGivenEitherWayAsOneId(@TempDir Path queueDir) {
        try (RocksMq mq = RocksMq.open(queueDir)) {
            mq.createTopic("t");
            ProducerMessage m = ProducerMessage.of(new byte[] {1});
            long[] first = mq.produceWithSequenceIds("t", List.of(m, m, m), "billing:x1", new long[] {5, 6, -1},
                    Durability.WAL);
            long[] again = mq.produce("t", List.of(m.withDeduplicationId("billing:x1:6"), m.withDeduplicationId("billing:x1:5")));
            assertThat(again).containsExactly(first[1], first[0]);
            long[] third = mq.produceWithSequenceIds("t", List.of(m.withDeduplicationId("billing:x1:7"), m), "billing:x1",
                    new long[] {-1, 7}, Durability.WAL);
            assertThat(third[1]).as("the id given as a sequence is the string id of the batch's first message")
                    .isEqualTo(third[0]);
            assertThat(mq.latestMessageId("t")).isEqualTo(third[0]);
        }
    }

    @Test
    void badSequenceIdsAreRefusedAndStoreNothing(@TempDir Path queueDir) {
        try (RocksMq mq = RocksMq.open(queueDir)) {
            mq.createTopic("t");
            ProducerMessage m = ProducerMessage.of(new byte[] {1});
            String longest = "p".repeat(ProducerMessage.MAX_DEDUPLICATION_ID_BYTES - 2); // with ":5", the limit
            assertThat(mq.produceWithSequenceIds("t", List.of(m), longest, new long[] {5}, Durability.WAL)).hasSize(1);
            long latest = mq.latestMessageId("t");
            List<Runnable> bad = List.of(
                    () -> mq.produceWithSequenceIds("t", List.of(m), longest, new long[] {10}, Durability.WAL),
                    () -> mq.produceWithSequenceIds("t", List.of(m), null, new long[] {1}, Durability.WAL),
                    () -> mq.produceWithSequenceIds("t", List.of(m), "p", null, Durability.WAL),
                    () -> mq.produceWithSequenceIds("t", List.of(m, m), "p", new long[] {1}, Durability.WAL),
                    () -> mq.produceWithSequenceIds("t", List.of(m), "p", new long[] {1_000_000_000_000_000_000L},
                            Durability.WAL),
                    () -> mq.produceWithSequenceIds("t", List.of(m.withDeduplicationId("own")), "p", new long[] {1},
                            Durability.WAL),
                    () -> mq.produceWithSequenceIds("t", List.of(m), "p\uD800", new long[] {1}, Durability.WAL));
            for (Runnable r : bad) {
                assertThatThrownBy(r::run).isInstanceOf(InvalidArgumentException.class);
            }
            assertThat(mq.latestMessageId("t")).as("nothing stored").isEqualTo(latest);
        }
    }
}
