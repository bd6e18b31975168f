package io.rocksmq.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code rmq serve-metrics}: opens the queue and serves its Prometheus metrics until stopped.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "serve-metrics", description = {
        "Serve the queue's metrics for Prometheus on http://127.0.0.1:PORT/metrics until Ctrl-C.",
        "Works while an application has the queue open: it follows that process (topics, latest ids,"
                + " group positions and lag, refreshed every second) without locking the directory. Counters of"
                + " produce and consume calls count only this process's own: bind io.rocksmq.metrics.RocksMqMetrics"
                + " in the application for those."})
final class ServeMetricsCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "9464", paramLabel = "PORT",
            description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port;
    @Option(names = "--duration", converter = Args.Span.class, paramLabel = "DURATION",
            description = "Stop after this long (default: until Ctrl-C).")
    Duration duration;
    @Spec
    CommandSpec spec;

    /** How often the follower catches up with the process that writes the queue. */
    private static final Duration REFRESH = Duration.ofSeconds(1);

    /** Catches up; the queue closing meanwhile (Ctrl-C) ends the loop instead. */
    private static void refresh(QueueOptions.OpenQueue q) {
        try {
            q.mq().refresh();
        } catch (io.rocksmq.api.QueueClosedException closing) {
            // the loop sees it is closed
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be within 0..65535, was " + port);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (QueueOptions.OpenQueue q = new QueueOptions(spec).openFollowing();
             MetricsServer server = MetricsServer.start(q.mq(), port)) {
            q.closeOnShutdown();
            out.println("serving metrics of " + Rmq.root(spec).data() + " on " + server.url());
            out.flush();
            long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            long nextRefresh = System.nanoTime() + REFRESH.toNanos();
            // Ctrl-C runs the shutdown hook, which closes the queue: then stop serving too.
            while (q.mq().isOpen() && System.nanoTime() < end) {
                try {
                    Thread.sleep(Math.min(200, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                } catch (InterruptedException e) {
                    break; // in-process callers stop us by interrupting
                }
                if (System.nanoTime() >= nextRefresh) {
                    refresh(q);
                    nextRefresh = System.nanoTime() + REFRESH.toNanos();
                }
            }
        }
        out.println("stopped serving metrics");
        out.flush();
        return 0;
    }
}
