package io.rocksmq.bench.peer;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.SharedSubscription;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * W9, the work queue (issue 16): one producer, {@code workers} consumers sharing one subscription,
 * every message acknowledged on its own (each acknowledgement confirmed before the next). What all
 * peers share: the count of acknowledged messages, a produce-to-ack latency histogram per worker
 * (each payload carries its send time, {@link Payloads#stampNanos}), and the client-API run used by
 * the peers that have a backend of the client API (the embedded queue, Kafka share groups).
 *
 * <p>Thread-safe: each worker records into its own histogram ({@link #worker}); {@link #result} is
 * read after the workers were joined.
 */
public final class WorkQueue {
    private static final long HIGHEST = TimeUnit.SECONDS.toNanos(300);
    private static final Duration POLL_WAIT = Duration.ofMillis(100);
    private static final Duration STALL = Duration.ofSeconds(60);

    /** What a W9 run measured: acknowledged messages, nanoseconds from the first send to the last ack, latencies. */
    public record Result(long acked, long elapsedNanos, Histogram latency) {
    }

    /** One worker's loop: takes and acknowledges messages while {@link #running}, recording into {@code latency}. */
    public interface WorkerLoop {
        void run(Histogram latency) throws Exception;
    }

    /** A step of the producer's side: waiting for the workers, or sending every message. */
    public interface Step {
        void run() throws Exception;
    }

    private final long expected;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong lastProgress = new AtomicLong(System.nanoTime());
    private final List<Histogram> histograms = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public WorkQueue(long expected) {
        this.expected = expected;
    }

    /** A new worker's histogram; call before starting the worker thread. */
    public synchronized Histogram worker() {
        Histogram h = new Histogram(HIGHEST, 3);
        histograms.add(h);
        return h;
    }

    /** True while messages are still to be acknowledged and nothing failed. */
    public boolean running() {
        if (failure.get() != null) {
            return false;
        }
        if (System.nanoTime() - lastProgress.get() > STALL.toNanos()) {
            failure.compareAndSet(null, new IllegalStateException("no acknowledgement for " + STALL.toSeconds()
                    + " s; " + acked.get() + " of " + expected + " acknowledged"));
            return false;
        }
        return acked.get() < expected;
    }

    /** Records one acknowledged message sent at {@code sentNanos} ({@link System#nanoTime()}). */
    public void acked(Histogram h, long sentNanos) {
        long latency = System.nanoTime() - sentNanos;
        h.recordValue(Math.max(0, Math.min(latency, HIGHEST)));
        acked.incrementAndGet();
        lastProgress.set(System.nanoTime());
    }

    /** Remembers the first failure of a worker; the others stop. */
    public void failed(Throwable t) {
        failure.compareAndSet(null, t);
    }

    /** A fresh payload (copied from the pool) carrying the send time in its first 8 bytes. */
    public static byte[] stamped(Payloads payloads, long i) {
        byte[] b = payloads.get(i).clone();
        Payloads.stampNanos(b, System.nanoTime());
        return b;
    }

    /**
     * Runs W9 on a peer: starts {@code workers} threads ({@code threadName-w}) each running {@code loop} with a
     * histogram of its own (a failure of one stops them all), runs {@code beforeClock} (e.g. waits until the
     * workers can receive), starts the clock, runs {@code send}, and returns the figures once every worker
     * ended. Whatever happens, the workers still running are stopped and joined before it returns.
     */
    public Result run(int workers, String threadName, WorkerLoop loop, Step beforeClock, Step send)
            throws Exception {
        List<Thread> threads = new ArrayList<>();
        try {
            for (int w = 0; w < workers; w++) {
                Histogram h = worker();
                Thread t = new Thread(() -> {
                    try {
                        loop.run(h);
                    } catch (Exception | Error e) {
                        failed(e);
                    }
                }, threadName + "-" + w);
                t.start();
                threads.add(t);
            }
            beforeClock.run();
            long start = System.nanoTime();
            send.run();
            for (Thread t : threads) {
                t.join();
            }
            return result(start);
        } finally {
            failed(new IllegalStateException("stopped")); // ends any worker still running after a failure
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    /** The figures, once every worker was joined; throws the first failure of a worker. */
    public Result result(long startNanos) throws Exception {
        long elapsed = System.nanoTime() - startNanos;
        Throwable t = failure.get();
        if (t instanceof Exception e) {
            throw e;
        } else if (t != null) {
            throw new IllegalStateException(t);
        }
        Histogram all = new Histogram(HIGHEST, 3);
        synchronized (this) {
            histograms.forEach(all::add);
        }
        return new Result(acked.get(), elapsed, all);
    }

    /**
     * W9's redelivery after a worker dies, through the client API: per round two fresh consumers of one
     * SHARED subscription (lock duration {@code lock}), one message sent; whichever consumer gets it dies
     * (never answers, stays open, so nothing gives the message back) and the other polls until it gets it.
     * Returns, per round, the time from the dead worker's receipt to the live one's, minus the lock
     * duration (nanoseconds; the lock starts a little before the dead worker's poll returns, so this
     * slightly understates the lateness). Fresh consumers per round because a backend with read-ahead
     * (Kafka) may have handed the next message to either.
     */
    public static Histogram redeliveryOnClient(MqClient client, String topic, int rounds, Duration lock) {
        Histogram late = new Histogram(HIGHEST, 3);
        ConsumerOptions options = ConsumerOptions.builder(topic, "redelivery").receiveBufferSize(1)
                .shared(SharedSubscription.DEFAULTS.withLockDuration(lock)).build();
        try (Producer p = client.createProducer(ProducerOptions.builder(topic).build())) {
            for (int round = 0; round < rounds; round++) {
                try (Consumer a = client.subscribe(options);
                     Consumer b = client.subscribe(options)) {
                    p.send(OutgoingMessage.of(new byte[] {(byte) round}));
                    Consumer[] both = {a, b};
                    Message taken = null;
                    int turn = 0;
                    long giveUp = System.nanoTime() + STALL.toNanos();
                    for (; taken == null; turn++) { // ask each in turn; whichever gets it dies with it
                        if (System.nanoTime() > giveUp) {
                            throw new IllegalStateException("round " + round + ": no worker got the message");
                        }
                        List<Message> got = both[turn % 2].poll(1, Duration.ofMillis(20));
                        taken = got.isEmpty() ? null : got.get(0);
                    }
                    long died = System.nanoTime();
                    Consumer live = both[turn % 2]; // turn moved past the one that got it
                    List<Message> again = live.poll(1, STALL);
                    long after = System.nanoTime() - died;
                    if (again.isEmpty() || !again.get(0).id().equals(taken.id())) {
                        throw new IllegalStateException("round " + round + ": the live worker got " + again
                                + " instead of the dead worker's message");
                    }
                    live.ack(again.get(0).id());
                    late.recordValue(Math.max(0, Math.min(after - lock.toNanos(), HIGHEST)));
                }
            }
        }
        return late;
    }

    /**
     * W9 through the client API: {@code workers} consumers of the SHARED subscription {@code subscription}
     * (default settings) poll up to {@code poll} messages and {@code ack} each; one producer sends
     * {@code count} messages ({@code sendAsync}, then {@code flush}). The subscription is joined before
     * the first send, so every message is for it.
     */
    public static Result runOnClient(MqClient client, String topic, String subscription, Payloads payloads,
                                     int count, int workers, int poll) throws Exception {
        WorkQueue run = new WorkQueue(count);
        List<Consumer> consumers = new ArrayList<>();
        try {
            for (int w = 0; w < workers; w++) {
                consumers.add(client.subscribe(ConsumerOptions.builder(topic, subscription).receiveBufferSize(poll)
                        .shared(SharedSubscription.DEFAULTS).build()));
            }
            AtomicInteger next = new AtomicInteger();
            return run.run(workers, "w9-worker", h -> {
                Consumer c = consumers.get(next.getAndIncrement());
                while (run.running()) {
                    for (Message m : c.poll(poll, POLL_WAIT)) {
                        c.ack(m.id());
                        run.acked(h, Payloads.readNanos(m.payload(), 0));
                    }
                }
            }, () -> { }, () -> {
                try (Producer p = client.createProducer(ProducerOptions.builder(topic).build())) {
                    for (int i = 0; i < count; i++) {
                        p.sendAsync(OutgoingMessage.of(stamped(payloads, i)));
                    }
                    p.flush();
                }
            });
        } finally {
            for (Consumer c : consumers) {
                c.close();
            }
        }
    }
}
