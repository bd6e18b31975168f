package io.rocksmq.bench.peer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a task on N threads started together and reports the time from the common start to the last
 * finish; the first failure is rethrown.
 *
 * <p>Thread-safe: stateless.
 */
final class Parallel {
    /** The body of one thread. */
    interface Task {
        void run(int thread) throws Exception;
    }

    private Parallel() {
    }

    static long run(int threads, Task task) throws Exception {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                    task.run(id);
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }, "bench-worker-" + t);
            thread.start();
            started.add(thread);
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        for (Thread thread : started) {
            thread.join();
        }
        long elapsed = System.nanoTime() - start;
        if (failure.get() != null) {
            throw failure.get();
        }
        return elapsed;
    }
}
