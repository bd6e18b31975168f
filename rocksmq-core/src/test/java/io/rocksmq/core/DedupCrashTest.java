package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 while producers with deduplication ids run, then retry in a new process from before their last
 * acknowledged message ({@link DedupCrashChild}): every id is stored exactly once, at the id every
 * acknowledgement of it named, and the ids of each producer are stored without a gap. Set
 * {@code -Dcrash.seed=N} to replay a seed.
 */
class DedupCrashTest {
    private static final int KILLS = 8;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void retriedProducesAfterAKillStoreEachIdOnce() throws Exception {
        long seed = CrashTest.seed();
        Random random = new Random(seed);
        Path data = tmp.resolve("data");
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        for (int g = 0; g < KILLS; g++) {
            try (ChildJvm child = ChildJvm.start(DedupCrashChild.class, tmp.resolve("child.err"),
                    data.toString(), logs.toString(), Long.toString(seed), Integer.toString(g))) {
                assertThat(child.awaitReady(60_000)).as("seed " + seed + ": child ready; " + child.stderr()).isTrue();
                Thread.sleep(150 + random.nextInt(500));
                child.kill();
            }
        }
        Map<String, List<Long>> stored = new HashMap<>();
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(data).build())) {
            for (long from = 0; ; ) {
                List<ConsumerMessage> batch = mq.read(DedupCrashChild.TOPIC, from, 10_000);
                if (batch.isEmpty()) {
                    break;
                }
                for (ConsumerMessage m : batch) {
                    stored.computeIfAbsent(new String(m.payload(), StandardCharsets.UTF_8), k -> new ArrayList<>()).add(m.id());
                }
                from = batch.get(batch.size() - 1).id() + 1;
            }
        }
        List<String> violations = new ArrayList<>();
        stored.forEach((id, at) -> {
            if (at.size() != 1) {
                violations.add(id + " stored " + at.size() + " times, at " + at);
            }
        });
        long acknowledged = 0;
        long retriedAcknowledged = 0;
        for (int p = 0; p < DedupCrashChild.PRODUCERS; p++) {
            Map<Long, Long> answered = new HashMap<>();
            long last = -1;
            for (long[] a : DedupCrashChild.acknowledged(DedupCrashChild.log(logs, p))) {
                acknowledged++;
                String id = DedupCrashChild.dedupId(p, a[0]);
                Long before = answered.put(a[0], a[1]);
                if (before != null) {
                    retriedAcknowledged++;
                    if (before != a[1]) {
                        violations.add(id + " acknowledged as " + before + " and, retried, as " + a[1]);
                    }
                }
                List<Long> at = stored.get(id);
                if (at == null || !at.contains(a[1])) {
                    violations.add(id + " acknowledged as " + a[1] + " but stored at " + at);
                }
                last = Math.max(last, a[0]);
            }
            for (long s = 0; s <= last; s++) {
                if (!stored.containsKey(DedupCrashChild.dedupId(p, s))) {
                    violations.add(DedupCrashChild.dedupId(p, s) + " missing (gap)");
                }
            }
        }
        System.out.println("dedup crash test seed " + seed + ": " + KILLS + " kills, " + acknowledged
                + " acknowledgements, " + retriedAcknowledged + " of them retries of acknowledged messages, "
                + stored.size() + " ids stored");
        assertThat(violations).as("seed " + seed).isEmpty();
        assertThat(retriedAcknowledged).as("seed " + seed + ": retries of acknowledged messages happened").isPositive();
    }
}
