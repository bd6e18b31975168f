package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The parent side of the crash test: starts {@link CrashChild} in a child JVM, kills it with SIGKILL
 * at a random (seeded) moment, opens the queue itself and checks every promise against the child's
 * fsynced logs, then starts the next generation on the same directory, and repeats.
 *
 * <p>Checked after every kill:
 * <ul>
 *   <li>the queue opens, and its consistency check had nothing to repair;</li>
 *   <li>every topic's ids are contiguous from 0 and strictly increasing; everything that was stored
 *       at the previous check is still there with the same payload (a process crash loses nothing
 *       that reached RocksDB, acknowledged or not);</li>
 *   <li>every acknowledged id is stored with its exact payload (CRC-32 and length), was never
 *       acknowledged before, and is above every id stored before this generation (ids never reused);</li>
 *   <li>every consumed batch is contiguous with the one before it and matches the stored payloads;</li>
 *   <li>the {@code manual} group (read, log, then seek) resumes at its last committed position or at
 *       the end of the batch it had read: at or before the last logged consumption, never past it
 *       (at-least-once); the {@code auto} group ({@code consume}, which commits before returning)
 *       resumes at the end of its last logged batch or, if a consume was in flight, at most
 *       {@code max} messages after it; neither ever beyond the stored data.</li>
 * </ul>
 *
 * <p>Not thread-safe: owned by the test thread.
 */
final class CrashHarness {
    /** What a run did, for the report. */
    record Result(int kills, int killsBeforeReady, long acknowledged, long stored, long consumedAuto,
                  long consumedManual, long millis) {
        @Override
        public String toString() {
            return String.format("%d kills (%d before the child was ready), %d acknowledged messages"
                            + " verified, %d messages stored, %d consumed by auto groups, %d by manual groups,"
                            + " %.1f s", kills, killsBeforeReady, acknowledged, stored, consumedAuto,
                    consumedManual, millis / 1000.0);
        }
    }

    private final Path dataDir;
    private final Path logDir;
    private final Durability durability;
    private final long seed;
    private final int kills;
    private final int maxRunMillis;
    private final Random random;

    private final Map<String, TopicState> topics = new HashMap<>();
    private final Map<String, GroupState> groups = new HashMap<>();
    private long acknowledged;
    private long consumedAuto;
    private long consumedManual;
    private int generation;

    CrashHarness(Path root, Durability durability, long seed, int kills, int maxRunMillis) throws IOException {
        this.dataDir = root.resolve("queue");
        this.logDir = Files.createDirectories(root.resolve("logs"));
        this.durability = durability;
        this.seed = seed;
        this.kills = kills;
        this.maxRunMillis = maxRunMillis;
        this.random = new Random(seed);
        for (int t = 0; t < CrashChild.TOPICS; t++) {
            String topic = CrashChild.topic(t);
            topics.put(topic, new TopicState());
            groups.put(topic + "/" + CrashChild.AUTO, new GroupState());
            groups.put(topic + "/" + CrashChild.MANUAL, new GroupState());
        }
    }

    Result run() throws Exception {
        long start = System.currentTimeMillis();
        int beforeReady = 0;
        for (generation = 1; generation <= kills; generation++) {
            try (ChildJvm child = ChildJvm.start(CrashChild.class,
                    logDir.resolve("g" + generation + ".err"), dataDir.toString(), logDir.toString(),
                    durability.name(), Long.toString(seed), Integer.toString(generation))) {
                // One kill in ten lands at a random moment after start: often inside open/recovery.
                if (random.nextInt(10) == 0) {
                    Thread.sleep(random.nextInt(600));
                    if (!child.awaitReady(0)) {
                        beforeReady++;
                    }
                } else {
                    if (!child.awaitReady(120_000)) {
                        fail("child not ready within 120 s; stderr:\n" + child.stderr());
                    }
                    Thread.sleep(50 + random.nextInt(maxRunMillis));
                }
                if (!child.isAlive()) {
                    fail("child exited before the kill; stderr:\n" + child.stderr());
                }
                child.kill();
            }
            verify();
        }
        long stored = topics.values().stream().mapToLong(t -> t.count).sum();
        return new Result(kills, beforeReady, acknowledged, stored, consumedAuto, consumedManual,
                System.currentTimeMillis() - start);
    }

    private void verify() throws IOException {
        RocksMq mq;
        try {
            mq = RocksMq.open(RocksMqConfig.builder(dataDir).durability(durability).build());
        } catch (RuntimeException e) {
            throw new AssertionError(context() + "queue did not open after the kill: " + e, e);
        }
        try (mq) {
            check(mq.admin().recoveryRepairs() == 0, "recovery repaired metadata after a process crash");
            for (Map.Entry<String, TopicState> e : topics.entrySet()) {
                verifyStored(mq, e.getKey(), e.getValue());
            }
            verifyProduced();
            for (int t = 0; t < CrashChild.TOPICS; t++) {
                String topic = CrashChild.topic(t);
                verifyGroup(mq, topic, CrashChild.AUTO);
                verifyGroup(mq, topic, CrashChild.MANUAL);
            }
        }
    }

    /** Reads the whole topic; ids contiguous from 0; the previous check's contents unchanged. */
    private void verifyStored(RocksMq mq, String topic, TopicState state) {
        if (!mq.topicExists(topic)) {
            check(state.count == 0 && state.acked.isEmpty(), "topic " + topic + " vanished");
            return;
        }
        int[] crc = new int[Math.max(16, state.count * 2)];
        int[] len = new int[crc.length];
        int n = 0;
        long from = 0;
        while (true) {
            List<ConsumerMessage> batch = mq.read(topic, from, 5000);
            if (batch.isEmpty()) {
                break;
            }
            for (ConsumerMessage m : batch) {
                check(m.id() == n, topic + ": expected id " + n + " next, read " + m.id());
                if (n == crc.length) {
                    crc = Arrays.copyOf(crc, n * 2);
                    len = Arrays.copyOf(len, n * 2);
                }
                crc[n] = CrashChild.crc(m.payload());
                len[n] = m.payload().length;
                n++;
            }
            from = batch.get(batch.size() - 1).id() + 1;
        }
        check(mq.latestMessageId(topic) == n - 1, topic + ": latestMessageId " + mq.latestMessageId(topic)
                + " but " + n + " messages stored");
        check(n >= state.count, topic + ": " + state.count + " messages stored before, " + n + " now");
        for (int i = 0; i < state.count; i++) {
            check(crc[i] == state.crc[i] && len[i] == state.len[i], topic + ": message " + i + " changed");
        }
        state.countBefore = state.count;
        state.count = n;
        state.crc = crc;
        state.len = len;
    }

    private void verifyProduced() throws IOException {
        for (int p = 0; p < CrashChild.PRODUCERS; p++) {
            for (String line : completeLines(CrashChild.producerLog(logDir, generation, p))) {
                String[] f = line.split(" ");
                TopicState t = topics.get(f[1]);
                int id = Math.toIntExact(Long.parseLong(f[2]));
                check(id < t.count, f[1] + ": acknowledged id " + id + " is not stored (" + t.count + " stored)");
                check(t.crc[id] == Integer.parseInt(f[3]) && t.len[id] == Integer.parseInt(f[4]),
                        f[1] + ": acknowledged id " + id + " is stored with another payload");
                check(!t.acked.get(id), f[1] + ": id " + id + " acknowledged twice (reused)");
                check(id >= t.countBefore, f[1] + ": id " + id + " acknowledged in generation " + generation
                        + " but ids below " + t.countBefore + " were already stored before it (reused)");
                t.acked.set(id);
                acknowledged++;
            }
        }
    }

    private void verifyGroup(RocksMq mq, String topic, String group) throws IOException {
        GroupState g = groups.get(topic + "/" + group);
        TopicState t = topics.get(topic);
        String name = topic + "/" + group;
        long intentPos = -1;
        long max = 0;
        long readEnd = -1; // end of the last logged batch
        long committed = -1; // manual: last logged seek
        for (String line : completeLines(CrashChild.consumerLog(logDir, generation, topic, group))) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "I" -> {
                    intentPos = Long.parseLong(f[3]);
                    max = Long.parseLong(f[4]);
                    check(intentPos == g.position, name + " started at " + intentPos + " but its position after the"
                            + " previous kill was " + g.position);
                    readEnd = intentPos;
                    committed = intentPos;
                }
                case "C" -> {
                    long first = Long.parseLong(f[3]);
                    int count = Integer.parseInt(f[4]);
                    long end = Long.parseLong(f[5]);
                    check(first == readEnd, name + ": batch starts at " + first + ", expected " + readEnd);
                    check(end == first + count && end <= t.count, name + ": bad batch " + line);
                    long acc = 0;
                    for (long id = first; id < end; id++) {
                        acc = CrashChild.mix(acc, id, t.crc[(int) id]);
                    }
                    check(acc == Long.parseLong(f[6]), name + ": consumed payloads differ from the stored ones: " + line);
                    readEnd = end;
                    if (group.equals(CrashChild.AUTO)) {
                        consumedAuto += count;
                    } else {
                        consumedManual += count;
                    }
                }
                case "S" -> {
                    committed = Long.parseLong(f[3]);
                    check(committed == readEnd, name + ": committed " + committed + " after reading to " + readEnd);
                }
                default -> fail("bad log line " + line);
            }
        }
        if (!mq.topicExists(topic) || !mq.consumerGroupExists(topic, group)) {
            check(intentPos < 0 && !g.started, name + " vanished");
            return;
        }
        long p = mq.position(topic, group);
        check(p <= t.count, name + ": position " + p + " is beyond the stored data (" + t.count + " messages)");
        if (intentPos < 0) {
            check(p == g.position, name + ": position moved from " + g.position + " to " + p + " without a consumer");
        } else if (group.equals(CrashChild.AUTO)) {
            check(p >= readEnd && p <= readEnd + max, name + ": resumed at " + p + "; last logged consume ended at "
                    + readEnd + " and at most " + max + " more were in flight");
        } else {
            check(p == committed || p == readEnd, name + ": resumed at " + p + "; last commit " + committed
                    + ", last read ended at " + readEnd + " (at-least-once allows only these)");
        }
        g.position = p;
        g.started |= intentPos >= 0;
    }

    /** Lines ended by a newline; the last, unterminated one was cut by the kill. */
    private static List<String> completeLines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        String s = Files.readString(file, StandardCharsets.US_ASCII);
        List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
        lines.remove(lines.size() - 1);
        return lines;
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            fail(what);
        }
    }

    private void fail(String what) {
        throw new AssertionError(context() + what);
    }

    private String context() {
        return "[crash test " + durability + ", seed " + seed + ", generation " + generation + ", data in "
                + dataDir + "] ";
    }

    private static final class TopicState {
        int count;
        int countBefore;
        int[] crc = new int[0];
        int[] len = new int[0];
        final BitSet acked = new BitSet();
    }

    private static final class GroupState {
        long position;
        boolean started;
    }
}
