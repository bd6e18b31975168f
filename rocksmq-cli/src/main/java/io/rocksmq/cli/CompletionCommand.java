package io.rocksmq.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

/**
 * {@code rmq completion}: prints the bash (and zsh via bashcompinit) completion script.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "completion", description = {"Print the bash completion script for rmq.",
        "Use: source <(./rmq completion)   or save it to /etc/bash_completion.d/rmq"})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash("rmq", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
