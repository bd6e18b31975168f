package io.rocksmq.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.MqClient;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.QueueListener;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.SharedGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * Micrometer metrics of one {@link RocksMq}. Attach it to your registry:
 * <pre>{@code
 * RocksMqMetrics metrics = new RocksMqMetrics(mq);
 * metrics.bindTo(registry);        // once, to one registry (use a CompositeMeterRegistry for several)
 * ...
 * metrics.close();                 // stops the refresher, removes the meters and the listener
 * }</pre>
 *
 * <h2>Meters</h2>
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th></tr>
 *   <tr><td>{@code rocksmq.produce}</td><td>timer: produce calls and their duration</td><td>topic</td></tr>
 *   <tr><td>{@code rocksmq.produce.messages}, {@code rocksmq.produce.bytes}</td><td>counters (payload bytes)</td><td>topic</td></tr>
 *   <tr><td>{@code rocksmq.consume}</td><td>timer: consume calls (empty polls included)</td><td>topic, group</td></tr>
 *   <tr><td>{@code rocksmq.consume.messages}, {@code rocksmq.consume.bytes}</td><td>counters</td><td>topic, group</td></tr>
 *   <tr><td>{@code rocksmq.topics}</td><td>gauge</td><td></td></tr>
 *   <tr><td>{@code rocksmq.topic.latest.id}, {@code rocksmq.topic.earliest.id}, {@code rocksmq.topic.messages}</td>
 *       <td>gauges ({@code -1}: none)</td><td>topic</td></tr>
 *   <tr><td>{@code rocksmq.group.position}, {@code rocksmq.group.lag}</td><td>gauges</td><td>topic, group</td></tr>
 *   <tr><td>{@code rocksmq.shared.in.flight}, {@code .available}, {@code .delayed}</td><td>gauges: a shared
 *       group's messages locked to workers, available again, waiting for a redelivery delay</td><td>topic, group</td></tr>
 *   <tr><td>{@code rocksmq.shared.acquired}, {@code .acked}, {@code .released}, {@code .expired.locks},
 *       {@code .dead.lettered}, {@code .rejected}, {@code .expired}</td><td>gauges of running totals (since the queue opened;
 *       dead-lettered and rejected since the group was created)</td><td>topic, group</td></tr>
 *   <tr><td>{@code rocksmq.rocksdb.*}</td><td>gauges of RocksDB properties, see {@link #ENGINE_GAUGES}</td><td></td></tr>
 * </table>
 * Gauges read the queue when the registry asks for them (at scrape or publish time). Which topics and
 * groups exist is re-read by {@link #refresh()}, which a background thread calls every refresh
 * interval (and which a scrape handler may call first for an exact list). The produce and consume
 * meters come from a {@link QueueListener} that {@link #bindTo} installs on the queue; it replaces any
 * listener installed before.
 *
 * <p>Thread-safe.
 */
public final class RocksMqMetrics implements MeterBinder, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RocksMqMetrics.class);

    /** How often the set of topics and groups is re-read by default. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(10);

    /** RocksDB property -> gauge name, base unit and description. */
    public static final List<EngineGauge> ENGINE_GAUGES = List.of(
            new EngineGauge("rocksdb.actual-delayed-write-rate", "rocksmq.rocksdb.delayed.write.rate", "bytes",
                    "Write rate RocksDB currently allows while stalling writes (0: no stall)"),
            new EngineGauge("rocksdb.is-write-stopped", "rocksmq.rocksdb.write.stopped", null,
                    "1 while RocksDB stops writes (write stall), else 0"),
            new EngineGauge("rocksdb.estimate-pending-compaction-bytes", "rocksmq.rocksdb.pending.compaction",
                    "bytes", "Bytes compaction still has to rewrite (messages column family)"),
            new EngineGauge("rocksdb.num-running-compactions", "rocksmq.rocksdb.running.compactions", null,
                    "Compactions running now"),
            new EngineGauge("rocksdb.num-running-flushes", "rocksmq.rocksdb.running.flushes", null,
                    "Memtable flushes running now"),
            new EngineGauge("rocksdb.total-sst-files-size", "rocksmq.rocksdb.sst.size", "bytes",
                    "Size of all SST files (messages column family)"),
            new EngineGauge("rocksdb.estimate-live-data-size", "rocksmq.rocksdb.live.data.size", "bytes",
                    "Estimated live data (messages column family)"),
            new EngineGauge("rocksdb.cur-size-all-mem-tables", "rocksmq.rocksdb.memtable.size", "bytes",
                    "Memtable memory (messages column family)"));

    /**
     * A RocksDB property exported as a gauge. Thread-safe (immutable).
     *
     * @param property    RocksDB property name
     * @param name        meter name
     * @param baseUnit    base unit, or null
     * @param description meter description
     */
    public record EngineGauge(String property, String name, String baseUnit, String description) {
    }

    private final RocksMq mq;
    private final Duration refreshInterval;
    private final Listener listener = new Listener();

    /** Guards everything below: binding, refresh and close are serialised; the listener never takes it. */
    private final Object lock = new Object();
    private volatile MeterRegistry registry;
    /** Written under {@link #lock}; read by the listener without it, so late calls create no meters. */
    private volatile boolean closed;
    private final List<Meter> fixedMeters = new ArrayList<>();
    private MultiGauge latestId;
    private MultiGauge earliestId;
    private MultiGauge retained;
    private MultiGauge position;
    private MultiGauge lag;
    private MultiGauge expired;
    private MultiGauge deduplicated;
    /** A shared group's gauges, by stat: see the table of the class comment. */
    private final Map<String, MultiGauge> shared = new java.util.LinkedHashMap<>();
    /** The topics and "topic\0group" keys the multi-gauges currently have rows for. */
    private Set<String> topology = Set.of();
    private ScheduledExecutorService refresher;

    /** Meters of the listener, created on first use; read without {@link #lock}. */
    private final ConcurrentHashMap<String, ProduceMeters> produceMeters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, ConsumeMeters>> consumeMeters =
            new ConcurrentHashMap<>();

    /**
     * Metrics of the embedded queue behind a client ({@code MqClient.open("rocksmq:…")}), refreshing
     * every {@link #DEFAULT_REFRESH_INTERVAL}.
     *
     * @throws io.rocksmq.api.InvalidArgumentException if the client is not on the embedded backend (for a
     *                                                 Kafka client use {@code io.rocksmq.kafka.KafkaMqMetrics})
     */
    public static RocksMqMetrics of(MqClient client) {
        return new RocksMqMetrics(client.unwrap(RocksMq.class));
    }

    /** Metrics of {@code mq}, refreshing the topic and group list every {@link #DEFAULT_REFRESH_INTERVAL}. */
    public RocksMqMetrics(RocksMq mq) {
        this(mq, DEFAULT_REFRESH_INTERVAL);
    }

    /**
     * Metrics of {@code mq}.
     *
     * @param refreshInterval how often to re-read which topics and groups exist; {@link Duration#ZERO}
     *                        for never (then call {@link #refresh()} yourself)
     */
    public RocksMqMetrics(RocksMq mq, Duration refreshInterval) {
        if (mq == null) {
            throw new InvalidArgumentException("queue must not be null");
        }
        if (refreshInterval == null || refreshInterval.isNegative()) {
            throw new InvalidArgumentException("refresh interval must be zero or positive, was " + refreshInterval);
        }
        this.mq = mq;
        this.refreshInterval = refreshInterval;
    }

    /**
     * Registers the meters, installs the produce/consume listener on the queue and starts the refresher.
     *
     * @throws IllegalStateException if already bound (to this or another registry) or closed
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        synchronized (lock) {
            if (closed || this.registry != null) {
                throw new IllegalStateException(closed ? "metrics are closed" : "already bound to a registry");
            }
            this.registry = registry;
            fixedMeters.add(Gauge.builder("rocksmq.topics", () -> safe(() -> mq.topics().size()))
                    .description("Topics in the queue").strongReference(true).register(registry));
            long lost = mq.admin().recoveryReport().lostMessages();
            fixedMeters.add(Gauge.builder("rocksmq.recovery.lost.messages", () -> lost)
                    .description("Acknowledged messages found missing when the queue opened (see RocksMq.recoveryReport)")
                    .strongReference(true).register(registry));
            for (EngineGauge e : ENGINE_GAUGES) {
                fixedMeters.add(Gauge.builder(e.name(), () -> safe(() -> mq.admin().engineProperty(e.property())))
                        .baseUnit(e.baseUnit()).description(e.description()).strongReference(true)
                        .register(registry));
            }
            latestId = MultiGauge.builder("rocksmq.topic.latest.id")
                    .description("Id of the newest message of the topic (-1: none yet)").register(registry);
            earliestId = MultiGauge.builder("rocksmq.topic.earliest.id")
                    .description("Id of the oldest retained message (-1: none)").register(registry);
            retained = MultiGauge.builder("rocksmq.topic.messages")
                    .description("Messages retained in the topic").register(registry);
            position = MultiGauge.builder("rocksmq.group.position")
                    .description("Id the group's next consume starts at").register(registry);
            lag = MultiGauge.builder("rocksmq.group.lag")
                    .description("Retained messages the group has not consumed yet").register(registry);
            expired = MultiGauge.builder("rocksmq.group.expired")
                    .description("Expired messages the group skipped (never delivered) since the queue opened")
                    .register(registry);
            deduplicated = MultiGauge.builder("rocksmq.topic.deduplicated")
                    .description("Messages not stored because their deduplication id was stored within the window")
                    .register(registry);
            for (String stat : SHARED_STATS.keySet()) {
                shared.put(stat, MultiGauge.builder("rocksmq.shared." + stat)
                        .description("Shared group: " + stat.replace('.', ' ')).register(registry));
            }
            refreshLocked();
            mq.listener(listener);
            if (!refreshInterval.isZero()) {
                refresher = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "rocksmq-metrics-refresh");
                    t.setDaemon(true);
                    return t;
                });
                long ms = Math.max(1, refreshInterval.toMillis());
                refresher.scheduleWithFixedDelay(this::refresh, ms, ms, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Re-reads which topics and groups exist: adds gauges for new ones, removes the meters of those
     * destroyed. Does nothing before {@link #bindTo}, after {@link #close()} or once the queue is closed.
     */
    public void refresh() {
        synchronized (lock) {
            refreshLocked();
        }
    }

    private void refreshLocked() {
        if (registry == null || closed || !mq.isOpen()) {
            return;
        }
        List<String> topics;
        Map<String, List<String>> groups = new java.util.HashMap<>();
        try {
            topics = mq.topics();
            for (String t : topics) {
                try {
                    groups.put(t, mq.consumerGroups(t));
                } catch (io.rocksmq.api.TopicNotFoundException gone) {
                    groups.put(t, List.of());
                }
            }
        } catch (RocksMqException e) {
            LOG.debug("metrics refresh skipped: {}", e.toString());
            return;
        }
        Set<String> keys = new HashSet<>(topics);
        groups.forEach((t, gs) -> gs.forEach(g -> keys.add(t + '\0' + g)));
        if (!keys.equals(topology)) {
            List<MultiGauge.Row<?>> latestRows = new ArrayList<>();
            List<MultiGauge.Row<?>> earliestRows = new ArrayList<>();
            List<MultiGauge.Row<?>> retainedRows = new ArrayList<>();
            List<MultiGauge.Row<?>> positionRows = new ArrayList<>();
            List<MultiGauge.Row<?>> lagRows = new ArrayList<>();
            List<MultiGauge.Row<?>> expiredRows = new ArrayList<>();
            List<MultiGauge.Row<?>> deduplicatedRows = new ArrayList<>();
            Map<String, List<MultiGauge.Row<?>>> sharedRows = new java.util.HashMap<>();
            SHARED_STATS.keySet().forEach(stat -> sharedRows.put(stat, new ArrayList<>()));
            for (String t : topics) {
                Tags tags = Tags.of("topic", t);
                latestRows.add(MultiGauge.Row.of(tags, () -> safe(() -> mq.latestMessageId(t))));
                earliestRows.add(MultiGauge.Row.of(tags, () -> safe(() -> mq.earliestMessageId(t))));
                retainedRows.add(MultiGauge.Row.of(tags, () -> safe(() ->
                        TopicSnapshot.retained(mq.earliestMessageId(t), mq.latestMessageId(t)))));
                deduplicatedRows.add(MultiGauge.Row.of(tags, () -> safe(() -> mq.admin().topicStats(t).deduplicatedMessages())));
                for (String g : groups.get(t)) {
                    Tags groupTags = tags.and("group", g);
                    positionRows.add(MultiGauge.Row.of(groupTags, () -> safe(() -> mq.position(t, g))));
                    lagRows.add(MultiGauge.Row.of(groupTags, () -> safe(() -> TopicSnapshot.lag(
                            mq.earliestMessageId(t), mq.latestMessageId(t), mq.position(t, g)))));
                    expiredRows.add(MultiGauge.Row.of(groupTags, () -> safe(() -> mq.admin().expiredMessages(t, g))));
                    SharedGroup handle = sharedGroup(t, g);
                    if (handle != null) {
                        SHARED_STATS.forEach((stat, read) -> sharedRows.get(stat).add(MultiGauge.Row.of(groupTags,
                                () -> safe(() -> read.applyAsLong(handle.stats())))));
                    }
                }
            }
            latestId.register(latestRows, true);
            earliestId.register(earliestRows, true);
            retained.register(retainedRows, true);
            position.register(positionRows, true);
            lag.register(lagRows, true);
            expired.register(expiredRows, true);
            deduplicated.register(deduplicatedRows, true);
            shared.forEach((stat, gauge) -> gauge.register(sharedRows.get(stat), true));
            topology = keys;
        }
        // Listener meters of destroyed topics and groups go too, so a re-created one starts from zero.
        produceMeters.entrySet().removeIf(e -> {
            boolean gone = !keys.contains(e.getKey());
            if (gone) {
                e.getValue().remove(registry);
            }
            return gone;
        });
        consumeMeters.forEach((t, byGroup) -> byGroup.entrySet().removeIf(e -> {
            boolean gone = !keys.contains(t + '\0' + e.getKey());
            if (gone) {
                e.getValue().remove(registry);
            }
            return gone;
        }));
        consumeMeters.entrySet().removeIf(e -> e.getValue().isEmpty());
    }

    /** What each {@code rocksmq.shared.*} gauge reads from {@link SharedGroup.Stats}. */
    static final Map<String, ToLongFunction<SharedGroup.Stats>> SHARED_STATS = sharedStats();

    private static Map<String, ToLongFunction<SharedGroup.Stats>> sharedStats() {
        Map<String, ToLongFunction<SharedGroup.Stats>> m = new java.util.LinkedHashMap<>();
        m.put("in.flight", SharedGroup.Stats::inFlight);
        m.put("available", SharedGroup.Stats::available);
        m.put("delayed", SharedGroup.Stats::delayed);
        m.put("acquired", SharedGroup.Stats::acquired);
        m.put("acked", SharedGroup.Stats::acked);
        m.put("released", SharedGroup.Stats::released);
        m.put("expired.locks", SharedGroup.Stats::expiredLocks);
        m.put("dead.lettered", SharedGroup.Stats::deadLettered);
        m.put("rejected", SharedGroup.Stats::rejected);
        m.put("expired", SharedGroup.Stats::expired);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The shared group's handle, or null for a stream group (or one gone meanwhile). */
    private SharedGroup sharedGroup(String topic, String group) {
        try {
            return mq.sharedGroup(topic, group);
        } catch (RocksMqException streamOrGone) {
            return null;
        }
    }

    /** Stops the refresher, uninstalls the listener (if still ours) and removes every meter. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (refresher != null) {
                refresher.shutdownNow();
            }
            if (mq.listener() == listener) {
                mq.listener(QueueListener.NO_OP);
            }
            MeterRegistry r = registry;
            if (r == null) {
                return;
            }
            fixedMeters.forEach(r::remove);
            for (MultiGauge m : List.of(latestId, earliestId, retained, position, lag, expired, deduplicated)) {
                m.register(List.of(), true);
            }
            shared.values().forEach(m -> m.register(List.of(), true));
            produceMeters.values().forEach(m -> m.remove(r));
            consumeMeters.values().forEach(byGroup -> byGroup.values().forEach(m -> m.remove(r)));
            produceMeters.clear();
            consumeMeters.clear();
        }
    }

    private interface LongRead {
        long read();
    }

    /** A gauge of something that may have gone (topic destroyed, queue closed) reads NaN, never throws. */
    private static double safe(LongRead read) {
        try {
            return read.read();
        } catch (RocksMqException e) {
            return Double.NaN;
        }
    }

    private static <T> long payloadBytes(List<T> messages, ToLongFunction<T> size) {
        long bytes = 0;
        for (int i = 0, n = messages.size(); i < n; i++) {
            bytes += size.applyAsLong(messages.get(i));
        }
        return bytes;
    }

    /** Runs on producing and consuming threads: map lookups and meter updates only, no lock. */
    private final class Listener implements QueueListener {
        @Override
        public void onProduce(String topic, List<ProducerMessage> messages, long nanos) {
            if (closed) {
                return;
            }
            ProduceMeters m = produceMeters.get(topic);
            if (m == null) {
                MeterRegistry r = registry;
                m = produceMeters.computeIfAbsent(topic, t -> new ProduceMeters(r, t));
            }
            m.calls.record(nanos, TimeUnit.NANOSECONDS);
            m.messages.increment(messages.size());
            m.bytes.increment(payloadBytes(messages, p -> p.payload().length));
        }

        @Override
        public void onConsume(String topic, String group, List<ConsumerMessage> messages, long nanos) {
            if (closed) {
                return;
            }
            ConcurrentHashMap<String, ConsumeMeters> byGroup = consumeMeters.get(topic);
            ConsumeMeters m = byGroup == null ? null : byGroup.get(group);
            if (m == null) {
                MeterRegistry r = registry;
                m = consumeMeters.computeIfAbsent(topic, t -> new ConcurrentHashMap<>())
                        .computeIfAbsent(group, g -> new ConsumeMeters(r, topic, g));
            }
            m.calls.record(nanos, TimeUnit.NANOSECONDS);
            if (!messages.isEmpty()) {
                m.messages.increment(messages.size());
                m.bytes.increment(payloadBytes(messages, c -> c.payload().length));
            }
        }
    }

    /**
     * Fixed latency buckets for the call timers, so Prometheus can compute percentiles
     * ({@code histogram_quantile}) across instances: 14 buckets per timer, whatever the registry's
     * defaults, so a queue with many topics and groups does not multiply into thousands of series.
     */
    static final Duration[] LATENCY_BUCKETS = {Duration.ofNanos(10_000), Duration.ofNanos(50_000),
            Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
            Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(1)};

    private record ProduceMeters(Timer calls, Counter messages, Counter bytes) {
        ProduceMeters(MeterRegistry r, String topic) {
            this(Timer.builder("rocksmq.produce").description("Produce calls").tag("topic", topic)
                            .serviceLevelObjectives(LATENCY_BUCKETS).register(r),
                    Counter.builder("rocksmq.produce.messages").description("Messages produced")
                            .tag("topic", topic).register(r),
                    Counter.builder("rocksmq.produce.bytes").baseUnit("bytes").description("Payload bytes produced")
                            .tag("topic", topic).register(r));
        }

        void remove(MeterRegistry r) {
            r.remove(calls);
            r.remove(messages);
            r.remove(bytes);
        }
    }

    private record ConsumeMeters(Timer calls, Counter messages, Counter bytes) {
        ConsumeMeters(MeterRegistry r, String topic, String group) {
            this(Timer.builder("rocksmq.consume").description("Consume calls, empty polls included")
                            .tags("topic", topic, "group", group).serviceLevelObjectives(LATENCY_BUCKETS).register(r),
                    Counter.builder("rocksmq.consume.messages").description("Messages consumed")
                            .tags("topic", topic, "group", group).register(r),
                    Counter.builder("rocksmq.consume.bytes").baseUnit("bytes").description("Payload bytes consumed")
                            .tags("topic", topic, "group", group).register(r));
        }

        void remove(MeterRegistry r) {
            r.remove(calls);
            r.remove(messages);
            r.remove(bytes);
        }
    }
}
