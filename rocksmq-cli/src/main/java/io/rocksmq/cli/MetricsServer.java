package io.rocksmq.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rocksmq.core.RocksMq;
import io.rocksmq.metrics.RocksMqMetrics;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A Prometheus endpoint for one queue: {@code GET /metrics} on 127.0.0.1 (never another interface),
 * served by the JDK's HTTP server on one daemon thread. Each scrape first refreshes the list of
 * topics and groups, so it is exact.
 *
 * <p>Thread-safe; {@link #close()} stops serving, unbinds the metrics and is idempotent.
 */
final class MetricsServer implements AutoCloseable {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final RocksMqMetrics metrics;
    private final HttpServer server;
    private final ExecutorService executor;
    private boolean closed;

    private MetricsServer(PrometheusMeterRegistry registry, RocksMqMetrics metrics, HttpServer server,
                          ExecutorService executor) {
        this.registry = registry;
        this.metrics = metrics;
        this.server = server;
        this.executor = executor;
    }

    /** Binds the queue's metrics and serves them on 127.0.0.1:{@code port} (0: any free port). */
    static MetricsServer start(RocksMq mq, int port) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // The scrape handler refreshes, so no background refresher is needed.
        RocksMqMetrics metrics = new RocksMqMetrics(mq, Duration.ZERO);
        HttpServer server;
        try {
            metrics.bindTo(registry);
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (IOException e) {
            metrics.close();
            registry.close();
            throw new UncheckedIOException("cannot serve metrics on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rmq-metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        MetricsServer s = new MetricsServer(registry, metrics, server, executor);
        server.createContext("/metrics", s::scrape);
        server.createContext("/", s::index);
        server.start();
        return s;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The registry it serves, for more meters (rmq serve's per-call metrics). */
    io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    String url() {
        return "http://127.0.0.1:" + port() + "/metrics";
    }

    private void scrape(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            metrics.refresh();
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            send(exchange, body);
        }
    }

    private void index(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"/".equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            send(exchange, "rmq metrics: GET /metrics (Prometheus text format)\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void send(HttpExchange exchange, byte[] body) throws IOException {
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(200, head ? -1 : body.length);
        if (!head) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        executor.shutdownNow();
        metrics.close();
        registry.close();
    }
}
