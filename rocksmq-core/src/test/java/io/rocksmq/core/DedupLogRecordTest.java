package io.rocksmq.core;

import io.rocksmq.api.StorageException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The deduplication log record's layout and the per-write staging of ids. */
class DedupLogRecordTest {
    private static List<String> decode(long first, byte[] value) {
        List<String> pairs = new ArrayList<>();
        DedupLogRecord.decode(first, value, (m, id, length) -> pairs.add(m + "=" + new String(id, 0, length, StandardCharsets.UTF_8)));
        return pairs;
    }

    @Test
    void roundTripsPrefixSharingAsciiAndNonAsciiIds() {
        DedupStaging s = new DedupStaging();
        String[] ids = {"producer-1:0:17", "producer-1:0:18", "producer-1:0:180", "p", "é-ü:1", "é-ü:2", "𝄞x",
                "z".repeat(ProducerMessage.MAX_DEDUPLICATION_ID_BYTES), "producer-1:0:19"};
        List<String> expected = new ArrayList<>();
        long messageId = 1_000_000_000_000L;
        for (String id : ids) {
            s.add(id, id.getBytes(StandardCharsets.UTF_8), Deduplication.hash(id), messageId);
            expected.add(messageId + "=" + id);
            messageId += 1 + id.length() % 3; // gaps: messages without ids between
        }
        byte[] value = DedupLogRecord.encode(s);
        assertThat(decode(1_000_000_000_000L, value)).containsExactlyElementsOf(expected);
        int textBytes = 0;
        for (String id : ids) {
            textBytes += id.getBytes(StandardCharsets.UTF_8).length;
        }
        assertThat(value.length).as("shared prefixes are not repeated").isLessThan(textBytes);
    }

    @Test
    void theHashSeparatesIdsThatDifferInTheirTailLengthOrZeroBytes() {
        java.util.Set<Long> seen = new java.util.HashSet<>();
        int n = 0;
        for (int i = 0; i < 200_000; i++, n++) {
            seen.add(Deduplication.hash("producer-1:k3j2:" + Integer.toString(i, 36)));
        }
        for (String id : new String[] {"a", "a\u0000", "\u0000", "\u0000\u0000", "12345678", "123456789", "1234567\u0000",
                "\u00e9", "e\u0301", "𝄞"}) {
            seen.add(Deduplication.hash(id));
            n++;
        }
        assertThat(seen).hasSize(n);
        byte[] bytes = "producer-1:0:17".getBytes(StandardCharsets.UTF_8);
        assertThat(Deduplication.hash(bytes, bytes.length)).isEqualTo(Deduplication.hash("producer-1:0:17"));
    }

    @Test
    void roundTripsRunsOfSequenceIdsBeforeTheOtherIds() {
        DedupRuns runs = new DedupRuns();
        DedupStaging s = new DedupStaging();
        long time = 1_000;
        String[] ids = {"p:5", "p:6", "p:7", "x", "é:9", "p:9", "p:10"};
        long messageId = 100;
        List<String> expected = new ArrayList<>();
        for (String id : ids) {
            long seq = DedupRuns.sequence(id);
            if (seq >= 0) {
                runs.stage(runs.producer(id, seq, true), seq, messageId, time);
            } else {
                s.add(id, id.getBytes(StandardCharsets.UTF_8), Deduplication.hash(id), messageId);
            }
            expected.add(messageId + "=" + id);
            messageId++;
        }
        assertThat(runs.writeRuns()).as("p:5-7, é:9, p:9-10").isEqualTo(3);
        byte[] value = DedupLogRecord.encode(runs, s, 100);
        assertThat(value[0]).isEqualTo(DedupLogRecord.RUNS);
        assertThat(decode(100, value)).containsExactlyInAnyOrderElementsOf(expected);
        byte[] cut = java.util.Arrays.copyOf(value, 4);
        assertThatThrownBy(() -> decode(100, cut)).isInstanceOf(StorageException.class);
        runs.rollback();
        assertThat(runs.producers()).as("a write that failed leaves no producer behind").isZero();
    }

    @Test
    void readsTheFirstLayout() {
        byte[] first = new byte[2 * 10 + 3 + 2];
        StorageLayout.putLong(first, 0, 7);
        StorageLayout.putShort(first, 8, 3);
        System.arraycopy("abc".getBytes(StandardCharsets.UTF_8), 0, first, 10, 3);
        StorageLayout.putLong(first, 13, 9);
        StorageLayout.putShort(first, 21, 2);
        System.arraycopy("de".getBytes(StandardCharsets.UTF_8), 0, first, 23, 2);
        assertThat(decode(7, first)).containsExactly("7=abc", "9=de");
    }

    @Test
    void aTruncatedRecordIsCorruption() {
        DedupStaging s = new DedupStaging();
        s.add("producer-1:1", "producer-1:1".getBytes(StandardCharsets.UTF_8), 1, 5);
        s.add("producer-1:2", "producer-1:2".getBytes(StandardCharsets.UTF_8), 2, 6);
        byte[] value = DedupLogRecord.encode(s);
        byte[] cut = java.util.Arrays.copyOf(value, value.length - 1);
        assertThatThrownBy(() -> decode(5, cut)).isInstanceOf(StorageException.class);
    }

    @Test
    void stagingFindsWhatThisWriteStagedAndForgetsItOnClear() {
        DedupStaging s = new DedupStaging();
        SplittableRandom random = new SplittableRandom(3);
        for (int round = 0; round < 4; round++) {
            int n = round == 2 ? 10_000 : 1 + random.nextInt(300); // one write grows the arrays
            for (int i = 0; i < n; i++) {
                String id = round + ":" + i;
                // Few hash bits on purpose: long probe runs and equal hashes of different ids.
                s.add(id, id.getBytes(StandardCharsets.UTF_8), i % 7, i);
            }
            assertThat(s.count()).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                assertThat(s.find(i % 7, round + ":" + i)).isEqualTo(i);
            }
            assertThat(s.find(0, round + ":" + n)).isEqualTo(-1);
            s.clear();
            assertThat(s.count()).isZero();
            assertThat(s.find(0, round + ":0")).isEqualTo(-1);
        }
    }
}
