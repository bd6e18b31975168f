package io.rocksmq.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the server: calls per method and status, open subscriptions, messages produced and delivered.
 * With a Micrometer registry ({@link RmqServer.Builder#meterRegistry}) they are also published there:
 * {@code rocksmq.server.calls} (timer, tags {@code method}, {@code status}; a stream's time is its
 * lifetime), {@code rocksmq.server.subscriptions} (gauge), {@code rocksmq.server.produced.messages} and
 * {@code rocksmq.server.delivered.messages} (counters), {@code rocksmq.server.buffer.reserved} and
 * {@code rocksmq.server.buffer.budget} (gauges, in bytes: what the open subscription streams have reserved of
 * the server's buffer budget, and that budget; {@link ServerBufferBudget}).
 *
 * <p>Thread-safe: adders and a concurrent map.
 */
public final class ServerMetrics {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final AtomicLong openSubscriptions = new AtomicLong();
    private final LongAdder produced = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final ServerBufferBudget budget;

    ServerMetrics(MeterRegistry registry, ServerBufferBudget budget) {
        this.registry = registry;
        this.budget = budget;
        if (registry != null) {
            Gauge.builder("rocksmq.server.buffer.reserved", budget, ServerBufferBudget::reserved).baseUnit("bytes")
                    .description("payload bytes the open subscribe streams reserved of the server's budget")
                    .register(registry);
            Gauge.builder("rocksmq.server.buffer.budget", budget, ServerBufferBudget::budget).baseUnit("bytes")
                    .description("payload bytes all subscribe streams together may hold (--server-buffer-size)")
                    .register(registry);
            Gauge.builder("rocksmq.server.subscriptions", openSubscriptions, AtomicLong::get)
                    .description("open subscribe streams").register(registry);
            FunctionCounter.builder("rocksmq.server.produced.messages", produced, LongAdder::sum)
                    .description("messages stored through the server").register(registry);
            FunctionCounter.builder("rocksmq.server.delivered.messages", delivered, LongAdder::sum)
                    .description("messages pushed to subscribers").register(registry);
        }
    }

    void call(String method, String status, long nanos) {
        calls.computeIfAbsent(method + " " + status, k -> new LongAdder()).increment();
        if (registry != null) {
            Timer.builder("rocksmq.server.calls").description("finished gRPC calls")
                    .tags("method", method, "status", status).register(registry).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    void subscriptionOpened() {
        openSubscriptions.incrementAndGet();
    }

    void subscriptionClosed() {
        openSubscriptions.decrementAndGet();
    }

    void produced(int n) {
        produced.add(n);
    }

    void delivered(int n) {
        delivered.add(n);
    }

    /** Finished calls by "method status" (for example "rocksmq.v1.Queue/Produce OK"), sorted. */
    public Map<String, Long> calls() {
        Map<String, Long> out = new TreeMap<>();
        calls.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public long openSubscriptions() {
        return openSubscriptions.get();
    }

    public long producedMessages() {
        return produced.sum();
    }

    public long deliveredMessages() {
        return delivered.sum();
    }

    /** Payload bytes the open subscription streams have reserved of the server's buffer budget. */
    public long bufferReservedBytes() {
        return budget.reserved();
    }

    /** The server's buffer budget ({@link RmqServer.Builder#serverBufferBytes}). */
    public long bufferBudgetBytes() {
        return budget.budget();
    }
}
