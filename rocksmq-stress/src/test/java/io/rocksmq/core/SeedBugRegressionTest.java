package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed bugs of Milvus RocksMQ, each as one race run against the naive registry (where it must be
 * caught within a bounded number of rounds: this proves the race test can fail) and against the real
 * {@link RocksMq} (where it must never be seen).
 */
class SeedBugRegressionTest {
    private static final long SEED = Long.getLong("rocksmq.seed", System.nanoTime());

    @TempDir
    Path dir;

    @Test
    void destroyVsNotify_caughtOnNaiveRegistry() throws Exception {
        try (NaiveRegistry naive = new NaiveRegistry()) {
            assertThat(report(SeedBugRaces.destroyVsNotify(naive, 2_000_000)))
                    .as("destroy-vs-notify must expose the naive registry").isNotNull();
        }
    }

    @Test
    void destroyVsNotify_neverOnRocksMq() throws Exception {
        try (RocksMqHarness real = new RocksMqHarness(dir)) {
            assertThat(SeedBugRaces.destroyVsNotify(real, 100_000)).isNull();
        }
    }

    @Test
    void concurrentRegistrations_loseOneOnNaiveRegistry() throws Exception {
        try (NaiveRegistry naive = new NaiveRegistry()) {
            assertThat(report(SeedBugRaces.concurrentRegistrations(naive, 1_000_000)))
                    .as("concurrent registrations must lose one on the naive registry").isNotNull();
        }
    }

    @Test
    void concurrentRegistrations_neverLostOnRocksMq() throws Exception {
        try (RocksMqHarness real = new RocksMqHarness(dir)) {
            assertThat(SeedBugRaces.concurrentRegistrations(real, 20_000)).isNull();
        }
    }

    @Test
    void lostWakeup_caughtOnNaiveRegistry() throws Exception {
        try (NaiveRegistry naive = new NaiveRegistry()) {
            assertThat(report(SeedBugRaces.lostWakeup(naive, SEED, 1_000_000, 5_000, Duration.ofSeconds(2))))
                    .as("seed %d: a one-slot signal must drop a wake-up", SEED).isNotNull();
        }
    }

    @Test
    void lostWakeup_neverOnRocksMq() throws Exception {
        try (RocksMqHarness real = new RocksMqHarness(dir)) {
            assertThat(SeedBugRaces.lostWakeup(real, SEED, 20_000, 50_000, SeedBugRaces.HANG))
                    .as("seed %d", SEED).isNull();
        }
    }

    /** The naive variant's violation, printed so the report shows what was caught. */
    private static String report(String violation) {
        System.out.println("caught on the naive registry: " + violation);
        return violation;
    }
}
