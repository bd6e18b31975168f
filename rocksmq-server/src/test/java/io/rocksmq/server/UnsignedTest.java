package io.rocksmq.server;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Unsigned protobuf integers read into Java's signed ones: large values clamp, never turn negative. */
class UnsignedTest {
    /** 2^64-1 and 2^63 as Java reads them from a uint64. */
    private static final long LARGEST_UINT64 = -1L;
    private static final long TWO_TO_THE_63 = Long.MIN_VALUE;

    @Test
    void atMostKeepsSmallValuesAndClampsLargeOnesIncludingThoseThatReadNegative() {
        assertThat(Unsigned.atMost(0, 5_000)).isZero();
        assertThat(Unsigned.atMost(4_999, 5_000)).isEqualTo(4_999);
        assertThat(Unsigned.atMost(5_000, 5_000)).isEqualTo(5_000);
        assertThat(Unsigned.atMost(5_001, 5_000)).isEqualTo(5_000);
        assertThat(Unsigned.atMost(Long.MAX_VALUE, 5_000)).isEqualTo(5_000);
        assertThat(Unsigned.atMost(TWO_TO_THE_63, 5_000)).isEqualTo(5_000);
        assertThat(Unsigned.atMost(LARGEST_UINT64, 5_000)).isEqualTo(5_000);
        assertThat(Unsigned.atMost(LARGEST_UINT64, Long.MAX_VALUE - 1)).isEqualTo(Long.MAX_VALUE - 1);
        // a uint32 widened unsigned first: 2^32-1, not -1
        assertThat(Unsigned.atMost(Integer.toUnsignedLong(-1), Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void plusAtMostAddsWithoutOverflowAndFromANegativeBase() {
        long most = Long.MAX_VALUE - 1;
        assertThat(Unsigned.plusAtMost(10, 5, most)).isEqualTo(15);
        assertThat(Unsigned.plusAtMost(-7, 5, most)).as("an overdrawn credit").isEqualTo(-2);
        assertThat(Unsigned.plusAtMost(-7, 0, most)).isEqualTo(-7);
        // each below 2^63, their sum above: Java's + would wrap to a negative credit
        assertThat(Unsigned.plusAtMost(most, Long.MAX_VALUE, most)).isEqualTo(most);
        assertThat(Unsigned.plusAtMost(1L << 62, (1L << 62) + 1, most)).isEqualTo(most);
        assertThat(Unsigned.plusAtMost(3, LARGEST_UINT64, most)).isEqualTo(most);
        assertThat(Unsigned.plusAtMost(-7, TWO_TO_THE_63, most)).as("the grant held as the most, less the overdraft")
                .isEqualTo(most - 7);
        assertThat(Unsigned.plusAtMost(100, Integer.toUnsignedLong(-1), Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }
}
