package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared groups under SIGKILL: child JVMs ({@link SharedGroupCrashChild}) work on one shared group and
 * are killed at random moments; then the parent finishes what is left and checks, over every child's log
 * and the queue: no delivery (id, attempt) was handed out twice (counts never went down); nothing
 * acknowledged was delivered again; every rejected message is in the dead-letter topic, and no message is
 * there twice or both there and acknowledged; every message not acknowledged before a kill was available
 * again (the parent's drain finishes all of them). {@code -Dcrash.seed=N} replays a seed.
 */
class SharedGroupCrashTest {
    static final int MESSAGES = 3_000;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void sharedGroupsKeepTheirPromisesAcrossProcessKills() throws Exception {
        run(8);
    }

    @Test
    @Tag("long")
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void sharedGroupsKeepTheirPromisesAcrossManyProcessKills() throws Exception {
        run(60);
    }

    private void run(int kills) throws Exception {
        long seed = CrashTest.seed();
        Random random = new Random(seed);
        Path data = tmp.resolve("data");
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Set<Long> produced = new HashSet<>();
        try (RocksMq mq = RocksMq.open(data)) {
            mq.createTopic("jobs");
            mq.createTopic("dlq");
            mq.createSharedGroup("jobs", "w", SharedGroupCrashChild.OPTIONS);
            for (int i = 0; i < MESSAGES; i += 100) {
                List<ProducerMessage> batch = new ArrayList<>();
                for (int j = 0; j < 100; j++) {
                    batch.add(ProducerMessage.of(new byte[] {(byte) j}));
                }
                for (long id : mq.produce("jobs", batch)) {
                    produced.add(id);
                }
            }
        }
        for (int generation = 0; generation < kills; generation++) {
            try (ChildJvm child = ChildJvm.start(SharedGroupCrashChild.class,
                    logs.resolve("g" + generation + ".err"), data.toString(), logs.toString(), Long.toString(seed),
                    Integer.toString(generation))) {
                assertThat(child.awaitReady(120_000)).as("seed %d: child ready; stderr: %s", seed, child.stderr())
                        .isTrue();
                Thread.sleep(100 + random.nextInt(400));
                assertThat(child.isAlive()).as("seed %d: child alive; stderr: %s", seed, child.stderr()).isTrue();
                child.kill();
            }
        }
        List<long[]> drained = new ArrayList<>();
        Map<Long, Integer> deadLetters = new HashMap<>();
        try (RocksMq mq = RocksMq.open(data)) {
            SharedGroup g = mq.sharedGroup("jobs", "w");
            long last = mq.latestMessageId("jobs");
            while (g.stats().ackFloor() <= last) {
                for (SharedGroup.Delivery d : g.acquire(100, Duration.ofMillis(200))) {
                    drained.add(new long[] {d.id(), d.attempt()});
                    g.ack(d);
                }
            }
            for (ConsumerMessage m : mq.read("dlq", 0, MESSAGES + 1)) {
                deadLetters.merge(Long.parseLong(m.properties().get(SharedGroupOptions.DEAD_LETTER_ID_PROPERTY)), 1,
                        Integer::sum);
            }
        }
        List<String> violations = check(logs, kills, produced, drained, deadLetters);
        System.out.println("shared crash test seed " + seed + ": " + kills + " kills, " + drained.size()
                + " left for the drain, " + deadLetters.size() + " dead letters");
        assertThat(violations).as("seed %d", seed).isEmpty();
    }

    private static List<String> check(Path logs, int generations, Set<Long> produced, List<long[]> drained,
                                      Map<Long, Integer> deadLetters) throws IOException {
        List<String> violations = new ArrayList<>();
        Set<String> delivered = new HashSet<>();
        Map<Long, Integer> maxDelivered = new HashMap<>();
        Map<Long, Integer> acked = new HashMap<>();
        Set<Long> rejected = new HashSet<>();
        int deliveries = 0;
        for (int gen = 0; gen < generations; gen++) {
            for (int w = 0; w < SharedGroupCrashChild.WORKERS; w++) {
                Path log = SharedGroupCrashChild.log(logs, gen, w);
                if (!Files.exists(log)) {
                    continue;
                }
                String text = Files.readString(log);
                String[] lines = text.split("\n", -1);
                for (int i = 0; i < lines.length - 1; i++) { // the last piece has no newline: cut or empty
                    String[] f = lines[i].split(" ");
                    long id = Long.parseLong(f[1]);
                    int attempt = Integer.parseInt(f[2]);
                    switch (f[0]) {
                        case "D" -> {
                            deliveries++;
                            if (!delivered.add(id + "/" + attempt)) {
                                violations.add("delivery " + attempt + " of " + id + " handed out twice");
                            }
                            maxDelivered.merge(id, attempt, Math::max);
                        }
                        case "A" -> acked.put(id, attempt);
                        case "R" -> rejected.add(id);
                        default -> violations.add("bad log line " + lines[i]);
                    }
                }
            }
        }
        for (long[] d : drained) {
            if (!delivered.add(d[0] + "/" + d[1])) {
                violations.add("delivery " + d[1] + " of " + d[0] + " handed out twice (drain)");
            }
            maxDelivered.merge(d[0], (int) d[1], Math::max);
        }
        acked.forEach((id, attempt) -> {
            if (maxDelivered.getOrDefault(id, 0) > attempt) {
                violations.add("message " + id + " acked at delivery " + attempt + " was delivered again ("
                        + maxDelivered.get(id) + ")");
            }
            if (deadLetters.containsKey(id)) {
                violations.add("message " + id + " both acked and dead-lettered");
            }
        });
        for (long id : rejected) {
            if (!deadLetters.containsKey(id)) {
                violations.add("rejected message " + id + " is not in the dead-letter topic");
            }
        }
        deadLetters.forEach((id, n) -> {
            if (n != 1) {
                violations.add("message " + id + " dead-lettered " + n + " times");
            }
            if (!produced.contains(id)) {
                violations.add("dead letter of unknown message " + id);
            }
        });
        if (deliveries == 0 || acked.isEmpty()) {
            violations.add("the children did no work before the kills: " + deliveries + " deliveries");
        }
        return violations.size() > 20 ? violations.subList(0, 20) : violations;
    }
}
