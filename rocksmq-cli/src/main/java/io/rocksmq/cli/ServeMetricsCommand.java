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
        "The queue is held open meanwhile (a directory is open in one process at a time): to watch a live"
                + " application, bind io.rocksmq.metrics.RocksMqMetrics to its own registry instead,"
                + " or use --metrics-port of tail and perf."})
final class ServeMetricsCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "9464", paramLabel = "PORT",
            description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port;
    @Option(names = "--duration", converter = Args.Span.class, paramLabel = "DURATION",
            description = "Stop after this long (default: until Ctrl-C).")
    Duration duration;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be within 0..65535, was " + port);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (QueueOptions.OpenQueue q = new QueueOptions(spec).open();
             MetricsServer server = MetricsServer.start(q.mq(), port)) {
            q.closeOnShutdown();
            out.println("serving metrics of " + Rmq.root(spec).data() + " on " + server.url());
            out.flush();
            long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            // Ctrl-C runs the shutdown hook, which closes the queue: then stop serving too.
            while (q.mq().isOpen() && System.nanoTime() < end) {
                try {
                    Thread.sleep(Math.min(200, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                } catch (InterruptedException e) {
                    break; // in-process callers stop us by interrupting
                }
            }
        }
        out.println("stopped serving metrics");
        out.flush();
        return 0;
    }
}
