package io.rocksmq.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExpiredIdsTest {
    @Test
    void holdsRunsCountsRangesAndDropsBelowAPosition() {
        ExpiredIds ids = new ExpiredIds();
        for (long id : new long[] {3, 4, 5, 9, 12, 13}) {
            ids.add(id);
        }
        assertThat(ids).hasToString("ExpiredIds[3..5, 9..9, 12..13]");
        assertThat(ids.size()).isEqualTo(6);
        assertThat(ids.countIn(4, 13)).isEqualTo(4); // 4, 5, 9, 12
        assertThat(ids.countIn(6, 9)).isZero();
        ids.dropBelow(5);
        assertThat(ids).hasToString("ExpiredIds[5..5, 9..9, 12..13]");
        ids.dropBelow(10);
        assertThat(ids).hasToString("ExpiredIds[12..13]");
    }

    @Test
    void idsAtOrBelowOnesAddedBeforeAreNotHeldTwiceUntilCleared() {
        ExpiredIds ids = new ExpiredIds();
        ids.add(7);
        ids.add(8);
        ids.dropBelow(9);
        ExpiredIds reread = new ExpiredIds();
        reread.add(7);
        reread.add(8);
        reread.add(10);
        ids.addAll(reread);
        assertThat(ids).hasToString("ExpiredIds[10..10]");
        ids.clear();
        ids.addAll(reread);
        assertThat(ids).hasToString("ExpiredIds[7..8, 10..10]");
    }
}
