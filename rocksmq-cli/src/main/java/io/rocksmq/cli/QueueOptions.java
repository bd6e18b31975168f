package io.rocksmq.cli;

import io.rocksmq.api.QueueAlreadyOpenException;
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
 * <p><b>A directory another process writes.</b> RocksDB lets one process write a directory at a time.
 * Commands that only look ({@link #openReadOnly()}) open it read-only when nobody writes it and as a
 * follower ({@link RocksMqConfig.Builder#follow}) when another process does; commands that watch until
 * stopped ({@link #openFollowing()}) always follow, so they never keep an application from starting. A
 * command that writes gets {@link InUseElsewhereException} (exit 3) with one line saying why.
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
     * written (no repair, no retention, no log file), so what they inspect stays as it was. When another
     * process has it open for writing, attaches as a follower instead: the queue as that process has
     * written it so far.
     */
    OpenQueue openReadOnly() {
        try {
            return open(false, null, true);
        } catch (QueueAlreadyOpenException writerHoldsIt) {
            return openFollowing();
        }
    }

    /**
     * Opens an existing queue as a follower, for commands that watch it until stopped: read-only, locks
     * nothing (an application may open it for writing meanwhile), and sees what a writer adds at each
     * {@link RocksMq#refresh()}.
     */
    OpenQueue openFollowing() {
        Rmq root = Rmq.root(spec);
        if (root.sharedQueue != null) {
            return new OpenQueue(root.sharedQueue, false, root.shutdownHooks);
        }
        Path data = requireQueue(data());
        return new OpenQueue(RocksMq.open(RocksMqConfig.builder(data).follow(true).build()), true, root.shutdownHooks);
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
        Path data = create ? data() : requireQueue(data());
        RocksMqConfig.Builder config = RocksMqConfig.builder(data).readOnly(readOnly);
        if (durability != null) {
            config.durability(durability);
        }
        try {
            return new OpenQueue(RocksMq.open(config.build()), true, root.shutdownHooks);
        } catch (QueueAlreadyOpenException e) {
            if (readOnly) {
                throw e; // openReadOnly follows the writer instead
            }
            throw new InUseElsewhereException(data, e);
        }
    }

    /**
     * Only a directory with nothing of a database in it is "no queue"; anything else (CURRENT lost or
     * unreadable next to data, another program's database) gets the library's own diagnosis at open.
     */
    private static Path requireQueue(Path data) {
        if (holdsNoDatabase(data)) {
            throw new RocksMqException("no queue in " + data + " (create one with 'rmq topics create NAME',"
                    + " or point --data at an existing one)");
        }
        return data;
    }

    /**
     * A command that writes, on a directory another process has open for writing: exit 3 with one line
     * saying why and what works instead.
     */
    static final class InUseElsewhereException extends RocksMqException {
        private static final long serialVersionUID = 1L;

        InUseElsewhereException(Path data, QueueAlreadyOpenException cause) {
            super("cannot change " + data + ": another process has it open for writing (one writer per directory);"
                    + " read commands (tail, consume without -g, topics/groups list and describe, check)"
                    + " follow it live; to write while an application runs, serve the queue with 'rmq serve' and"
                    + " write through rmq://", cause);
        }
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
        /** Replaced only by {@link #reopenFollower()} on the command's thread; the shutdown hook reads it. */
        private volatile RocksMq mq;
        private final boolean owned;
        private final boolean hooksAllowed;
        private Thread hook;
        /** Set by the shutdown hook before it closes the queue. */
        private volatile boolean shuttingDown;

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
                hook = new Thread(() -> {
                    shuttingDown = true;
                    mq.close();
                }, "rmq-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
            }
        }

        /**
         * A follower this command owns: opens it again and closes the old one, which replays the writer's
         * files afresh: a RocksDB secondary instance can keep serving a value the writer has since
         * overwritten and flushed (RocksDB issues 14444 and 15051: a topic's id counter, when the writer's
         * catch-up raced with a flush) until the writer writes that key again; a fresh open cannot. Does
         * nothing for any other queue.
         *
         * @throws QueueClosedException if Ctrl-C closed the queue meanwhile
         */
        void reopenFollower() {
            RocksMq old = mq;
            if (!owned || !old.config().follow()) {
                return;
            }
            mq = RocksMq.open(old.config());
            old.close();
            if (shuttingDown) {
                mq.close();
                throw new io.rocksmq.api.QueueClosedException("closed");
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
