package io.rocksmq.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the server: calls per method and status, open subscriptions, messages produced and delivered.
 *
 * <p>Thread-safe: adders and a concurrent map.
 */
public final class ServerMetrics {
    private final ConcurrentHashMap<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final AtomicLong openSubscriptions = new AtomicLong();
    private final LongAdder produced = new LongAdder();
    private final LongAdder delivered = new LongAdder();

    void call(String method, String status) {
        calls.computeIfAbsent(method + " " + status, k -> new LongAdder()).increment();
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
}
