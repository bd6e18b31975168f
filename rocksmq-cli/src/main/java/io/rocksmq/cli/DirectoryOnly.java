package io.rocksmq.cli;

/**
 * A command that cannot work on a server ({@code --server}) for a reason worth saying: the usage error
 * names it, so the user learns what to do instead of only that it is refused.
 *
 * <p>Implementations are picocli commands: one invocation per instance.
 */
interface DirectoryOnly {
    /** Why this command needs a data directory, and what to do instead; one short sentence. */
    String whyNotRemote();
}
