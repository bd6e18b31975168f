package io.rocksmq.cli;

import io.rocksmq.api.RocksMqException;
import io.rocksmq.core.Durability;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.RocksMqConfig;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How commands open the queue that the root's {@code --data} names.
 *
 * <p>Not thread-safe; belongs to one command invocation.
 */
final class QueueOptions {
    private final CommandSpec spec;

    /** For the command of that spec (the root it runs under holds {@code --data}). */
    QueueOptions(CommandSpec spec) {
        this.spec = spec;
    }

    /** The data directory: {@code --data} wherever it was given, else {@code RMQ_DATA}, else ./rmq-data. */
    Path data() {
        return Rmq.root(spec).data();
    }

    /** Opens an existing queue; fails with one clear line when {@code --data} holds none. */
    OpenQueue open() {
        return open(false, null);
    }

    /**
     * Opens the queue.
     *
     * @param create     create the directory and the queue if missing
     * @param durability default durability of produce calls, or null for the queue's default
     */
    OpenQueue open(boolean create, Durability durability) {
        Rmq root = Rmq.root(spec);
        if (root.sharedQueue != null) {
            return new OpenQueue(root.sharedQueue, false, root.shutdownHooks);
        }
        Path data = data();
        if (!create && !Files.exists(data.resolve("CURRENT"))) {
            throw new RocksMqException("no queue in " + data + " (create one with 'rmq topics create NAME',"
                    + " or point --data at an existing one)");
        }
        RocksMqConfig.Builder config = RocksMqConfig.builder(data);
        if (durability != null) {
            config.durability(durability);
        }
        return new OpenQueue(RocksMq.open(config.build()), true, root.shutdownHooks);
    }

    /**
     * An open queue: closed by {@link #close()} unless it was lent by a test. {@link #closeOnShutdown()}
     * makes Ctrl-C close it gracefully, which wakes and ends a command that waits on it.
     */
    static final class OpenQueue implements AutoCloseable {
        private final RocksMq mq;
        private final boolean owned;
        private final boolean hooksAllowed;
        private Thread hook;

        OpenQueue(RocksMq mq, boolean owned, boolean hooksAllowed) {
            this.mq = mq;
            this.owned = owned;
            this.hooksAllowed = hooksAllowed;
        }

        RocksMq mq() {
            return mq;
        }

        /** For commands that run until stopped: Ctrl-C closes the queue, so a waiting consumer returns. */
        void closeOnShutdown() {
            if (owned && hooksAllowed && hook == null) {
                hook = new Thread(mq::close, "rmq-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
            }
        }

        @Override
        public void close() {
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is closing the queue already
                }
            }
            if (owned) {
                mq.close();
            }
        }
    }
}
