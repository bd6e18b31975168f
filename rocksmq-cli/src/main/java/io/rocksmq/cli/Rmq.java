package io.rocksmq.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code rmq} command line: entry point and the list of sub-commands.
 *
 * <p>Exit codes: 0 success; 1 the operation failed or a check failed (one line on stderr, the stack
 * trace only with {@code --verbose}); 2 bad usage.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "rmq", mixinStandardHelpOptions = true, version = "rmq 0.1.0",
        description = "RocksMQ for Java: an embedded, persistent message queue on RocksDB.",
        subcommands = {QuickstartCommand.class, CommandLine.HelpCommand.class})
public final class Rmq {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line in-process and returns its exit code (for tests). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        Rmq root = new Rmq();
        CommandLine cmd = new CommandLine(root);
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("rmq: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (root.verbose) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return 1;
        });
        return cmd;
    }
}
