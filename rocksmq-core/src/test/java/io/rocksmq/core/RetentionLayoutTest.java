package io.rocksmq.core;

import io.rocksmq.api.StorageException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Round trips and byte layout of the retention records and the extended topic counter. */
class RetentionLayoutTest {

    @Test
    void topicCounterCarriesProducedBytesAndReadsTheOriginalLength() {
        byte[] v = StorageLayout.topicCounterValue(42, 1234, 987_654_321_000L);
        assertThat(v).hasSize(24);
        assertThat(StorageLayout.decodeTopicCounter(v)).isEqualTo(new StorageLayout.TopicCounter(42, 1234, 987_654_321_000L));
        byte[] legacy = Arrays.copyOf(v, 16);
        assertThat(StorageLayout.decodeTopicCounter(legacy))
                .isEqualTo(new StorageLayout.TopicCounter(42, 1234, StorageLayout.UNKNOWN_BYTES));
        assertThat(StorageLayout.decodeTopicCounter(StorageLayout.topicCounterValue(1, 2, StorageLayout.UNKNOWN_BYTES))
                .producedBytes()).isEqualTo(StorageLayout.UNKNOWN_BYTES);
        assertThatThrownBy(() -> StorageLayout.decodeTopicCounter(new byte[20])).isInstanceOf(StorageException.class);
    }

    @Test
    void overrideRoundTripsIncludingSpecialValues() {
        RetentionPolicy p = new RetentionPolicy(RetentionPolicy.INHERIT, RetentionPolicy.UNLIMITED, 0, Long.MAX_VALUE);
        byte[] v = StorageLayout.retentionOverrideValue(p);
        assertThat(v).hasSize(32);
        assertThat(StorageLayout.decodeRetentionOverride(v)).isEqualTo(p);
        byte[] bad = v.clone();
        bad[0] = (byte) 0x80; // retentionTime = a large negative number
        assertThatThrownBy(() -> StorageLayout.decodeRetentionOverride(bad)).isInstanceOf(StorageException.class);
    }

    @Test
    void stateRoundTrips() {
        StorageLayout.RetentionState s = new StorageLayout.RetentionState(77, 12_345, new long[] {1, 2, 3, 4, 5});
        byte[] v = StorageLayout.retentionStateValue(s);
        assertThat(v).hasSize(56);
        StorageLayout.RetentionState back = StorageLayout.decodeRetentionState(v);
        assertThat(back.cutId()).isEqualTo(77);
        assertThat(back.deletedBytes()).isEqualTo(12_345);
        assertThat(back.deletedByRule()).containsExactly(1, 2, 3, 4, 5);
        assertThatThrownBy(() -> StorageLayout.decodeRetentionState(new byte[40])).isInstanceOf(StorageException.class);
    }

    @Test
    void keysHaveTheDocumentedBytesAndStayInsideTheTopicPrefix() {
        long topic = 0x0102030405060708L;
        byte[] seg = StorageLayout.retentionSegmentKey(topic, 0x1122334455667788L);
        assertThat(seg).containsExactly(0x13, 1, 2, 3, 4, 5, 6, 7, 8, 0x03,
                0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88);
        assertThat(StorageLayout.retentionKeyTopic(seg)).isEqualTo(topic);
        assertThat(StorageLayout.retentionKeyType(seg)).isEqualTo(StorageLayout.RETENTION_SEGMENT);
        assertThat(StorageLayout.retentionSegmentKeyEnd(seg)).isEqualTo(0x1122334455667788L);
        assertThat(StorageLayout.decodeRetentionSegment(seg, StorageLayout.retentionSegmentValue(99, -5)))
                .isEqualTo(new StorageLayout.Segment(0x1122334455667788L, 99, -5));
        assertThat(StorageLayout.retentionOverrideKey(topic)).containsExactly(0x13, 1, 2, 3, 4, 5, 6, 7, 8, 0x01);
        assertThat(StorageLayout.retentionStateKey(topic)).containsExactly(0x13, 1, 2, 3, 4, 5, 6, 7, 8, 0x02);

        byte[] skip = StorageLayout.skipKey(topic, "gröup");
        assertThat(StorageLayout.retentionKeyType(skip)).isEqualTo(StorageLayout.RETENTION_SKIP);
        assertThat(StorageLayout.skipKeyGroup(skip)).isEqualTo("gröup");
        assertThat(StorageLayout.decodeSkip(StorageLayout.skipValue(7, 3))).containsExactly(7, 3);

        byte[] lo = StorageLayout.retentionPrefix(topic);
        byte[] hi = StorageLayout.retentionPrefix(topic + 1);
        for (byte[] k : new byte[][] {seg, skip, StorageLayout.retentionOverrideKey(topic),
                StorageLayout.retentionStateKey(topic), StorageLayout.retentionSegmentKey(topic, -1)}) {
            assertThat(Arrays.compareUnsigned(k, lo)).isGreaterThanOrEqualTo(0);
            assertThat(Arrays.compareUnsigned(k, hi)).isLessThan(0);
        }
        // Segments ending at or before id e lie below segmentKey(t, e + 1), others at or above it.
        assertThat(Arrays.compareUnsigned(StorageLayout.retentionSegmentKey(topic, 10),
                StorageLayout.retentionSegmentKey(topic, 11))).isLessThan(0);
        assertThat(Arrays.compareUnsigned(StorageLayout.retentionSegmentKey(topic, 10),
                StorageLayout.retentionStateKey(topic))).isGreaterThan(0);
    }

    @Test
    void entryBytesCountsTheKey() {
        assertThat(StorageLayout.entryBytes(100)).isEqualTo(116);
    }
}
