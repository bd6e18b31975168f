package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash test, quick variant (run by default): a child JVM producing and consuming is killed with
 * SIGKILL 20 times per durability level; see {@link CrashHarness} for what is checked after each kill.
 * Set {@code -Dcrash.seed=N} to replay a failing seed (printed in every failure message).
 *
 * <p>Under a process crash, {@link Durability#WAL} and {@link Durability#FSYNC} promise the same:
 * everything acknowledged survives (the WAL is in the operating system's page cache, which outlives
 * the process). What FSYNC adds, surviving power loss, cannot be shown by killing a process.
 */
class CrashTest {
    static final int QUICK_KILLS = 20;

    @TempDir
    Path tmp;

    static long seed() {
        String s = System.getProperty("crash.seed");
        return s == null ? System.nanoTime() : Long.parseLong(s);
    }

    static void runAndReport(Path root, Durability durability, int kills, int maxRunMillis) throws Exception {
        long seed = seed();
        CrashHarness.Result result = new CrashHarness(root, durability, seed, kills, maxRunMillis).run();
        System.out.println("crash test " + durability + " seed " + seed + ": " + result);
        assertThat(result.kills()).isEqualTo(kills);
        assertThat(result.acknowledged()).as("the workload must have acknowledged produces to check").isPositive();
        assertThat(result.consumedAuto() + result.consumedManual()).as("and consumed some").isPositive();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void fsyncSurvivesProcessKills() throws Exception {
        runAndReport(tmp, Durability.FSYNC, QUICK_KILLS, 600);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void walSurvivesProcessKills() throws Exception {
        runAndReport(tmp, Durability.WAL, QUICK_KILLS, 600);
    }
}
