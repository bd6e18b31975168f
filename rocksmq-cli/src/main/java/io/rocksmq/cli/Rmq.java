package io.rocksmq.cli;

import io.rocksmq.api.QueueAlreadyOpenException;
import io.rocksmq.core.RocksMq;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.InputStream;

/**
 * The {@code rmq} command line: entry point, the list of sub-commands, and what they share (whether
 * standard output is a terminal, standard input, and for tests an already open queue).
 *
 * <p>Exit codes: 0 success; 1 the operation failed or a check failed (one line on stderr, the stack
 * trace only with {@code --verbose}); 2 bad usage; 3 the data directory is in use by another process.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "rmq", mixinStandardHelpOptions = true, version = "rmq 0.1.0",
        description = "RocksMQ for Java: an embedded, persistent message queue on RocksDB.%n"
                + "Every command works on a data directory (--data, default ./rmq-data) that no other "
                + "process has open.",
        subcommands = {QuickstartCommand.class, TopicsCommand.class, GroupsCommand.class, ProduceCommand.class,
                ConsumeCommand.class, TailCommand.class, PerfCommand.class, CheckCommand.class,
                ServeMetricsCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success",
                "  1  the operation failed: unknown topic or group, storage error, problems found by",
                "     check; one line on stderr (the stack trace with --verbose)",
                "  2  bad usage (unknown command or option, invalid value)",
                "  3  the data directory is open in another process",
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
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("rmq: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (root.verbose) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return e instanceof QueueAlreadyOpenException ? EXIT_IN_USE : 1;
        });
        return cmd;
    }

    /** The root object of the command a sub-command runs in. */
    static Rmq root(CommandLine.Model.CommandSpec spec) {
        return (Rmq) spec.root().userObject();
    }
}
