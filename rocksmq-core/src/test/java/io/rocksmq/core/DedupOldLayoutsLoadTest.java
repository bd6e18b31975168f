package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A window loaded from log records written before ids of the sequence form were kept as runs: the
 * first layout and {@code 0x01} hold such ids one by one, in any order (a producer that went back,
 * ids between other ids), and a later {@code 0x02} record continues them. Loading puts each where a
 * live write would (runs, or the general path when below its producer's highest); every answer must be
 * the original's message id within the window and a new id after it, as a plain map would give.
 */
class DedupOldLayoutsLoadTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long WINDOW = 10_000;

    @TempDir
    Path dir;

    private static byte[] firstLayout(Map<String, Long> pairs) {
        List<byte[]> ids = new ArrayList<>();
        int size = 0;
        for (String id : pairs.keySet()) {
            byte[] b = id.getBytes(StandardCharsets.UTF_8);
            ids.add(b);
            size += 10 + b.length;
        }
        byte[] out = new byte[size];
        int pos = 0;
        int k = 0;
        for (long messageId : pairs.values()) {
            byte[] b = ids.get(k++);
            StorageLayout.putLong(out, pos, messageId);
            StorageLayout.putShort(out, pos + 8, b.length);
            System.arraycopy(b, 0, out, pos + 10, b.length);
            pos += 10 + b.length;
        }
        return out;
    }

    private static byte[] compactLayout(Map<String, Long> pairs) {
        DedupStaging s = new DedupStaging();
        pairs.forEach((id, messageId) -> s.add(id, id.getBytes(StandardCharsets.UTF_8), Deduplication.hash(id), messageId));
        return DedupLogRecord.encode(s);
    }

    private static void put(RocksStore store, long storedAt, long firstId, byte[] value) throws Exception {
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(store.meta(), MessageRecordLayout.dedupLogKey(1, storedAt, firstId), value);
            store.write(batch);
        }
    }

    /** The answer of one produce of {@code id} at {@code time} with next free id {@code next}. */
    private static long answer(RocksStore store, Deduplication dedup, String id, long time, long next) {
        ProducerMessage m = ProducerMessage.of(new byte[1]).withDeduplicationId(id);
        Topic.Append a = new Topic.Append(List.of(m), new String[] {id}, 1 << 20, time);
        a.ids = new long[1];
        a.stored = new boolean[1];
        dedup.prepare(store, time);
        dedup.resolve(store, a, time, next); // never committed: each question leaves the window as it was
        return a.ids[0];
    }

    @Test
    void sequenceIdsOfOlderLayoutsAnswerAsAPlainMapOnceLoaded() throws Exception {
        long t1 = T0;
        long t2 = T0 + 4_000;
        long t3 = T0 + 8_000;
        Map<String, Long> first = new LinkedHashMap<>();
        first.put("p:10", 100L);
        first.put("p:11", 101L);
        first.put("p:5", 102L); // went back: below p's highest
        first.put("q:07", 103L); // not of the form
        first.put("x", 104L);
        first.put("r:999999999999999999", 105L); // 18 digits: of the form
        Map<String, Long> compact = new LinkedHashMap<>();
        compact.put("p:12", 106L); // continues p:10-11
        compact.put("p:4", 107L);
        compact.put("p:20", 108L);
        compact.put("r:1000000000000000000", 109L); // 19 digits: not of the form
        RocksMqConfig config = RocksMqConfig.builder(dir).retentionInterval(Duration.ZERO).build();
        try (RocksStore store = RocksStore.open(config)) {
            put(store, t1, 100, firstLayout(first));
            put(store, t2, 106, compactLayout(compact));
            // A 0x02 record written by this build after them, by a live write: p:21-22 and p:6.
            Deduplication writer = new Deduplication(1, WINDOW);
            writer.prepare(store, t3);
            List<ProducerMessage> ms = new ArrayList<>();
            for (String id : new String[] {"p:21", "p:22", "p:6"}) {
                ms.add(ProducerMessage.of(new byte[1]).withDeduplicationId(id));
            }
            Topic.Append a = new Topic.Append(ms, ProducePath.dedupIds(ms), 1 << 20, t3);
            a.ids = new long[3];
            a.stored = new boolean[3];
            assertThat(writer.resolve(store, a, t3, 110)).isEqualTo(3);
            try (WriteBatch batch = new WriteBatch()) {
                writer.index(batch, store, t3);
                store.write(batch);
            }
            writer.commit(t3, 0);
            assertThat(a.ids).containsExactly(110, 111, 112);

            Map<String, Long> held = new LinkedHashMap<>(first);
            held.putAll(compact);
            held.put("p:21", 110L);
            held.put("p:22", 111L);
            held.put("p:6", 112L);
            long now = t3 + 1;
            for (String id : held.keySet()) {
                assertThat(answer(store, new Deduplication(1, WINDOW), id, now, 1000)).as("%s within the window", id)
                        .isEqualTo(held.get(id));
            }
            for (String id : new String[] {"p:3", "p:7", "p:13", "p:19", "p:23", "q:7", "r:0", "p:010"}) {
                assertThat(answer(store, new Deduplication(1, WINDOW), id, now, 1000)).as("%s never stored", id)
                        .isEqualTo(1000);
            }
            // The first record's window passed, the others' not.
            long later = t1 + WINDOW + 1;
            Deduplication loaded = new Deduplication(1, WINDOW);
            for (String id : held.keySet()) {
                long expected = first.containsKey(id) ? 1000 : held.get(id);
                assertThat(answer(store, loaded, id, later, 1000)).as("%s after the first window", id).isEqualTo(expected);
            }
        }
    }
}
