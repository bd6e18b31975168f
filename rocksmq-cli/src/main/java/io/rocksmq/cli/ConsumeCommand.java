package io.rocksmq.cli;

import io.rocksmq.core.RocksMq;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rmq consume}: print messages from a group's position (advancing it), or from an id or time.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "consume", sortOptions = false, description = {
        "Print messages of a topic. With -g the group consumes them (its position advances);"
                + " without, they are only read, from --from-id, --from-time, or the earliest message.",
        "Stops when it has caught up, unless -f."})
final class ConsumeCommand extends MessageReadCommand {
    @Option(names = {"-n", "--max-messages"}, paramLabel = "N", description = "Stop after N messages (same as --max).")
    Long n;

    @Override
    long max() {
        return n != null ? n : maxOption != null ? maxOption : Long.MAX_VALUE;
    }

    @Override
    boolean worksRemotely() {
        return true;
    }

    @Override
    boolean consumesGroup() {
        return true;
    }

    @Override
    long defaultRemoteStart(long latest) {
        return -1; // the earliest retained message
    }

    @Override
    long defaultStart(RocksMq mq) {
        return 0; // reads start at the earliest retained message at or after 0
    }
}
