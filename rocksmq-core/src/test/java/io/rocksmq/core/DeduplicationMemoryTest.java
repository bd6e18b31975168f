package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The window's ids are bounded in memory as on disk: a write evicts what passed its window, the purge
 * forgets the rest and deletes their log records, and a topic that reopens loads only the window.
 */
class DeduplicationMemoryTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long WINDOW = 120_000;

    @TempDir
    Path dir;

    private static Topic.Append append(long now, String... ids) {
        List<ProducerMessage> messages = new ArrayList<>();
        for (String id : ids) {
            messages.add(ProducerMessage.of(new byte[8]).withDeduplicationId(id));
        }
        return new Topic.Append(messages, ProducePath.dedupIds(messages), 1 << 20, now);
    }

    private static int logRecords(RocksStore store) {
        int n = 0;
        try (RocksStore.Range r = store.range(store.meta(), MessageRecordLayout.dedupLogKey(1, 0, 0),
                MessageRecordLayout.dedupLogUpperBound(1))) {
            for (r.it.seekToFirst(); r.it.isValid(); r.it.next()) {
                n++;
            }
        }
        return n;
    }

    /** The store, with no retention worker (the tests purge when they choose). */
    private RocksStore openStore() {
        return RocksStore.open(RocksMqConfig.builder(dir).retentionInterval(Duration.ZERO).build());
    }

    /** An empty topic 1 named "t", its deduplication {@code dedup}. */
    private static Topic newTopic(RocksStore store, Deduplication dedup) {
        return new Topic("t", 1, 0, 0, T0, 0, store.recentReadsBudget(), dedup);
    }

    @Test
    void aTopicThatNeverStagesAnIdHoldsAlmostNothingForDeduplication() {
        try (RocksStore store = openStore()) {
            Deduplication dedup = new Deduplication(1, WINDOW);
            Topic t = newTopic(store, dedup);
            List<ProducerMessage> plain = List.of(ProducerMessage.of(new byte[8]), ProducerMessage.of(new byte[8]));
            t.append(store, new Topic.Append(plain, ProducePath.dedupIds(plain), 1 << 20, T0));
            // Every topic has a window and a staging; one that produces without ids keeps them at one entry.
            assertThat(dedup.hashed().capacity()).isEqualTo(1);
            assertThat(dedup.staged().capacity()).isEqualTo(1);

            for (int i = 0; i < 100; i++) {
                t.append(store, append(T0, "a" + i, "b" + i));
            }
            assertThat(dedup.heldIds()).as("the first ids grow both as any write does").isEqualTo(200);
            assertThat(dedup.hashed().capacity()).isGreaterThanOrEqualTo(200);
            long stored = t.latestId();
            t.append(store, append(T0 + 1, "a7", "b99", "new"));
            assertThat(t.latestId()).as("only the new id is stored; the others are duplicates").isEqualTo(stored + 1);
        }
    }

    @Test
    void idsPastTheirWindowAreForgottenAndTheirLogDeleted() {
        try (RocksStore store = openStore()) {
            Deduplication dedup = new Deduplication(1, WINDOW);
            Topic t = newTopic(store, dedup);
            for (int i = 0; i < 100; i++) {
                t.append(store, append(T0, "a" + i, "b" + i));
            }
            assertThat(dedup.heldIds()).isEqualTo(200);
            assertThat(logRecords(store)).isEqualTo(100);
            t.append(store, append(T0 + WINDOW, "late"));
            assertThat(dedup.heldIds()).as("a write evicts what passed its window").isEqualTo(1);
            assertThat(t.purgeDeduplication(store, T0 + WINDOW)).isTrue();
            assertThat(logRecords(store)).as("the purge deletes the log below the window").isEqualTo(1);
            assertThat(t.purgeDeduplication(store, T0 + WINDOW)).as("nothing more to delete").isFalse();

            Deduplication reopened = new Deduplication(1, WINDOW);
            Topic again = new Topic("t", 1, 0, t.nextIdAfterCommitted(), T0 + WINDOW, 0, store.recentReadsBudget(), reopened);
            Topic.Append retry = append(T0 + WINDOW + 1, "late", "a0");
            again.append(store, retry);
            assertThat(reopened.heldIds()).as("only the window was loaded, plus the new a0").isEqualTo(2);
            assertThat(retry.ids[0]).isEqualTo(200);
            assertThat(retry.ids[1]).isEqualTo(201);
        }
    }
}
