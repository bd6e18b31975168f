package io.rocksmq.core;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The disk bound holds for any number of topics ({@link MultiTopicDiskRun#bound}): many topics with a
 * hard cap each, no consumers, the directory sampled throughout. Before the queue-wide reclaim, files
 * mixed topics and each topic had its own threshold, and the directory grew with the number of
 * topics and the amount produced (10 topics × 20 MiB caps, 4 MiB write buffer: 795 MiB peak against
 * a 200 MiB total cap; the small case below: 173 MiB against its 82 MiB bound).
 *
 * <p>The default run has one scaled-down case; the matrix (1, 10 and 100 topics sharing 200 MiB of
 * caps, 4 MiB and the default 64 MiB write buffer) runs under {@code -Plong} and prints the figures
 * README quotes.
 */
class MultiTopicDiskBoundTest {
    private static final long MB = MultiTopicDiskRun.MB;

    @TempDir
    Path dir;

    @Test
    void tenTopicsStayWithinTheBound() throws Exception {
        check(MultiTopicDiskRun.run(dir, 10, 2 * MB, MB, 200 * MB));
    }

    @Tag("long")
    @ParameterizedTest(name = "{0} topics, {1} MiB write buffer, {2} MiB produced")
    @CsvSource({
            "1, 4, 1500", "10, 4, 1500", "100, 4, 1500",
            "1, 64, 4000", "10, 64, 4000", "100, 64, 4000"})
    void matrix(int topics, long writeBufferMiB, long producedMiB) throws Exception {
        check(MultiTopicDiskRun.run(dir, topics, 200 * MB / topics, writeBufferMiB * MB, producedMiB * MB));
    }

    /** One run sized by system properties (-Drocksmq.diskbound.topics/capMiB/writeBufferMiB/producedMiB). */
    @Tag("long")
    @Test
    void sized() throws Exception {
        int topics = Integer.getInteger("rocksmq.diskbound.topics", 10);
        check(MultiTopicDiskRun.run(dir, topics, Long.getLong("rocksmq.diskbound.capMiB", 200 / topics) * MB,
                Long.getLong("rocksmq.diskbound.writeBufferMiB", 64) * MB,
                Long.getLong("rocksmq.diskbound.producedMiB", 9000) * MB));
    }

    private static void check(MultiTopicDiskRun.Result r) {
        System.out.println("disk bound: " + r);
        assertThat(r.retained()).isLessThanOrEqualTo(r.caps());
        assertThat(r.peak()).as("peak size of the data directory").isLessThanOrEqualTo(
                MultiTopicDiskRun.bound(r.caps(), r.writeBuffer()));
        assertThat(r.settled()).as("size once swept").isLessThanOrEqualTo(
                MultiTopicDiskRun.settledBound(r.caps(), r.writeBuffer()));
    }
}
