package io.rocksmq.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;

/**
 * {@code rmq help [COMMAND [SUBCOMMAND...]]}: the help of any command, however deep ({@code rmq help
 * topics list}); picocli's own help command looks only one level down.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "help", helpCommand = true,
        description = "Show the help of a command: rmq help topics list (the same as rmq topics list --help).")
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command, with its subcommands.")
    List<String> path = List.of();

    private CommandLine parent;
    private PrintWriter out;

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter out,
                     PrintWriter err) {
        this.parent = helpCommandLine.getParent();
        this.out = out;
    }

    @Override
    public void run() {
        CommandLine target = parent;
        for (String name : path) {
            CommandLine sub = target.getSubcommands().get(name);
            if (sub == null) {
                throw new CommandLine.ParameterException(target, "unknown command '" + name + "'"
                        + (target.getSubcommands().isEmpty() ? "" : "; try one of "
                        + String.join(", ", target.getSubcommands().keySet())));
            }
            target = sub;
        }
        target.usage(out);
        out.flush();
    }
}
