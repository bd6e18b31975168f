package io.rocksmq.cli;

import io.rocksmq.api.MqClient;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The shape every command on a queue shares: check the arguments, open the queue that {@code --data}
 * names (or, with {@code --server}, a client of that server: {@link #runRemote}), do the work, flush the
 * output, close the queue. A command states only its options, how it opens
 * the queue (if not {@link QueueOptions#open()}) and what it does.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
abstract class QueueCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        Rmq root = Rmq.root(spec);
        if (root.remote()) {
            try (MqClient client = MqClient.open(root.serverUri())) {
                return runRemote(client, out);
            } finally {
                out.flush();
            }
        }
        try (QueueOptions.OpenQueue q = open()) {
            return run(q, out);
        } finally {
            out.flush();
        }
    }

    /** Checks arguments picocli cannot (ranges, combinations) before anything is opened. */
    void validate() {
    }

    /** Opens the queue; commands that may create it override this. */
    QueueOptions.OpenQueue open() {
        return queue().open();
    }

    /** How this command opens the queue {@code --data} names. */
    QueueOptions queue() {
        return new QueueOptions(spec);
    }

    /** The command's work; returns the exit code. */
    abstract int run(QueueOptions.OpenQueue q, PrintWriter out) throws Exception;

    /** Whether this command works on a server ({@code --server}); those override {@link #runRemote}. */
    boolean worksRemotely() {
        return false;
    }

    /**
     * The command's work on a server, through the client API ({@code --server}); returns the exit code.
     * Only called when {@link #worksRemotely()}.
     */
    int runRemote(MqClient client, PrintWriter out) throws Exception {
        throw new UnsupportedOperationException(spec.qualifiedName() + " works on a data directory only");
    }

    /** A usage error (exit 2, one line) about this command's arguments. */
    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Standard error, for notes that must not mix with the command's output. */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
