package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code kill -9} cannot show: storage that fails. A child JVM ({@link FaultChild}) runs the
 * queue with the {@link FaultShim} preloaded, which fails chosen fsyncs, writes and renames with EIO;
 * then this JVM opens the queue without the shim and checks that every acknowledged message is there.
 * Checked: a failed fsync is never acknowledged; after an I/O error on the log, writes are refused
 * until the queue is reopened; a failed flush or a failed rename at open loses nothing; the queue
 * always reopens with every acknowledged message and nothing to repair. Skipped where gcc is missing.
 * The longer matrix of fault points is {@link FaultInjectionLongTest}.
 */
class FaultInjectionTest {
    @TempDir
    Path tmp;

    @Test
    void aFailedFsyncIsNeverAcknowledgedAndDurableProduceStaysRefusedUntilReopen() throws Exception {
        Outcome o = run(tmp, "fsync");
        assertThat(o.hits).isEqualTo(1);
        assertThat(o.refused("fsync-fails")).contains("StorageException").contains("fsync");
        assertThat(o.refused("fsync-after-failure")).contains("StorageException");
        assertThat(o.refused("wal-after-failure")).contains("StorageException");
        assertThat(o.refused("fsync-after-disarm")).contains("StorageException");
        assertThat(o.refused("wal-after-disarm")).contains("StorageException");
        assertThat(o.ok("after-reopen-fsync")).isTrue();
        o.checkStored(tmp, false);
    }

    @Test
    void aFailedLogWriteStoresNothingAndWritesStayRefusedUntilReopen() throws Exception {
        Outcome o = run(tmp, "wal-write");
        assertThat(o.hits).isPositive();
        assertThat(o.refused("write-fails")).contains("StorageException");
        assertThat(o.refused("write-fails-fsync")).contains("StorageException");
        assertThat(o.refused("wal-after-disarm")).contains("StorageException");
        assertThat(o.refused("fsync-after-disarm")).contains("StorageException");
        assertThat(o.step("read-after-failure")).isEqualTo("OK " + o.countAcksBefore("write-fails"));
        assertThat(o.ok("after-reopen-fsync")).isTrue();
        o.checkStored(tmp, true);
    }

    @Test
    void aFailedFlushLosesNothing() throws Exception {
        Outcome o = run(tmp, "flush-write");
        assertThat(o.hits).isPositive();
        assertThat(o.refused("flush-fails")).contains("StorageException");
        assertThat(o.ok("after-reopen-fsync")).isTrue();
        o.checkStored(tmp, false);
    }

    @Test
    void aFailedRenameAtOpenRefusesTheOpenAndChangesNothing() throws Exception {
        Outcome o = run(tmp, "rename-open");
        assertThat(o.hits).isPositive();
        assertThat(o.refused("open-fails")).contains("StorageException");
        assertThat(o.ok("after-reopen-fsync")).isTrue();
        o.checkStored(tmp, true);
    }

    @Test
    void aFailedRenameWhileCreatingTheQueueLeavesItCreatable() throws Exception {
        // Found by the matrix: RocksDB had written MANIFEST-000001 but not CURRENT, and every later open
        // refused the directory as damaged.
        Outcome o = run(tmp, "matrix", "rename CURRENT 0 1 " + FaultShim.EIO, "1");
        assertThat(o.hits).isEqualTo(1);
        assertThat(o.refused("first-open")).contains("StorageException").contains("CURRENT");
        assertThat(o.ok("after-reopen-fsync")).isTrue();
        o.checkStored(tmp, true);
    }

    @Test
    void aFailedFsyncOfTheLogDirectoryAlsoStopsWrites() throws Exception {
        // Found by the matrix: RocksDB fsyncs the log's directory at the first sync of a new log file; when
        // that failed, the FSYNC produce was refused but RocksDB went on taking writes, so WAL produces
        // were acknowledged after a failed fsync.
        Outcome o = run(tmp, "matrix", "fsync /queue$ 0 1 " + FaultShim.EIO, "1", "run");
        assertThat(o.hits).isEqualTo(1);
        assertThat(o.writesRefusedAfterFirstError()).contains("fsync");
        assertThat(o.ok("after-reopen-fsync")).isTrue();
        o.checkStored(tmp, false);
    }

    /** Runs one scenario in a child JVM with the shim preloaded; its recorded outcome. */
    static Outcome run(Path tmp, String scenario, String... extra) throws Exception {
        Path lib = FaultShim.library();
        Path data = tmp.resolve("queue");
        Path control = Files.createDirectories(tmp.resolve("faults")).resolve("control");
        Path result = tmp.resolve("result.txt");
        Path stderr = tmp.resolve("child-stderr.txt");
        List<String> args = new ArrayList<>(List.of(scenario, data.toString(), control.toString(), result.toString()));
        args.addAll(List.of(extra));
        try (ChildJvm child = ChildJvm.start(FaultChild.class, stderr,
                Map.of("LD_PRELOAD", lib.toString(), FaultShim.CONTROL_ENV, control.toString()),
                args.toArray(String[]::new))) {
            OptionalInt exit = child.awaitExit(180_000);
            String lines = Files.exists(result) ? Files.readString(result, StandardCharsets.UTF_8) : "(no result)";
            assertThat(exit).as("child exit; result:%n%s%nstderr:%n%s", lines, child.stderr()).hasValue(0);
        }
        Outcome o = Outcome.parse(Files.readAllLines(result, StandardCharsets.UTF_8));
        assertThat(o.done).as("child finished: %s", o.lines).isTrue();
        return o;
    }

    /** What the child recorded. */
    static final class Outcome {
        final List<String> lines;
        final Map<String, String> steps = new LinkedHashMap<>();
        final List<long[]> acks = new ArrayList<>(); // id, crc, length
        final List<Integer> ackStep = new ArrayList<>(); // index of the step each ack belongs to
        int hits;
        boolean done;

        private Outcome(List<String> lines) {
            this.lines = lines;
        }

        static Outcome parse(List<String> lines) {
            Outcome o = new Outcome(lines);
            for (String line : lines) {
                String[] f = line.split(" ", 4);
                switch (f[0]) {
                    case "ACK" -> {
                        String[] a = line.split(" ");
                        o.acks.add(new long[] {Long.parseLong(a[2]), Long.parseLong(a[3]), Long.parseLong(a[4])});
                        o.ackStep.add(o.steps.size());
                    }
                    case "STEP" -> o.steps.put(f[1], f.length > 3 ? f[2] + " " + f[3] : f[2]);
                    case "HITS" -> o.hits = Integer.parseInt(f[1]);
                    case "DONE" -> o.done = true;
                    default -> throw new AssertionError("unexpected line " + line);
                }
            }
            return o;
        }

        String step(String name) {
            assertThat(steps).as("steps").containsKey(name);
            return steps.get(name);
        }

        boolean ok(String name) {
            return step(name).startsWith("OK");
        }

        /** The refusal's exception and message; fails if the step was not refused. */
        String refused(String name) {
            String s = step(name);
            assertThat(s).as("step %s", name).startsWith("REFUSED");
            return s;
        }

        long countAcksBefore(String stepName) {
            int index = new ArrayList<>(steps.keySet()).indexOf(stepName);
            return ackStep.stream().filter(s -> s <= index).count();
        }

        /**
         * From the first open to its close: once a step (a produce or a flush) met an I/O error, every
         * later produce was refused. Returns that first refusal ("none" if there was none).
         */
        String writesRefusedAfterFirstError() {
            String firstRefusal = "none";
            for (Map.Entry<String, String> s : steps.entrySet()) {
                String name = s.getKey();
                if (name.equals("close")) {
                    break;
                }
                if (name.equals("first-open")) {
                    continue;
                }
                if (!firstRefusal.equals("none") && (name.startsWith("p") || name.equals("after-disarm"))) {
                    assertThat(s.getValue()).as("produce %s after %s", name, firstRefusal).startsWith("REFUSED");
                }
                if (firstRefusal.equals("none") && s.getValue().startsWith("REFUSED")) {
                    firstRefusal = name + " " + s.getValue();
                }
            }
            return firstRefusal;
        }

        /**
         * Opens the queue without the shim: it opens with nothing to repair; every acknowledged message
         * is stored with its payload; ids strictly increase; with {@code exactly}, nothing else is stored
         * (every refused produce stored nothing).
         */
        List<ConsumerMessage> checkStored(Path tmp, boolean exactly) {
            try (RocksMq mq = RocksMq.open(tmp.resolve("queue"))) {
                assertThat(mq.admin().recoveryRepairs()).as("repairs at open").isZero();
                List<ConsumerMessage> stored = new ArrayList<>();
                for (List<ConsumerMessage> got; !(got = mq.read(FaultChild.TOPIC,
                        stored.isEmpty() ? 0 : stored.get(stored.size() - 1).id() + 1, 1000)).isEmpty(); ) {
                    stored.addAll(got);
                }
                Map<Long, ConsumerMessage> byId = new LinkedHashMap<>();
                long previous = -1;
                for (ConsumerMessage m : stored) {
                    assertThat(m.id()).isGreaterThan(previous);
                    previous = m.id();
                    byId.put(m.id(), m);
                }
                for (long[] ack : acks) {
                    ConsumerMessage m = byId.get(ack[0]);
                    assertThat(m).as("acknowledged id %d is stored; steps %s", ack[0], steps).isNotNull();
                    assertThat(m.payloadSize()).isEqualTo((int) ack[2]);
                    assertThat((long) CrashChild.crc(m.payload())).isEqualTo(ack[1]);
                }
                if (exactly) {
                    assertThat(stored).as("stored messages are exactly the acknowledged ones").hasSize(acks.size());
                }
                return stored;
            }
        }
    }
}
