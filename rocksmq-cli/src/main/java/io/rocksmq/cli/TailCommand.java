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
        "Print the last messages of a topic; with -f keep printing new ones. Tail only reads: it never"
                + " moves a group.",
        "With -g (from the group's position), --from-id or --from-time it starts there instead of -n."})
final class TailCommand extends MessageReadCommand {
    private static final long DEFAULT_LAST = 10;

    @Option(names = {"-n", "--lines"}, paramLabel = "N",
            description = "Start with the last N messages (default: " + DEFAULT_LAST + ").")
    Long last;

    @Override
    void validate() {
        super.validate();
        if (last != null && last < 0) {
            throw usage("-n must be >= 0 (the last N messages), was " + last);
        }
        if (last != null && start != null) {
            throw usage("-n cannot be combined with -g, --from-id or --from-time (each says where to start)");
        }
    }

    @Override
    long max() {
        return maxOption != null ? maxOption : Long.MAX_VALUE;
    }

    @Override
    boolean consumesGroup() {
        return false;
    }

    @Override
    boolean worksRemotely() {
        return true;
    }

    @Override
    long defaultRemoteStart(long latest) {
        // a seek below the earliest retained message starts at the earliest
        return latest < 0 ? -1 : Math.max(0, latest - (last == null ? DEFAULT_LAST : last) + 1);
    }

    @Override
    long defaultStart(RocksMq mq) {
        long latest = mq.latestMessageId(topic);
        if (latest < 0) {
            return 0;
        }
        return Math.max(mq.earliestMessageId(topic), latest - (last == null ? DEFAULT_LAST : last) + 1);
    }
}
