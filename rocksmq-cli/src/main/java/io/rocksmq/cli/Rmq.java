package io.rocksmq.cli;

import io.rocksmq.api.QueueAlreadyOpenException;
import io.rocksmq.core.RocksMq;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code rmq} command line: entry point, the list of sub-commands, and what they share (whether
 * standard output is a terminal, standard input, and for tests an already open queue).
 *
 * <p>Exit codes: 0 success; 1 the operation failed or a check failed (one line on stderr, the stack
 * trace only with {@code --verbose}); 2 bad usage; 3 a command that writes was given a data directory another
 * process has open for writing (commands that only read follow that process instead).
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "rmq", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        version = "rmq 0.1.0",
        description = "RocksMQ for Java: an embedded, persistent message queue on RocksDB.%n"
                + "Every command works on a data directory (--data DIR anywhere on the line, or the"
                + " RMQ_DATA environment variable; default ./rmq-data). Commands that only read also work"
                + " while another process writes it (they follow it live); commands that write need it to"
                + " themselves.",
        subcommands = {QuickstartCommand.class, TopicsCommand.class, GroupsCommand.class, ProduceCommand.class, SchedulesCommand.class,
                ConsumeCommand.class, TailCommand.class, PerfCommand.class, CheckCommand.class,
                ServeMetricsCommand.class, ServeCommand.class, TokenCommand.class, CompletionCommand.class, HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success",
                "  1  the operation failed: unknown topic or group, storage error, problems found by",
                "     check; one line on stderr (the stack trace with --verbose)",
                "  2  bad usage (unknown command or option, invalid value)",
                "  3  a command that writes, on a data directory another process has open for writing",
                "",
                "Examples:",
                "  rmq quickstart",
                "  rmq topics create orders && rmq groups create orders billing",
                "  seq 1 5 | rmq produce orders -p source=seq",
                "  rmq consume orders -g billing --format json",
                "  rmq tail -f orders",
                "  rmq perf --messages 200000 --charts perf-charts"})
public final class Rmq {
    /** Exit code: the data directory is open in another process. */
    static final int EXIT_IN_USE = 3;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean verbose;

    /** {@code --data}, given anywhere on the command line (an inherited option sets this one field). */
    @Option(names = "--data", scope = CommandLine.ScopeType.INHERIT, paramLabel = "DIR",
            description = "Data directory (default: $RMQ_DATA if set, else ./rmq-data).")
    Path dataOption;

    /** {@code --server}: work on a running {@code rmq serve} instead of a directory. */
    @Option(names = "--server", scope = CommandLine.ScopeType.INHERIT, paramLabel = "URI",
            description = "Work on a running 'rmq serve' instead of a data directory: rmq://HOST:PORT, or rmqs://"
                    + " for TLS. For produce, consume, topics list|create|delete|describe and"
                    + " groups list|create|delete|reset.")
    String serverOption;
    @Option(names = "--token-file", scope = CommandLine.ScopeType.INHERIT, paramLabel = "FILE",
            description = "With --server: the bearer token is the first line of FILE (else $RMQ_TOKEN, else"
                    + " none), so it stays off the command line.")
    Path tokenFile;
    @Option(names = "--server-ca", scope = CommandLine.ScopeType.INHERIT, paramLabel = "PEM",
            description = "With --server rmqs://: the certificates to trust (default: the JVM's).")
    Path caFile;
    @Option(names = "--client-cert", scope = CommandLine.ScopeType.INHERIT, paramLabel = "PEM",
            description = "With --server rmqs://: this client's certificate chain, for mutual TLS (with --client-key).")
    Path certFile;
    @Option(names = "--client-key", scope = CommandLine.ScopeType.INHERIT, paramLabel = "PEM",
            description = "With --server rmqs://: this client's PKCS#8 private key, for mutual TLS (with --client-cert).")
    Path keyFile;

    /** The environment (tests give their own). */
    Map<String, String> env = System.getenv();

    /** True when standard output is an interactive terminal (live progress bars instead of lines). */
    boolean terminal;
    /** Where {@code produce} reads lines when no file is given. */
    InputStream stdin = System.in;
    /** For in-process tests: a queue the commands use instead of opening {@code --data} (never closed by them). */
    RocksMq sharedQueue;
    /** For in-process tests: whether commands that run until stopped may install a shutdown hook. */
    boolean shutdownHooks;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        Rmq root = new Rmq();
        root.terminal = System.console() != null;
        root.shutdownHooks = true;
        System.exit(commandLine(root).execute(args));
    }

    /** Runs the command line in-process and returns its exit code (for tests). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        return commandLine(new Rmq());
    }

    static CommandLine commandLine(Rmq root) {
        CommandLine cmd = new CommandLine(root);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setParameterExceptionHandler(Rmq::usageError);
        cmd.setExecutionStrategy(parseResult -> {
            Integer help = CommandLine.executeHelpRequest(parseResult);
            if (help != null) {
                return help;
            }
            CommandLine.ParseResult last = parseResult;
            while (last.hasSubcommand()) {
                last = last.subcommand();
            }
            Object command = last.commandSpec().userObject();
            if (command instanceof HelpCommand || command instanceof CommandGroup) {
                return new CommandLine.RunLast().execute(parseResult);
            }
            if (root.remote()) {
                if (root.dataOption != null) {
                    throw new CommandLine.ParameterException(last.commandSpec().commandLine(),
                            "--server and --data: give one or the other");
                }
                if (!(command instanceof QueueCommand q) || !q.worksRemotely()) {
                    throw new CommandLine.ParameterException(last.commandSpec().commandLine(), "'"
                            + last.commandSpec().qualifiedName() + "' works on a data directory only, not with --server"
                            + (command instanceof DirectoryOnly d ? ": " + d.whyNotRemote() : ""));
                }
            } else if (root.tokenFile != null || root.caFile != null || root.certFile != null || root.keyFile != null) {
                throw new CommandLine.ParameterException(last.commandSpec().commandLine(),
                        "--token-file, --server-ca, --client-cert and --client-key go with --server");
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("rmq: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (root.verbose) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return e instanceof QueueAlreadyOpenException || e instanceof QueueOptions.InUseElsewhereException
                    ? EXIT_IN_USE : 1;
        });
        return cmd;
    }

    /**
     * A usage error in one line plus where to read more, exit 2 (picocli's default prints the whole
     * usage, 30 lines that push the error itself off the screen).
     */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        PrintWriter err = failed.getErr();
        err.println("rmq: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("see '" + failed.getCommandSpec().qualifiedName() + " --help'");
        err.flush();
        return failed.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** True when the command line targets a server ({@code --server}) rather than a directory. */
    boolean remote() {
        return serverOption != null;
    }

    /** The server URI with the token and TLS files of the options added as its parameters. */
    String serverUri() throws java.io.IOException {
        StringBuilder uri = new StringBuilder(serverOption.trim());
        String token = null;
        if (tokenFile != null) {
            token = java.nio.file.Files.readAllLines(tokenFile).stream().findFirst().orElse("").trim();
        } else if (env.get("RMQ_TOKEN") != null && !env.get("RMQ_TOKEN").isBlank()) {
            token = env.get("RMQ_TOKEN").trim();
        }
        char sep = uri.indexOf("?") < 0 ? '?' : '&';
        for (String[] p : new String[][] {{"token", token}, {"ca", str(caFile)}, {"cert", str(certFile)},
                {"key", str(keyFile)}}) {
            if (p[1] != null) {
                uri.append(sep).append(p[0]).append('=')
                        .append(java.net.URLEncoder.encode(p[1], java.nio.charset.StandardCharsets.UTF_8));
                sep = '&';
            }
        }
        return uri.toString();
    }

    private static String str(Path p) {
        return p == null ? null : p.toString();
    }

    /** The data directory: {@code --data}, else {@code RMQ_DATA}, else {@code ./rmq-data}. */
    Path data() {
        if (dataOption != null) {
            return dataOption;
        }
        String fromEnv = env.get("RMQ_DATA");
        return Path.of(fromEnv == null || fromEnv.isBlank() ? "./rmq-data" : fromEnv);
    }

    /** The root object of the command a sub-command runs in. */
    static Rmq root(CommandLine.Model.CommandSpec spec) {
        return (Rmq) spec.root().userObject();
    }
}
