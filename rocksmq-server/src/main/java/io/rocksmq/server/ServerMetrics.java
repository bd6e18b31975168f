package io.rocksmq.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Counters of the server: calls per method and status, open subscriptions, messages produced and delivered.
 * With a Micrometer registry ({@link RmqServer.Builder#meterRegistry}) they are also published there:
 * {@code rocksmq.server.calls} (timer, tags {@code method}, {@code status}; a stream's time is its
 * lifetime), {@code rocksmq.server.subscriptions} (gauge), {@code rocksmq.server.produced.messages} and
 * {@code rocksmq.server.delivered.messages} (counters), {@code rocksmq.server.buffer.reserved} and
 * {@code rocksmq.server.buffer.budget} (gauges, in bytes: what the open subscription streams have reserved of
 * the server's buffer budget, and that budget; {@link ServerBufferBudget}). Every one of them carries the tag
 * {@code server}, the address the server listens on ({@code 127.0.0.1:7650}; the port it got when it asked
 * for port 0), so servers sharing a registry (several in one process) each count on meters of their own:
 * without it the second server registering a name and tags would be handed the first one's meter. The
 * names are the same with one server or several; the tag is always there, because a registry such as
 * Prometheus's wants every meter of a name to have the same tag keys.
 *
 * <p>The server removes its meters from the registry when it closes ({@link #close}), so a registry that
 * outlives the server (a server restarted in the same process, on the same registry) shows only the meters
 * of the servers running now: a meter left behind would be handed back to the next server registering the
 * same name and tags, with the old server's counts, and its gauges would read the old server's state.
 *
 * <p>Thread-safe: adders and concurrent maps; {@code registered}, {@code closed} and {@code serverTag} under
 * the monitor, which only {@link #publish}, a meter's first registration and {@link #close} take.
 */
public final class ServerMetrics {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, LongAdder> calls = new ConcurrentHashMap<>();
    /** The call timers by "method status", registered once each (a registry lookup per call costs more). */
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final AtomicLong openSubscriptions = new AtomicLong();
    private final LongAdder produced = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final ServerBufferBudget budget;
    /** Every meter this server registered, to remove on close; under the monitor. */
    private final List<Meter> registered = new ArrayList<>();
    /** Under the monitor: once closed, nothing more is registered (calls still count locally). */
    private boolean closed;
    /** Where the server listens, read once, when the first meter registers (by then it listens). */
    private final Supplier<InetSocketAddress> listening;
    /** The tag {@code server} of every meter, from {@link #listening}; under the monitor, null until read. */
    private String serverTag;

    /**
     * Meters are registered in {@code registry} (null: none) only from {@link #publish} on, once the server
     * listens: {@code listening} is asked then, or by the first call to end if one ends sooner (a call
     * arrives only once the server listens), for the {@code server} tag.
     */
    ServerMetrics(MeterRegistry registry, ServerBufferBudget budget, Supplier<InetSocketAddress> listening) {
        this.registry = registry;
        this.budget = budget;
        this.listening = listening;
    }

    /** Registers the gauges and counters; call once the server listens. Nothing after {@link #close}. */
    synchronized void publish() {
        if (registry == null || closed) {
            return;
        }
        String server = serverTag();
        registered.add(Gauge.builder("rocksmq.server.buffer.reserved", budget, ServerBufferBudget::reserved)
                .baseUnit("bytes").tag("server", server)
                .description("payload bytes the open subscribe streams reserved of the server's budget")
                .register(registry));
        registered.add(Gauge.builder("rocksmq.server.buffer.budget", budget, ServerBufferBudget::budget)
                .baseUnit("bytes").tag("server", server)
                .description("payload bytes all subscribe streams together may hold (--server-buffer-size)")
                .register(registry));
        registered.add(Gauge.builder("rocksmq.server.subscriptions", openSubscriptions, AtomicLong::get)
                .tag("server", server).description("open subscribe streams").register(registry));
        registered.add(FunctionCounter.builder("rocksmq.server.produced.messages", produced, LongAdder::sum)
                .tag("server", server).description("messages stored through the server").register(registry));
        registered.add(FunctionCounter.builder("rocksmq.server.delivered.messages", delivered, LongAdder::sum)
                .tag("server", server).description("messages pushed to subscribers").register(registry));
    }

    /** The tag {@code server}: the listen address as {@code host:port} ({@code [v6]:port}). Under the monitor. */
    private String serverTag() {
        if (serverTag == null) {
            InetSocketAddress a = listening.get();
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            serverTag = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
        }
        return serverTag;
    }

    /** The value of the tag {@code server} on this server's meters (for tests). */
    synchronized String server() {
        return serverTag();
    }

    void call(String method, String status, long nanos) {
        String key = method + " " + status;
        calls.computeIfAbsent(key, k -> new LongAdder()).increment();
        if (registry != null) {
            Timer timer = timers.get(key);
            if (timer == null) {
                timer = register(key, method, status);
            }
            if (timer != null) {
                timer.record(nanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    /** The timer of a method and status seen for the first time; null once closed (nothing to publish to). */
    private synchronized Timer register(String key, String method, String status) {
        if (closed) {
            return null;
        }
        return timers.computeIfAbsent(key, k -> {
            Timer t = Timer.builder("rocksmq.server.calls").description("finished gRPC calls")
                    .tags("server", serverTag(), "method", method, "status", status).register(registry);
            registered.add(t);
            return t;
        });
    }

    /**
     * Removes this server's meters from the registry (the counts stay readable here). Idempotent. A call
     * ending after this records into its timer, no longer in the registry, or into none.
     */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registry != null) {
            for (Meter m : registered) {
                registry.remove(m);
            }
        }
        registered.clear();
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
