package io.rocksmq.cli;

import io.rocksmq.core.RocksMq;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rmq tail}: the last messages of a topic, then (with {@code -f}) every new one.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "tail", sortOptions = false, description = {
        "Print the last messages of a topic (read only, no group); with -f keep printing new ones.",
        "With -g, --from-id or --from-time it starts there instead, like consume."})
final class TailCommand extends MessageReadCommand {
    @Option(names = {"-n", "--lines"}, defaultValue = "10", paramLabel = "N",
            description = "Start with the last N messages (default: ${DEFAULT-VALUE}).")
    long last;

    @Override
    long max() {
        return maxOption != null ? maxOption : Long.MAX_VALUE;
    }

    @Override
    long defaultStart(RocksMq mq) {
        long latest = mq.latestMessageId(topic);
        if (latest < 0) {
            return 0;
        }
        return Math.max(mq.earliestMessageId(topic), latest - Math.max(0, last) + 1);
    }
}
