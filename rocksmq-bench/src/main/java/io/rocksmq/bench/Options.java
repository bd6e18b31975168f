package io.rocksmq.bench;

import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The harness's command line (picocli), parsed once and validated; the values that depend on the mode
 * (runs, peers, pre-warm, timeout) are resolved after parsing.
 *
 * <p>Not thread-safe to build; immutable afterwards.
 */
@Command(name = "BenchMain", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs the benchmark workloads against RocksMQ and its peers, each measured JVM on its own,"
                + " and writes results.json, a Markdown table and charts.")
final class Options {
    /** The mode: the full run (default), a quick run, or the CI smoke run. */
    static final class Modes {
        @Option(names = "--full", description = "Full run: full-size workloads, 3 runs, every peer (incl. Kafka).")
        boolean full;
        @Option(names = "--quick", description = "Small counts, 1 run, no Kafka unless --kafka; under two minutes.")
        boolean quick;
        @Option(names = "--smoke", description = "The quickest run (CI): tiny counts, 1 run, no Kafka unless --kafka.")
        boolean smoke;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Modes modes;
    @Option(names = "--runs", paramLabel = "N", description = "Runs per peer and scenario (default 3 full, 1 otherwise).")
    Integer runsOption;
    @Option(names = "--peers", split = ",", paramLabel = "PEER", converter = PeerConverter.class,
            description = "Only these peers: rocksmq, rocksmq-fsync, rocksmq-served, rocksmq-commit1s, rocksmq-blob, rocksdb-kpm, rocksdb-vpb, rocksdb-vpb-blob, chronicle, kafka,"
                    + " artemis, artemis-fsync.")
    List<Peer> peersOption;
    @Option(names = "--workloads", split = ",", paramLabel = "W", description = "Only scenarios reporting these workloads (W1..W9).")
    List<String> workloadsOption = new ArrayList<>();
    @Option(names = "--kafka", description = "Include Kafka in --quick/--smoke.")
    boolean kafka;
    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default results/<timestamp>).")
    Path out;
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where peers store data (default: the system temp dir; use a real disk).")
    Path dataDir;
    @Option(names = "--project-root", paramLabel = "DIR",
            description = "Project root, to find ../shared/tools/prewarm-memory.sh (default: found from the working dir).")
    Path projectRoot;
    @Option(names = "--prewarm-mb", paramLabel = "N",
            description = "Memory to touch and free before each measured JVM (default 3000 full, 500 otherwise).")
    Integer prewarmMbOption;
    @Option(names = "--no-prewarm", negatable = false, description = "Skip the memory pre-warm.")
    boolean noPrewarm;
    @Option(names = "--heap", paramLabel = "SIZE", description = "Heap of each measured JVM (default ${DEFAULT-VALUE}).")
    String heap = "2g";
    @Option(names = "--jfr", description = "Record a JDK Flight Recording (profile settings) of each measured JVM.")
    boolean jfr;
    @Option(names = "--jvm-arg", paramLabel = "ARG", description = "Extra option for each measured JVM (repeatable).")
    List<String> jvmArgs = new ArrayList<>();
    @Option(names = "--background-load", paramLabel = "N",
            description = "Busy-machine mode: also run W1, W4 and W5 with a separate process burning N threads"
                    + " (at --background-duty), started before and stopped after each measured JVM (default 0: off).")
    int backgroundThreads;
    @Option(names = "--background-duty", paramLabel = "PCT",
            description = "Share of each 10 ms period each background thread burns, 1..100 (default ${DEFAULT-VALUE}).")
    int backgroundDuty = 50;
    @Option(names = "--timeout-s", paramLabel = "N",
            description = "Kill a measured JVM after N seconds (default 1200 full, 180 otherwise).")
    Integer timeoutOption;

    Mode mode = Mode.FULL;
    int runs;
    Set<Peer> peers;
    Set<String> workloads = new LinkedHashSet<>();
    boolean prewarm = true;
    int prewarmMb;
    int timeoutSeconds;
    List<String> raw;

    /** The picocli model of these options (usage, errors); the caller prints what it needs. */
    static CommandLine commandLine(Options o) {
        return new CommandLine(o).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /**
     * Parses and resolves the arguments.
     *
     * @throws CommandLine.ParameterException on bad usage (its message says what)
     */
    static Options parse(String[] args) {
        Options o = new Options();
        CommandLine cmd = commandLine(o);
        cmd.parseArgs(args);
        o.resolve(cmd, args);
        return o;
    }

    /** Resolves the mode-dependent values once {@code args} were parsed into this object by {@code cmd}. */
    void resolve(CommandLine cmd, String[] args) {
        raw = List.of(args);
        mode = modes == null || modes.full ? Mode.FULL : modes.quick ? Mode.QUICK : Mode.SMOKE;
        boolean full = mode == Mode.FULL;
        runs = runsOption != null ? runsOption : full ? 3 : 1;
        if (runs < 1) {
            throw new CommandLine.ParameterException(cmd, "--runs must be >= 1");
        }
        if (peersOption == null) {
            peers = EnumSet.allOf(Peer.class);
            peers.removeIf(Peer::experiment); // experiments run only when named in --peers
            if (!full && !kafka) {
                peers.remove(Peer.KAFKA);
            }
        } else {
            peers = EnumSet.copyOf(peersOption);
            if (kafka) {
                peers.add(Peer.KAFKA);
            }
        }
        if (backgroundThreads < 0) {
            throw new CommandLine.ParameterException(cmd, "--background-load must be >= 0");
        }
        if (backgroundDuty < 1 || backgroundDuty > 100) {
            throw new CommandLine.ParameterException(cmd, "--background-duty must be 1..100");
        }
        workloadsOption.forEach(w -> workloads.add(w.trim().toUpperCase(Locale.ROOT)));
        prewarm = !noPrewarm;
        prewarmMb = prewarmMbOption != null ? prewarmMbOption : full ? 3000 : 500;
        timeoutSeconds = timeoutOption != null ? timeoutOption : full ? 1200 : 180;
        if (out == null) {
            out = Path.of("results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        if (dataDir == null) {
            dataDir = Path.of(System.getProperty("java.io.tmpdir"));
        }
        if (projectRoot == null) {
            projectRoot = findProjectRoot(Path.of("").toAbsolutePath());
        }
    }

    /** Peers by their id on the command line. */
    static final class PeerConverter implements CommandLine.ITypeConverter<Peer> {
        @Override
        public Peer convert(String value) {
            return Peer.byId(value.trim());
        }
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

    /** The loads a scenario runs under: idle always, busy too in the busy-machine mode where it applies. */
    List<Load> loads(Scenario scenario) {
        return backgroundThreads > 0 && scenario.hasBusyMode() ? List.of(Load.IDLE, Load.BUSY) : List.of(Load.IDLE);
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
