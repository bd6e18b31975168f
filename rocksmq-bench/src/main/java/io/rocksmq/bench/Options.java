package io.rocksmq.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The harness's command line, parsed once and validated.
 *
 * <p>Not thread-safe to build; immutable afterwards.
 */
final class Options {
    static final String USAGE = """
            usage: BenchMain [--quick | --smoke] [options]
              (no mode), --full    full run: full-size workloads, 3 runs, every peer (incl. Kafka)
              --quick              small counts, 1 run, no Kafka unless --kafka; under two minutes
              --smoke              the quickest run (CI): tiny counts, 1 run, no Kafka unless --kafka
              --runs N             runs per peer and scenario (default 3 full, 1 otherwise)
              --peers a,b          only these peers: rocksmq, rocksmq-fsync, rocksdb-kpm, rocksdb-vpb, chronicle, kafka
              --workloads W1,W4    only scenarios reporting these workloads (W1..W8)
              --kafka              include Kafka in --quick/--smoke
              --out DIR            output directory (default results/<timestamp>)
              --data-dir DIR       where peers store data (default: the system temp dir; use a real disk)
              --project-root DIR   project root, to find ../shared/tools/prewarm-memory.sh (default: found from the working dir)
              --prewarm-mb N       memory to touch and free before each measured JVM (default 3000 full, 500 otherwise)
              --no-prewarm         skip the memory pre-warm
              --heap SIZE          heap of each measured JVM (default 2g)
              --jfr                record a JDK Flight Recording (profile settings) of each measured JVM
              --jvm-arg ARG        extra option for each measured JVM (repeatable)
              --timeout-s N        kill a measured JVM after N seconds (default 1200 full, 180 otherwise)
            """;

    Mode mode = Mode.FULL;
    int runs;
    Set<Peer> peers;
    Set<String> workloads = new LinkedHashSet<>();
    Path out;
    Path dataDir;
    Path projectRoot;
    int prewarmMb;
    boolean prewarm = true;
    String heap = "2g";
    boolean jfr;
    List<String> jvmArgs = new ArrayList<>();
    int timeoutSeconds;
    final List<String> raw;

    private Options(List<String> raw) {
        this.raw = raw;
    }

    static Options parse(String[] args) {
        Options o = new Options(List.of(args));
        Integer runs = null;
        Integer prewarmMb = null;
        Integer timeout = null;
        boolean kafka = false;
        Set<Peer> peers = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> o.mode = Mode.QUICK;
                case "--smoke" -> o.mode = Mode.SMOKE;
                case "--full" -> o.mode = Mode.FULL;
                case "--runs" -> runs = Integer.parseInt(value(args, ++i, a));
                case "--peers" -> {
                    peers = EnumSet.noneOf(Peer.class);
                    for (String p : value(args, ++i, a).split(",")) {
                        peers.add(Peer.byId(p.trim()));
                    }
                }
                case "--workloads" -> {
                    for (String w : value(args, ++i, a).split(",")) {
                        o.workloads.add(w.trim().toUpperCase(java.util.Locale.ROOT));
                    }
                }
                case "--kafka" -> kafka = true;
                case "--out" -> o.out = Path.of(value(args, ++i, a));
                case "--data-dir" -> o.dataDir = Path.of(value(args, ++i, a));
                case "--project-root" -> o.projectRoot = Path.of(value(args, ++i, a));
                case "--prewarm-mb" -> prewarmMb = Integer.parseInt(value(args, ++i, a));
                case "--no-prewarm" -> o.prewarm = false;
                case "--heap" -> o.heap = value(args, ++i, a);
                case "--jfr" -> o.jfr = true;
                case "--jvm-arg" -> o.jvmArgs.add(value(args, ++i, a));
                case "--timeout-s" -> timeout = Integer.parseInt(value(args, ++i, a));
                case "-h", "--help" -> throw new IllegalArgumentException("");
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        boolean full = o.mode == Mode.FULL;
        o.runs = runs != null ? runs : full ? 3 : 1;
        if (o.runs < 1) {
            throw new IllegalArgumentException("--runs must be >= 1");
        }
        if (peers == null) {
            peers = EnumSet.allOf(Peer.class);
            if (!full && !kafka) {
                peers.remove(Peer.KAFKA);
            }
        } else if (kafka) {
            peers.add(Peer.KAFKA);
        }
        o.peers = peers;
        o.prewarmMb = prewarmMb != null ? prewarmMb : full ? 3000 : 500;
        o.timeoutSeconds = timeout != null ? timeout : full ? 1200 : 180;
        if (o.out == null) {
            o.out = Path.of("results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        if (o.dataDir == null) {
            o.dataDir = Path.of(System.getProperty("java.io.tmpdir"));
        }
        if (o.projectRoot == null) {
            o.projectRoot = findProjectRoot(Path.of("").toAbsolutePath());
        }
        return o;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** The nearest directory at or above {@code from} whose pom.xml is the RocksMQ parent; null if none. */
    static Path findProjectRoot(Path from) {
        for (Path p = from; p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            try {
                // The parent pom names itself rocksmq-parent; module poms name it too, but inside <parent>.
                if (Files.isRegularFile(pom) && isParentPom(Files.readString(pom))) {
                    return p;
                }
            } catch (java.io.IOException e) {
                // unreadable: keep looking upwards
            }
        }
        return null;
    }

    private static boolean isParentPom(String pom) {
        return pom.contains("<artifactId>rocksmq-parent</artifactId>") && !pom.contains("<parent>");
    }

    /** The scenarios to run, in order. */
    List<Scenario> scenarios() {
        List<Scenario> out = new ArrayList<>();
        for (Scenario s : Scenario.values()) {
            if (workloads.isEmpty() || s.reportsAny(workloads)) {
                out.add(s);
            }
        }
        return out;
    }
}
