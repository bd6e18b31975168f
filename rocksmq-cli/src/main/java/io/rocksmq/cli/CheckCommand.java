package io.rocksmq.cli;

import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.RecoveryReport;
import io.rocksmq.core.RocksMq;
import io.rocksmq.metrics.TopicSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code rmq check}: opens the directory (which replays RocksDB's log and runs the queue's own recovery
 * checks), then verifies what the API shows: every topic's messages have consecutive, increasing ids
 * and non-decreasing publish times that match its earliest and latest id, and every group's position
 * lies within {@code [earliest, latest + 1]}. Reports sizes on disk. Exit 1 when it finds a problem.
 *
 * <p>Opens read-only: nothing it inspects is repaired or rewritten. On a directory another process has
 * open for writing it checks what that process had written when it started, as a follower, and cannot
 * look for lost acknowledged messages (the writer acknowledges more meanwhile). Acknowledged messages that recovery
 * found missing ({@link RecoveryReport}) and data RocksDB dropped are problems.
 *
 * <p>Warnings do not fail the check (unless {@code --strict}): metadata that recovery repaired when the
 * directory was opened, and a group positioned below the earliest retained message (retention deleted
 * messages it had not read; its next consume starts at the earliest).
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "check", description = {"Verify a data directory: ids, publish times and group positions;"
        + " report sizes on disk.", "Exit 1 if a problem is found."})
final class CheckCommand implements Callable<Integer>, DirectoryOnly {
    @Override
    public String whyNotRemote() {
        return "it reads the data files themselves; run it on the server's host with --data (it attaches as a"
                + " follower while the server runs)";
    }

    private static final int SCAN_CHUNK = 10_000;

    @Option(names = "--quick", description = "Skip reading every message; check metadata and sizes only.")
    boolean quick;
    @Option(names = "--strict", description = "Treat warnings as problems.")
    boolean strict;
    @Option(names = "--json", description = "Print JSON.")
    boolean json;
    @Spec
    CommandSpec spec;

    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path data = Rmq.root(spec).data();
        List<Object> topicsJson = new ArrayList<>();
        List<List<String>> rows = Text.rows("TOPIC", "MESSAGES", "IDS", "PAYLOAD", "GROUPS", "RESULT");
        Map<String, Object> engine = new LinkedHashMap<>();
        boolean live;
        try (QueueOptions.OpenQueue q = new QueueOptions(spec).openReadOnly()) {
            RocksMq mq = q.mq();
            live = mq.config().follow();
            if (mq.admin().recoveryRepairs() > 0 && !live) { // a follower's are its own view's, never the files'
                warnings.add("recovery found " + mq.admin().recoveryRepairs() + " metadata entries to repair (the log above"
                        + " says which; check changes nothing, the next read-write open repairs them)");
            }
            RecoveryReport report = mq.admin().recoveryReport();
            report.lost().forEach(l -> problems.add("acknowledged messages lost: " + l));
            report.engineMessages().forEach(m -> problems.add("RocksDB dropped data while recovering: " + m));
            for (TopicSnapshot t : TopicSnapshot.all(mq)) {
                int before = problems.size() + warnings.size();
                Scan scan = quick ? null : scan(mq, t);
                for (TopicSnapshot.GroupSnapshot g : t.groups()) {
                    checkGroup(t, g);
                }
                boolean ok = problems.size() + warnings.size() == before;
                rows.add(List.of(t.name(), Long.toString(scan == null ? t.messages() : scan.messages),
                        t.latestId() < 0 ? "-" : Text.id(t.earliestId()) + ".." + t.latestId(),
                        scan == null ? "-" : Text.bytes(scan.payloadBytes), Integer.toString(t.groups().size()),
                        ok ? "ok" : "see below"));
                topicsJson.add(Json.object("name", t.name(), "messages", scan == null ? t.messages() : scan.messages,
                        "earliestId", t.earliestId(), "latestId", t.latestId(),
                        "payloadBytes", scan == null ? null : scan.payloadBytes, "groups", Views.groupsJson(t)));
            }
            for (String p : List.of("rocksdb.total-sst-files-size", "rocksdb.estimate-live-data-size",
                    "rocksdb.estimate-pending-compaction-bytes", "rocksdb.cur-size-all-mem-tables")) {
                engine.put(p, mq.admin().engineProperty(p));
            }
        }
        Map<String, Long> disk = diskUsage(data);
        boolean failed = !problems.isEmpty() || (strict && !warnings.isEmpty());
        if (json) {
            out.println(Json.write(Json.object("directory", data.toString(), "live", live, "ok", !failed,
                    "problems", problems, "warnings", warnings, "topics", topicsJson, "disk", disk, "engine", engine)));
        } else {
            out.println("checked " + data.toAbsolutePath().normalize()
                    + (quick ? " (quick: messages not read)" : ""));
            if (live) {
                out.println("live: another process has it open for writing; checked as that process had written it"
                        + " at the start (the check for lost acknowledged messages needs the directory to itself)");
            }
            if (rows.size() > 1) {
                Text.table(out, rows);
            } else {
                out.println("no topics");
            }
            out.println("on disk: " + Text.bytes(disk.get("totalBytes")) + " (SST files "
                    + Text.bytes(disk.get("sstBytes")) + ", write-ahead log " + Text.bytes(disk.get("walBytes"))
                    + ", other " + Text.bytes(disk.get("otherBytes")) + "); RocksDB: live data ~"
                    + Text.bytes((Long) engine.get("rocksdb.estimate-live-data-size")) + ", pending compaction "
                    + Text.bytes((Long) engine.get("rocksdb.estimate-pending-compaction-bytes")) + ", memtables "
                    + Text.bytes((Long) engine.get("rocksdb.cur-size-all-mem-tables")));
            warnings.forEach(w -> out.println("warning: " + w));
            problems.forEach(p -> out.println("PROBLEM: " + p));
            out.println(failed ? (problems.size() + warnings.size()) + " finding(s): FAILED"
                    : "OK" + (warnings.isEmpty() ? "" : " (" + warnings.size() + " warning(s))"));
        }
        out.flush();
        return failed ? 1 : 0;
    }

    private static final class Scan {
        long messages;
        long payloadBytes;
    }

    /** Reads every retained message of the topic, checking ids and publish times. */
    private Scan scan(RocksMq mq, TopicSnapshot t) {
        Scan s = new Scan();
        long expected = -1;
        long lastTime = Long.MIN_VALUE;
        long next = 0;
        String topic = "topic '" + t.name() + "'";
        while (true) {
            List<ConsumerMessage> got = mq.read(t.name(), next, SCAN_CHUNK);
            if (got.isEmpty()) {
                break;
            }
            for (ConsumerMessage m : got) {
                if (expected < 0 && m.id() != t.earliestId()) {
                    problems.add(topic + ": first stored id " + m.id() + " but earliest id " + t.earliestId());
                } else if (expected >= 0 && m.id() != expected) {
                    problems.add(topic + ": id " + m.id() + " follows id " + (expected - 1)
                            + (m.id() > expected ? " (ids " + expected + ".." + (m.id() - 1) + " missing)" : " (not increasing)"));
                }
                if (m.publishTime() < lastTime) {
                    problems.add(topic + ": message " + m.id() + " published at " + Text.time(m.publishTime())
                            + ", before the message ahead of it (" + Text.time(lastTime) + ")");
                }
                lastTime = Math.max(lastTime, m.publishTime());
                expected = m.id() + 1;
                s.messages++;
                s.payloadBytes += m.payload().length;
            }
            if (expected <= next) {
                problems.add(topic + ": reading from id " + next + " does not advance; scan stopped");
                break;
            }
            next = expected;
        }
        if (expected >= 0 && expected - 1 != t.latestId()) {
            problems.add(topic + ": latest id " + t.latestId() + " but the last stored message is " + (expected - 1));
        }
        if (expected < 0 && t.earliestId() >= 0) {
            problems.add(topic + ": earliest id " + t.earliestId() + " but no message can be read");
        }
        return s;
    }

    private void checkGroup(TopicSnapshot t, TopicSnapshot.GroupSnapshot g) {
        String where = "group '" + g.name() + "' of topic '" + t.name() + "'";
        if (g.position() < 0) {
            problems.add(where + ": negative position " + g.position());
        } else if (t.latestId() >= 0 && g.position() > t.latestId() + 1) {
            problems.add(where + ": position " + g.position() + " is past the latest id " + t.latestId() + " + 1");
        } else if (t.earliestId() >= 0 && g.position() < t.earliestId()) {
            warnings.add(where + ": position " + g.position() + " is below the earliest retained id "
                    + t.earliestId() + " (messages it had not read were deleted; it resumes at "
                    + t.earliestId() + ")");
        }
    }

    /** Bytes under the directory: SST files, write-ahead log, the rest. */
    static Map<String, Long> diskUsage(Path dir) {
        long[] sizes = new long[3];
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                long size;
                try {
                    size = Files.size(f);
                } catch (IOException gone) {
                    return; // deleted meanwhile (compaction)
                }
                String name = f.getFileName().toString();
                sizes[name.endsWith(".sst") ? 0 : name.endsWith(".log") && !name.startsWith("LOG") ? 1 : 2] += size;
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure " + dir + ": " + e.getMessage(), e);
        }
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("totalBytes", sizes[0] + sizes[1] + sizes[2]);
        out.put("sstBytes", sizes[0]);
        out.put("walBytes", sizes[1]);
        out.put("otherBytes", sizes[2]);
        return out;
    }
}
