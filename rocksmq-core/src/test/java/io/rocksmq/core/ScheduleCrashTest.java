package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 while scheduled messages fall due and move to their topic ({@link ScheduleCrashChild}), then open
 * again: after each kill every message whose schedule was acknowledged appears on the topic exactly once
 * (moves interrupted by the kill are neither lost nor doubled), and none appears twice. Set
 * {@code -Dcrash.seed=N} to replay a seed.
 */
class ScheduleCrashTest {
    private static final int KILLS = 6;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void everyAcknowledgedScheduledMessageAppearsExactlyOnceAfterEachKill() throws Exception {
        long seed = CrashTest.seed();
        Random random = new Random(seed);
        Path data = tmp.resolve("data");
        Path log = tmp.resolve("scheduled.log");
        long movedAtOpen = 0;
        for (int g = 0; g < KILLS; g++) {
            try (ChildJvm child = ChildJvm.start(ScheduleCrashChild.class, tmp.resolve("child.err"),
                    data.toString(), log.toString(), Long.toString(seed), Integer.toString(g))) {
                assertThat(child.awaitReady(60_000)).as("seed " + seed + ": child ready; " + child.stderr()).isTrue();
                Thread.sleep(150 + random.nextInt(500));
                child.kill();
            }
            try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(data).build())) {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (mq.admin().scheduledCount(ScheduleCrashChild.TOPIC) > 0 && System.nanoTime() < end) {
                    Thread.sleep(10); // everything was due within 200 ms of its schedule
                }
                movedAtOpen += mq.schedulerForTest().moved();
                List<String> violations = check(mq, ScheduleCrashChild.acknowledged(log));
                assertThat(violations).as("seed " + seed + ", after kill " + (g + 1)).isEmpty();
            }
        }
        System.out.println("schedule crash test seed " + seed + ": " + KILLS + " kills, "
                + ScheduleCrashChild.acknowledged(log).size() + " acknowledged schedules, " + movedAtOpen
                + " moved after a reopen");
        assertThat(movedAtOpen).as("seed " + seed + ": kills left due messages for the next open").isPositive();
    }

    private static List<String> check(RocksMq mq, List<String> acknowledged) {
        Map<String, Integer> appeared = new HashMap<>();
        for (long from = 0; ; ) {
            List<ConsumerMessage> batch = mq.read(ScheduleCrashChild.TOPIC, from, 10_000);
            if (batch.isEmpty()) {
                break;
            }
            for (ConsumerMessage m : batch) {
                appeared.merge(new String(m.payload(), StandardCharsets.UTF_8), 1, Integer::sum);
            }
            from = batch.get(batch.size() - 1).id() + 1;
        }
        List<String> violations = new ArrayList<>();
        if (mq.admin().scheduledCount(ScheduleCrashChild.TOPIC) != 0) {
            violations.add(mq.admin().scheduledCount(ScheduleCrashChild.TOPIC) + " still scheduled after 30 s");
        }
        appeared.forEach((payload, n) -> {
            if (n != 1) {
                violations.add(payload + " appeared " + n + " times");
            }
        });
        for (String payload : acknowledged) {
            if (!appeared.containsKey(payload)) {
                violations.add(payload + " acknowledged but never appeared");
            }
        }
        return violations;
    }
}
