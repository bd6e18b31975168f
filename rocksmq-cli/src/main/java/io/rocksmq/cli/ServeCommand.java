package io.rocksmq.cli;

import io.rocksmq.api.internals.Units;
import io.rocksmq.server.RmqServer;
import io.rocksmq.server.TokenStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code rmq serve}: serves the queue of {@code --data} over gRPC until stopped (Ctrl-C: graceful shutdown).
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "serve", description = {
        "Serve the queue over the network (gRPC, protocol rocksmq/v1/rocksmq.proto) until Ctrl-C.",
        "Clients connect with MqClient.open(\"rmq://HOST:PORT\") (rmqs:// with TLS). Without TLS only a"
                + " loopback address is served, unless --insecure.",
        "Ctrl-C stops gracefully: no new calls, open subscriptions end, calls in progress get"
                + " --drain-timeout, then the queue is closed."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--listen", defaultValue = "127.0.0.1:7650", paramLabel = "HOST:PORT",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; port 0: any free port).")
    String listen;
    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Server certificate chain (PEM): serve TLS.")
    Path tlsCert;
    @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key of --tls-cert (PKCS#8 PEM).")
    Path tlsKey;
    @Option(names = "--client-ca", paramLabel = "PEM",
            description = "Require client certificates signed by these CAs (mutual TLS).")
    Path clientCa;
    @Option(names = "--tokens", paramLabel = "FILE",
            description = "Require a bearer token from this file (made by 'rmq token') on every call. The file"
                    + " is read again when it changes (looked at every --tokens-check), so tokens are added and"
                    + " revoked without a restart.")
    Path tokens;
    @Option(names = "--tokens-check", defaultValue = "1s", converter = Args.Span.class, paramLabel = "DURATION",
            description = "How often calls look whether the --tokens file changed (default: ${DEFAULT-VALUE}).")
    java.time.Duration tokensCheck;
    @Option(names = "--insecure", description = "Allow a non-loopback address without TLS (clear text).")
    boolean insecure;
    @Option(names = "--max-request-size", defaultValue = "64MiB", paramLabel = "SIZE",
            description = "Largest request accepted; larger ones fail with RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}).")
    String maxRequestSize;
    @Option(names = "--session-buffer-size", defaultValue = "4MiB", paramLabel = "SIZE",
            description = "Payload bytes one subscription stream may hold in the server, whatever its client"
                    + " grants: half read ahead, half taken for a delivery (default: ${DEFAULT-VALUE}).")
    String sessionBufferSize;
    @Option(names = "--server-buffer-size", paramLabel = "SIZE",
            description = "Payload bytes all subscription streams together may hold in the server: each reserves"
                    + " its --session-buffer-size when it opens, or what is left down to 64KiB; below that a"
                    + " subscribe fails with RESOURCE_EXHAUSTED and changes nothing. At least 1024 and at least"
                    + " min(64KiB, --session-buffer-size) (default: a quarter of the JVM's max heap).")
    String serverBufferSize;
    @Option(names = "--max-streams", defaultValue = "1000", paramLabel = "N",
            description = "Concurrent calls per connection (default: ${DEFAULT-VALUE}).")
    int maxStreams;
    @Option(names = "--idle-timeout", defaultValue = "1h", converter = Args.Span.class, paramLabel = "DURATION",
            description = "Close connections without calls after this long (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;
    @Option(names = "--drain-timeout", defaultValue = "10s", converter = Args.Span.class, paramLabel = "DURATION",
            description = "On shutdown, how long calls in progress may take (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;
    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Also serve Prometheus metrics (the queue's and per-call ones) on http://127.0.0.1:PORT/metrics.")
    Integer metricsPort;
    @Option(names = "--duration", converter = Args.Span.class, paramLabel = "DURATION",
            description = "Stop after this long (default: until Ctrl-C).")
    Duration duration;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        int colon = listen.lastIndexOf(':');
        if (colon <= 0 || colon == listen.length() - 1) {
            throw new ParameterException(spec.commandLine(), "--listen must be HOST:PORT, was '" + listen + "'");
        }
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--listen port must be a number, was '" + listen + "'");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
        }
        if (clientCa != null && tlsCert == null) {
            throw new ParameterException(spec.commandLine(), "--client-ca needs --tls-cert and --tls-key");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new ParameterException(spec.commandLine(), "--metrics-port must be within 0..65535, was " + metricsPort);
        }
        try (QueueOptions.OpenQueue q = new QueueOptions(spec).open(true, null);
             MetricsServer metrics = metricsPort == null ? null : MetricsServer.start(q.mq(), metricsPort)) {
            if (metrics != null) {
                out.println("metrics on " + metrics.url());
            }
            RmqServer.Builder b = RmqServer.builder(q.mq())
                    .meterRegistry(metrics == null ? null : metrics.registry())
                    .listen(host, port)
                    .maxRequestBytes(Units.bytes(maxRequestSize))
                    .sessionBufferBytes(Units.bytes(sessionBufferSize))
                    .maxStreamsPerConnection(maxStreams)
                    .idleTimeout(idleTimeout)
                    .drainTimeout(drainTimeout)
                    .insecure(insecure);
            if (serverBufferSize != null) {
                b.serverBufferBytes(Units.bytes(serverBufferSize));
            }
            if (tlsCert != null) {
                b.tls(tlsCert, tlsKey, clientCa);
            }
            if (tokens != null) {
                b.tokens(TokenStore.watching(tokens, tokensCheck));
            }
            RmqServer server = b.start();
            Thread hook = null;
            if (Rmq.root(spec).shutdownHooks) {
                // Ctrl-C: stop serving gracefully, then the queue closes (OpenQueue.close, or here).
                hook = new Thread(() -> {
                    server.close();
                    q.mq().close();
                }, "rmq-serve-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
            }
            out.println("serving " + Rmq.root(spec).data() + " on " + (tlsCert == null ? "rmq://" : "rmqs://")
                    + server.address().getHostString() + ":" + server.port());
            out.flush();
            try {
                long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
                while (q.mq().isOpen() && System.nanoTime() < end) {
                    try {
                        Thread.sleep(Math.min(200, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                    } catch (InterruptedException e) {
                        break; // in-process callers stop us by interrupting
                    }
                }
            } finally {
                server.close();
                if (hook != null) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook is running
                    }
                }
            }
        }
        out.println("stopped serving");
        out.flush();
        return 0;
    }
}
