package io.rocksmq.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rounds the history tests of shared groups repeat: the real code checked over fresh random seeds (each
 * printed on failure), and a broken variant run over fixed seeds until the check catches it. Each round works
 * in a directory of its own below the test's.
 */
final class HistoryRounds {
    private HistoryRounds() {
    }

    /** One recorded run: the violations its history shows (empty: none). */
    interface Run {
        List<String> violations(Path dir, long seed) throws Exception;
    }

    /** {@code rounds} runs, each with a fresh seed: none may show a violation. */
    static void passes(Path dir, int rounds, Run run) throws Exception {
        for (int round = 0; round < rounds; round++) {
            long seed = System.nanoTime();
            List<String> violations = run.violations(Files.createDirectory(dir.resolve("r" + round)), seed);
            assertThat(violations).as("seed %d", seed).isEmpty();
        }
    }

    /**
     * Runs with seeds 0, 1, … until one shows a violation, at most {@code rounds}: the check must catch the
     * broken variant {@code what} runs. Returns the violations found.
     */
    static List<String> caught(Path dir, int rounds, String what, Run run) throws Exception {
        List<String> violations = List.of();
        for (int round = 0; round < rounds && violations.isEmpty(); round++) {
            violations = run.violations(Files.createDirectory(dir.resolve("r" + round)), round);
        }
        assertThat(violations).as("the history check catches %s", what).isNotEmpty();
        return violations;
    }
}
