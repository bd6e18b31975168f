package io.rocksmq.cli;

import io.rocksmq.api.RocksMqException;
import io.rocksmq.core.Durability;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.RocksMqConfig;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

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
     * Opens an existing queue read-only, for commands that only look: nothing in the directory is
     * written (no repair, no retention, no log file), so what they inspect stays as it was.
     */
    OpenQueue openReadOnly() {
        return open(false, null, true);
    }

    /**
     * Opens the queue.
     *
     * @param create     create the directory and the queue if missing
     * @param durability default durability of produce calls, or null for the queue's default
     */
    OpenQueue open(boolean create, Durability durability) {
        return open(create, durability, false);
    }

    private OpenQueue open(boolean create, Durability durability, boolean readOnly) {
        Rmq root = Rmq.root(spec);
        if (root.sharedQueue != null) {
            return new OpenQueue(root.sharedQueue, false, root.shutdownHooks);
        }
        Path data = data();
        // Only a directory with nothing of a database in it is "no queue"; anything else (CURRENT lost
        // or unreadable next to data, another program's database) gets the library's own diagnosis.
        if (!create && holdsNoDatabase(data)) {
            throw new RocksMqException("no queue in " + data + " (create one with 'rmq topics create NAME',"
                    + " or point --data at an existing one)");
        }
        RocksMqConfig.Builder config = RocksMqConfig.builder(data).readOnly(readOnly);
        if (durability != null) {
            config.durability(durability);
        }
        return new OpenQueue(RocksMq.open(config.build()), true, root.shutdownHooks);
    }

    /** True when {@code dir} does not exist or holds none of RocksDB's files. */
    static boolean holdsNoDatabase(Path dir) {
        if (!Files.isDirectory(dir)) {
            return !Files.exists(dir);
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).noneMatch(n -> n.equals("CURRENT")
                    || n.startsWith("MANIFEST-") || n.endsWith(".sst") || n.endsWith(".log"));
        } catch (IOException e) {
            return false; // let the open report what is wrong with it
        }
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
