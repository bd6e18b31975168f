package io.rocksmq.cli;

import io.rocksmq.core.AwaitResult;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.ConsumerRegistration;
import io.rocksmq.core.Durability;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The load of {@code rmq perf}: producer threads writing fixed-size messages in batches (optionally
 * at a fixed rate), and one consumer thread per group, woken by each produce, measuring the time from
 * the produce to its receipt. Each thread records into its own HdrHistogram; the histograms are
 * merged once the threads have finished.
 *
 * <p>The load is a number of messages, or a time: with a duration each producer sends until it is up
 * (at least one batch, however late it started), and each consumer stops once the producers have finished and it has received all they produced.
 *
 * <p>When a rate is set, each message carries the time it was <em>scheduled</em> to be sent, so a
 * stall shows up in the latencies of the messages queued behind it (no coordinated omission).
 *
 * <p>Thread-safe for the progress reader ({@link #produced()}, {@link #consumed()}, {@link #failure()});
 * {@link #start()} and {@link #join()} are called by one controlling thread.
 */
final class PerfLoad {
    /** Latencies are recorded in nanoseconds up to an hour, three significant digits. */
    private static final long MAX_LATENCY_NANOS = 3_600_000_000_000L;

    private final RocksMq mq;
    private final String topic;
    private final List<String> groups;
    private final long messages;
    private final int size;
    private final int batch;
    private final int producers;
    private final long rate;
    private final Durability durability;
    private final long seed;
    /** Producers stop sending after this long; 0: they send {@link #messages} in all. */
    private final long durationNanos;

    private final AtomicLong produced = new AtomicLong();
    private final AtomicLong consumed = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> producerThreads = new ArrayList<>();
    private final List<Thread> consumerThreads = new ArrayList<>();
    private final List<Histogram> produceHistograms = new ArrayList<>();
    private final List<Histogram> endToEndHistograms = new ArrayList<>();
    private volatile long startNanos;
    private final AtomicLong produceEndNanos = new AtomicLong();
    private final AtomicLong consumeEndNanos = new AtomicLong();
    private final AtomicInteger producersRunning = new AtomicInteger();

    /**
     * @param messages messages to produce in all, or {@link Long#MAX_VALUE} with a duration
     * @param duration how long to produce, or {@link Duration#ZERO} to produce {@code messages}
     */
    PerfLoad(RocksMq mq, String topic, List<String> groups, long messages, Duration duration, int size, int batch,
             int producers, long rate, Durability durability, long seed) {
        this.mq = mq;
        this.topic = topic;
        this.groups = groups;
        this.messages = messages;
        this.size = size;
        this.batch = batch;
        this.producers = producers;
        this.rate = rate;
        this.durability = durability;
        this.seed = seed;
        this.durationNanos = duration.toNanos();
    }

    void start() {
        startNanos = System.nanoTime();
        for (String g : groups) {
            Histogram h = new Histogram(MAX_LATENCY_NANOS, 3);
            endToEndHistograms.add(h);
            // Registered before any produce, so no wake-up can be missed.
            ConsumerRegistration reg = mq.registerConsumer(topic, g);
            consumerThreads.add(thread("perf-consumer-" + g, () -> consume(g, reg, h)));
        }
        producersRunning.set(producers);
        for (int p = 0; p < producers; p++) {
            long share = durationNanos > 0 ? Long.MAX_VALUE : messages / producers + (p < messages % producers ? 1 : 0);
            Histogram h = new Histogram(MAX_LATENCY_NANOS, 3);
            produceHistograms.add(h);
            int index = p;
            producerThreads.add(thread("perf-producer-" + p, () -> produce(index, share, h)));
        }
        consumerThreads.forEach(Thread::start);
        producerThreads.forEach(Thread::start);
    }

    private Thread thread(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private void produce(int index, long share, Histogram latencies) {
        Random random = new Random(seed + index);
        int n = (int) Math.min(batch, Math.max(1, share));
        List<ProducerMessage> messageList = new ArrayList<>(n);
        List<byte[]> payloads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            payloads.add(payload);
            messageList.add(ProducerMessage.of(payload));
        }
        double nanosPerMessage = rate > 0 ? 1e9 * producers / rate : 0;
        long stopAt = durationNanos > 0 ? startNanos + durationNanos : Long.MAX_VALUE;
        long sent = 0;
        // At least one batch even when the time is up: a producer thread that got no CPU before the end
        // of a short timed run (a loaded machine) would otherwise report nothing measured.
        while (sent < share && failure.get() == null && (sent == 0 || System.nanoTime() - stopAt < 0)) {
            int count = (int) Math.min(n, share - sent);
            List<ProducerMessage> list = count == n ? messageList : messageList.subList(0, count);
            long scheduled = rate > 0 ? startNanos + (long) (sent * nanosPerMessage) : 0;
            if (rate > 0) {
                long wait = scheduled - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            long before = System.nanoTime();
            long stamp = rate > 0 ? scheduled : before;
            if (size >= Long.BYTES) {
                // Payload arrays may be reused once produce returned: it encodes them during the call.
                for (int i = 0; i < count; i++) {
                    ByteBuffer.wrap(payloads.get(i)).putLong(0, stamp);
                }
            }
            mq.produce(topic, list, durability);
            long after = System.nanoTime();
            latencies.recordValue(Math.min(MAX_LATENCY_NANOS, after - (rate > 0 ? scheduled : before)));
            sent += count;
            produced.addAndGet(count);
        }
        produceEndNanos.accumulateAndGet(System.nanoTime(), Math::max);
        producersRunning.decrementAndGet();
    }

    /** How many messages each group has to receive: all that will be produced, once that is known. */
    private long toReceive() {
        return durationNanos == 0 ? messages : producersRunning.get() == 0 ? produced.get() : Long.MAX_VALUE;
    }

    private void consume(String group, ConsumerRegistration reg, Histogram latencies) {
        try (reg) {
            long got = 0;
            while (got < toReceive() && failure.get() == null) {
                List<ConsumerMessage> batchGot = mq.consume(topic, group, 1000);
                if (batchGot.isEmpty()) {
                    AwaitResult r = reg.await(Duration.ofMillis(500));
                    if (r.isTerminal()) {
                        throw new IllegalStateException("consumer of group '" + group + "' ended: " + r);
                    }
                    continue;
                }
                long now = System.nanoTime();
                if (size >= Long.BYTES) {
                    for (ConsumerMessage m : batchGot) {
                        long stamp = ByteBuffer.wrap(m.payload()).getLong(0);
                        latencies.recordValue(Math.max(0, Math.min(MAX_LATENCY_NANOS, now - stamp)));
                    }
                }
                got += batchGot.size();
                consumed.addAndGet(batchGot.size());
                // the time of the last receipt, not of leaving the loop (a timed run's consumers may wait
                // out one await after the last message before they learn that the producers are done)
                consumeEndNanos.accumulateAndGet(now, Math::max);
            }
        }
    }

    /** True once every thread has finished (or one failed). */
    boolean done() {
        for (Thread t : producerThreads) {
            if (t.isAlive()) {
                return false;
            }
        }
        for (Thread t : consumerThreads) {
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    void join() throws InterruptedException {
        for (Thread t : producerThreads) {
            t.join();
        }
        for (Thread t : consumerThreads) {
            t.join();
        }
    }

    /** Stops the workers at their next step (after a failure elsewhere or a timeout). */
    void abort(Throwable why) {
        failure.compareAndSet(null, why);
    }

    /** Messages produced so far (all of them once {@link #join()} returned). */
    long produced() {
        return produced.get();
    }

    /** Messages delivered, summed over all groups. */
    long consumed() {
        return consumed.get();
    }

    Throwable failure() {
        return failure.get();
    }

    long startNanos() {
        return startNanos;
    }

    double produceSeconds() {
        return (produceEndNanos.get() - startNanos) / 1e9;
    }

    double consumeSeconds() {
        return groups.isEmpty() ? 0 : (consumeEndNanos.get() - startNanos) / 1e9;
    }

    /** Latency of each produce call (from its scheduled time when a rate is set). */
    Histogram produceLatency() {
        return merge(produceHistograms);
    }

    /** Time from produce to receipt by a consumer, over all groups; empty if messages are under 8 bytes. */
    Histogram endToEndLatency() {
        return merge(endToEndHistograms);
    }

    private static Histogram merge(List<Histogram> parts) {
        Histogram all = new Histogram(MAX_LATENCY_NANOS, 3);
        parts.forEach(all::add);
        return all;
    }
}
