package io.rocksmq.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link IdRanges} against a plain set of ids, over seeded random adds and floor moves. */
class IdRangesTest {
    @Test
    void behavesAsASetOfIdsAndKeepsOneRunPerGap() {
        for (long seed = 1; seed <= 50; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            IdRanges ranges = new IdRanges();
            TreeSet<Long> model = new TreeSet<>();
            long floor = 0;
            for (int step = 0; step < 400; step++) {
                if (random.nextInt(10) == 0) {
                    long limit = floor + random.nextInt(20);
                    List<Long> removed = new ArrayList<>();
                    ranges.removeBelow(limit, removed::add);
                    assertThat(removed).as("seed %d", seed).containsExactlyElementsOf(model.headSet(limit));
                    model.headSet(limit).clear();
                    floor = limit;
                } else {
                    long id = floor + random.nextInt(60);
                    ranges.add(id);
                    model.add(id);
                }
                long probe = floor + random.nextInt(70);
                assertThat(ranges.contains(probe)).as("seed %d, id %d", seed, probe).isEqualTo(model.contains(probe));
                long absent = probe;
                while (model.contains(absent)) {
                    absent++;
                }
                assertThat(ranges.firstAbsentFrom(probe)).isEqualTo(absent);
                long to = probe + random.nextInt(40) - 5;
                assertThat(ranges.countIn(probe, to)).as("seed %d, [%d, %d)", seed, probe, to)
                        .isEqualTo(to <= probe ? 0 : model.subSet(probe, to).size());
                assertThat(ranges.runCount()).isEqualTo(runs(model));
            }
        }
    }

    private static int runs(TreeSet<Long> ids) {
        int runs = 0;
        Long previous = null;
        for (long id : ids) {
            if (previous == null || id != previous + 1) {
                runs++;
            }
            previous = id;
        }
        return runs;
    }
}
