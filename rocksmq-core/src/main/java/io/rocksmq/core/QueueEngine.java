package io.rocksmq.core;

import io.rocksmq.api.QueueClosedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The parts of one open queue, the order in which they are opened and closed, and the discipline by which
 * a call enters the queue: what {@link RocksMq} stands on, so that the facade only validates, enters and
 * delegates.
 *
 * <h2>Open and close order</h2>
 * Open: RocksDB ({@link RocksStore}), then the registry rebuilt and checked by {@link Recovery}, then the
 * loss check against the {@link Watermark} ({@link RecoveryCheck}), then the background work (retention
 * worker, watermark writer). Close reverses it: refuse new calls, wait for those in flight (the queue's
 * {@link Lifecycle}), stop the {@link Scheduler}'s waiter, stop the watermark writer and write the final watermark, stop retention and the
 * space reclaimer, end every registration with {@link AwaitResult#QUEUE_CLOSED}, close RocksDB.
 *
 * <h2>States / Locks</h2>
 * The only mutable state is the queue's {@link Lifecycle} (atomic) and {@link #closed} (a future completed
 * once by the closer that won {@link Lifecycle#beginClose()}). Every other field is final and set before
 * the engine is published; {@link #recoveryReport} is set in {@link #open}, before it returns. No lock.
 *
 * <p>Thread-safe.
 */
final class QueueEngine {
    private static final Logger LOG = LoggerFactory.getLogger(QueueEngine.class);

    /** How often the watermark is rewritten while topics change: bounds what an unreported loss can be. */
    static final Duration WATERMARK_PERIOD = Duration.ofSeconds(1);

    final RocksMqConfig config;
    final RocksStore store;
    private final Lifecycle lifecycle = new Lifecycle();
    final TopicRegistry registry;
    final SpaceReclaimer reclaimer;
    final Retention retention;
    final ProducePath producePath;
    /** Scheduled delivery; its waiter runs only on a writable queue. */
    final Scheduler scheduler;
    /** Metadata repairs the consistency check made when this instance opened. */
    final int recoveryRepairs;
    /** The record of acknowledged ids kept outside RocksDB; null when read-only. */
    private final Watermark watermark;
    /** What the open found lost; set once in {@link #open}, before the engine is published. */
    private RecoveryReport recoveryReport;
    /** Completed once {@link #close()} finished: concurrent closers wait for it. */
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private QueueEngine(RocksMqConfig config, RocksStore store, Recovery.Result recovered) {
        this.config = config;
        this.store = store;
        this.recoveryRepairs = recovered.repairs();
        this.reclaimer = new SpaceReclaimer(store, SpaceReclaimer.tombstoneThreshold(config));
        this.registry = new TopicRegistry(config, store, reclaimer, recovered);
        this.retention = new Retention(config, store, reclaimer, registry.view(), lifecycle);
        this.producePath = new ProducePath(config, store, registry, lifecycle);
        this.scheduler = new Scheduler(config, store, registry);
        this.watermark = store.readOnly() ? null : new Watermark(store.directory(),
                () -> Watermark.of(registry.view().values()), store::syncAll, WATERMARK_PERIOD);
    }

    /** Opens RocksDB, recovers and checks the registry, compares with the watermark, starts background work. */
    static QueueEngine open(RocksMqConfig config) {
        RocksStore store = RocksStore.open(config);
        try {
            Recovery.Result recovered = config.follow() ? FollowerRefresh.firstLoad(store, config.clock().millis())
                    : Recovery.load(store, config.clock().millis());
            if (recovered.repairs() > 0) {
                LOG.warn("opened {} with {} metadata repairs", store.directory(), recovered.repairs());
            }
            QueueEngine engine = new QueueEngine(config, store, recovered);
            if (config.follow() && !FollowerRefresh.consistent(recovered)) {
                engine.refresh(); // the secondary's first view can be as incomplete as a catch-up's
            }
            // A follower cannot compare: the writer acknowledges (and records) messages meanwhile.
            engine.recoveryReport = config.follow() ? new RecoveryReport(List.of(), List.of(), recovered.repairs())
                    : RecoveryCheck.check(store, engine.registry.view().values(), recovered.lastStored(),
                    Watermark.read(store.directory()), store.recoveryMessages(), recovered.repairs());
            engine.retention.start();
            if (engine.watermark != null) {
                engine.watermark.start();
            }
            if (!store.readOnly()) {
                engine.scheduler.start(); // last (nothing after it can fail); first moves what fell due while closed
            }
            return engine;
        } catch (RuntimeException e) {
            try {
                store.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    RecoveryReport recoveryReport() {
        return recoveryReport;
    }

    /** See {@link RocksMq#refresh()}: a follower catches up and reloads its registry; others do nothing. */
    void refresh() {
        if (config.follow()) {
            run(() -> registry.replaceAll(() -> FollowerRefresh.load(store, retention, config.clock().millis())));
        }
    }

    /** Rewrites the watermark now (after an fsync); a failure is logged, never thrown. */
    void updateWatermark() {
        if (watermark == null) {
            return;
        }
        try {
            watermark.update();
        } catch (RuntimeException e) {
            LOG.warn("could not update the watermark in {}", store.directory(), e);
        }
    }

    // ------------------------------------------------------------------ entering

    /** Runs {@code f} with the queue entered (so it cannot close under it). */
    <R> R call(Supplier<R> f) {
        enter();
        try {
            return f.get();
        } finally {
            lifecycle.exit();
        }
    }

    /** Runs {@code f} with the queue entered. */
    void run(Runnable f) {
        enter();
        try {
            f.run();
        } finally {
            lifecycle.exit();
        }
    }

    /** Runs {@code f} with the queue and the topic entered (so neither can close under it). */
    <R> R inTopic(String topic, Function<Topic, R> f) {
        return call(() -> registry.inTopic(topic, f));
    }

    /** Runs {@code f} with the queue, the topic and the group entered. */
    <R> R inGroup(String topic, String group, BiFunction<Topic, ConsumerGroup, R> f) {
        return call(() -> registry.inGroup(topic, group, f));
    }

    private void enter() {
        if (!lifecycle.tryEnter()) {
            throw new QueueClosedException("queue is closed: " + store.directory());
        }
    }

    // ------------------------------------------------------------------ close

    boolean isOpen() {
        return lifecycle.isActive();
    }

    /** See {@link RocksMq#close()}: idempotent; concurrent callers return once the queue is closed. */
    void close() {
        if (!lifecycle.beginClose()) {
            closed.join(); // uninterruptible, as close must be; keeps the interrupt status
            return;
        }
        try {
            lifecycle.awaitQuiescent();
            scheduler.close(); // its moves write: before the final watermark
            registry.persistPendingPositions(); // what a position commit interval left unwritten
            if (watermark != null) {
                watermark.close();
                updateWatermark(); // the final one: everything acknowledged, fsynced first
            }
            retention.close();
            reclaimer.close();
            registry.endAllRegistrations();
            store.close();
        } finally {
            lifecycle.markClosed();
            closed.complete(null);
        }
    }
}
