package io.rocksmq.core.client;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link AckTracker} against a plain sorted-map model, with seeded random operations. */
class AckTrackerTest {

    @Test
    void behavesLikeASortedMapOfAckFlags() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int run = 0; run < 200; run++) {
            AckTracker tracker = new AckTracker();
            TreeMap<Long, Boolean> model = new TreeMap<>();
            long next = random.nextInt(1000);
            for (int step = 0; step < 500; step++) {
                int op = random.nextInt(10);
                if (op < 4) {
                    next += 1 + (random.nextInt(5) == 0 ? random.nextInt(100) : 0); // gaps happen
                    tracker.add(next);
                    model.put(next, false);
                } else if (op < 7) {
                    long id = model.isEmpty() || random.nextInt(4) == 0 ? next + 1 - random.nextInt(200)
                            : pick(model, random);
                    boolean held = model.containsKey(id);
                    assertThat(tracker.ack(id)).as("seed %d: ack %d", seed, id).isEqualTo(held);
                    if (held) {
                        model.put(id, true);
                    }
                } else if (op < 9) {
                    long id = model.isEmpty() ? next : pick(model, random) + random.nextInt(3) - 1;
                    boolean any = !model.headMap(id, true).isEmpty();
                    assertThat(tracker.ackUpTo(id)).as("seed %d: ackUpTo %d", seed, id).isEqualTo(any);
                    model.headMap(id, true).clear();
                } else if (random.nextInt(20) == 0) {
                    tracker.clear();
                    model.clear();
                }
                while (!model.isEmpty() && model.firstEntry().getValue()) {
                    model.pollFirstEntry();
                }
                assertThat(tracker.size()).as("seed %d step %d", seed, step).isEqualTo(model.size());
                assertThat(tracker.isEmpty()).isEqualTo(model.isEmpty());
                if (!model.isEmpty()) {
                    assertThat(tracker.first()).as("seed %d step %d", seed, step).isEqualTo(model.firstKey());
                }
            }
        }
    }

    @Test
    void refusesIdsOutOfOrder() {
        AckTracker tracker = new AckTracker();
        tracker.add(5);
        assertThatThrownBy(() -> tracker.add(5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tracker.add(4)).isInstanceOf(IllegalStateException.class);
        tracker.clear();
        tracker.add(1); // after a clear (a seek) any id is fine
        assertThat(tracker.first()).isEqualTo(1);
    }

    private static long pick(TreeMap<Long, Boolean> model, Random random) {
        Long[] keys = model.keySet().toArray(new Long[0]);
        return keys[random.nextInt(keys.length)];
    }
}
