package io.rocksmq.cli;

/**
 * A command that only looks at the queue: it opens it read-only, so it never writes (not even the
 * repairs an ordinary open may make).
 *
 * <p>Not thread-safe; one invocation per instance.
 */
abstract class LookingCommand extends QueueCommand {
    @Override
    QueueOptions.OpenQueue open() {
        return queue().openReadOnly();
    }
}
