package io.rocksmq.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The window's hash index against a plain model (a deque of entries searched linearly): adds in time
 * order, evictions, growth and shrinking, and hashes that collide (few distinct hashes, so runs in the
 * table are long and backward-shift deletion is exercised).
 */
class DedupIdWindowTest {
    private record Entry(long hash, long messageId, long storedAt) {
    }

    @Test
    void answersAsALinearSearchThroughGrowthEvictionAndCollisions() {
        for (int distinctHashes : new int[] {7, 1_000, Integer.MAX_VALUE}) {
            SplittableRandom random = new SplittableRandom(distinctHashes);
            DedupIdWindow window = new DedupIdWindow();
            ArrayDeque<Entry> model = new ArrayDeque<>();
            long time = 0;
            long nextMessage = 0;
            for (int step = 0; step < 60_000; step++) {
                time += random.nextInt(3);
                int op = random.nextInt(10);
                if (op < 6) {
                    long hash = distinctHashes == Integer.MAX_VALUE ? random.nextLong() : random.nextInt(distinctHashes) * 0x9E3779B97F4A7C15L;
                    window.add(hash, nextMessage, time);
                    model.addLast(new Entry(hash, nextMessage++, time));
                } else if (op < 7) {
                    long cutoff = time - random.nextInt(step < 30_000 ? 400 : 20);
                    window.evictThrough(cutoff);
                    while (!model.isEmpty() && model.peekFirst().storedAt() <= cutoff) {
                        model.pollFirst();
                    }
                } else {
                    Entry probe = model.isEmpty() || random.nextBoolean() ? new Entry(random.nextLong(), -1, 0)
                            : model.stream().skip(random.nextInt(model.size())).findFirst().orElseThrow();
                    long storedAfter = time - random.nextInt(500);
                    // The check accepts exactly the probed message: the index must offer it if held in range.
                    long found = window.find(probe.hash(), storedAfter, (m, at) -> m == probe.messageId());
                    boolean held = model.stream().anyMatch(e -> e.messageId() == probe.messageId()
                            && e.storedAt() > storedAfter);
                    assertThat(found).as("step %d, %d distinct hashes", step, distinctHashes)
                            .isEqualTo(held ? probe.messageId() : -1);
                }
                assertThat(window.size()).isEqualTo(model.size());
            }
            window.evictThrough(Long.MAX_VALUE);
            assertThat(window.size()).isZero();
            assertThat(window.capacity()).as("memory follows the occupancy back down").isEqualTo(64);
        }
    }
}
