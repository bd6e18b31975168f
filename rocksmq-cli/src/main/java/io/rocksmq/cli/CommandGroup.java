package io.rocksmq.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands ({@code rmq topics}, {@code rmq groups}): run alone, it prints
 * its usage.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
abstract class CommandGroup implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
