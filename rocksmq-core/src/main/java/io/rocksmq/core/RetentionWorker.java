package io.rocksmq.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The background retention loop: a full pass over every topic each interval, and in between an
 * immediate pass over any topic whose produce pushed it over its byte cap ({@link #request}). The
 * interval is measured on the monotonic clock; the rules themselves use the queue's (injectable)
 * clock. A failing pass is logged and counted, and the loop carries on.
 *
 * <p>Thread-safe: {@link #request} may be called from any thread (it is on the produce path: a queue
 * offer and an unpark); {@link #close()} stops and joins the thread.
 */
final class RetentionWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionWorker.class);

    /** What one wake-up runs: {@code topics == null} means every topic. */
    interface PassRunner {
        void run(List<Topic> topics);
    }

    private final long intervalNanos;
    private final PassRunner runner;
    private final ConcurrentLinkedQueue<Topic> requested = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean stopped;

    RetentionWorker(java.time.Duration interval, PassRunner runner) {
        this.intervalNanos = interval.toNanos();
        this.runner = runner;
        this.thread = new Thread(this::loop, "rocksmq-retention");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Asks for a pass over this topic as soon as possible (it went over a cap). */
    void request(Topic t) {
        requested.add(t);
        LockSupport.unpark(thread);
    }

    private void loop() {
        long nextFull = System.nanoTime() + intervalNanos;
        while (!stopped) {
            List<Topic> urgent = new ArrayList<>();
            for (Topic t; (t = requested.poll()) != null; ) {
                urgent.add(t);
            }
            long now = System.nanoTime();
            boolean full = now - nextFull >= 0;
            if (full || !urgent.isEmpty()) {
                try {
                    runner.run(full ? null : urgent);
                } catch (RuntimeException e) {
                    LOG.error("retention pass failed; retrying at the next interval", e);
                }
                if (full) {
                    nextFull = System.nanoTime() + intervalNanos;
                }
                continue;
            }
            LockSupport.parkNanos(this, Math.min(nextFull - now, TimeUnit.SECONDS.toNanos(1)));
        }
    }

    @Override
    public void close() {
        stopped = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
                if (thread.isAlive()) {
                    LOG.warn("still waiting for the retention pass to finish before closing");
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
