package io.rocksmq.core;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The crash test, long variant ({@code mvn -Plong test -Dtest='CrashLong*'}): 500 SIGKILLs per
 * durability level on one growing queue, each at a random moment up to 1.5 s into the run.
 * {@code -Dcrash.kills=N} changes the number of kills.
 */
@Tag("long")
class CrashLongTest {
    @TempDir
    Path tmp;

    private static int kills() {
        return Integer.getInteger("crash.kills", 500);
    }

    @Test
    void fsyncSurvivesFiveHundredProcessKills() throws Exception {
        CrashTest.runAndReport(tmp, Durability.FSYNC, kills(), 1500);
    }

    @Test
    void walSurvivesFiveHundredProcessKills() throws Exception {
        CrashTest.runAndReport(tmp, Durability.WAL, kills(), 1500);
    }
}
