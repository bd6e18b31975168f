package io.rocksmq.stress;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chaos on a real queue: seeded, bounded in time, history checked afterwards (see {@link ChaosRun}).
 * Reproduce a failure with {@code -Drocksmq.seed=<printed seed>} (thread timing still varies, so a
 * seed fixes the operation mix, not the interleaving).
 */
class ChaosTest {
    private static final long SEED = Long.getLong("rocksmq.seed", System.nanoTime());

    @TempDir
    Path dir;

    /** About 40 s (two 15 s episodes and their checks): in the default test run. */
    @Test
    void quickChaos() throws Exception {
        runFor(Duration.ofSeconds(30), Duration.ofSeconds(15));
    }

    /** At least 10 minutes (override with -Drocksmq.chaos.minutes): run by -Plong. */
    @Test
    @Tag("long")
    void longChaos() throws Exception {
        runFor(Duration.ofMinutes(Long.getLong("rocksmq.chaos.minutes", 10)), Duration.ofSeconds(30));
    }

    private void runFor(Duration total, Duration episode) throws Exception {
        Map<String, Long> totals = ChaosRun.newTotals();
        long start = System.nanoTime();
        int episodes = 0;
        long checkedRuns = 0;
        while (episodes == 0 || System.nanoTime() - start < total.toNanos()) {
            long seed = SEED + episodes;
            ChaosRun.Settings s = new ChaosRun.Settings(seed, 6, 3, 3, 2, episode);
            ChaosHistory h = ChaosRun.episode(dir.resolve("episode-" + episodes), s, totals);
            episodes++;
            checkedRuns += h.certainRuns;
            assertThat(h.violations).as("episode seed %d: %s", seed, totals).isEmpty();
        }
        System.out.printf("chaos: seed %d, %d episodes in %d s, checked consume runs %d%n  %s%n",
                SEED, episodes, (System.nanoTime() - start) / 1_000_000_000L, checkedRuns, totals);
    }
}
