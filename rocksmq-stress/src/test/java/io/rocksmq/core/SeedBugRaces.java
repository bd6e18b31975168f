package io.rocksmq.core;

import io.rocksmq.stress.StackDump;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The three races behind the Milvus RocksMQ bugs, written once against {@link GroupRegistryHarness}.
 * Each runs up to a bounded number of rounds and returns a description of the first violation it
 * saw, or {@code null} if there was none. No polling anywhere: waits are either zero-timeout checks or
 * a hang bound that only a lost wake-up can reach.
 *
 * <p>Not thread-safe; each call owns its harness.
 */
final class SeedBugRaces {
    /** A consumer that has not taken a message this long after its produce is stuck, not slow. */
    static final Duration HANG = Duration.ofSeconds(10);
    private static final String T = "t";

    private SeedBugRaces() {
    }

    /**
     * Destroy vs notify (Milvus #40481 / #29101): one thread creates a group, registers, destroys,
     * over and over; another notifies the group in a tight loop. Violations: a notify that fails (the
     * naive registry's "send on closed channel"), or a registration still live after destroy returned.
     */
    static String destroyVsNotify(GroupRegistryHarness h, int rounds) throws InterruptedException {
        h.createTopic(T);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> notifyFailure = new AtomicReference<>();
        Thread notifier = new Thread(() -> {
            while (!stop.get()) {
                try {
                    h.notifyGroup(T, "g");
                } catch (Throwable e) {
                    notifyFailure.set(e);
                    return;
                }
            }
        }, "notifier");
        notifier.start();
        String violation = null;
        try {
            for (int round = 0; round < rounds && notifyFailure.get() == null; round++) {
                h.createGroup(T, "g");
                GroupRegistryHarness.Waiter w = h.register(T, "g");
                h.destroyGroup(T, "g");
                AwaitResult r = w.await(Duration.ZERO);
                if (r != AwaitResult.GROUP_DESTROYED) {
                    violation = "round " + round + ": registration still live after destroy returned: " + r;
                    break;
                }
            }
        } finally {
            stop.set(true);
            joinOrFail(notifier);
        }
        Throwable f = notifyFailure.get();
        return f != null ? "notify racing destroy failed: " + f : violation;
    }

    /**
     * Concurrent registrations of different groups on one topic (Milvus #39336 / #38966): each round
     * the test thread and a helper register one group each at the same instant (both spin on a round
     * counter, so neither is parked when the round starts); then both groups are destroyed and both
     * registrations must report it. A lost registration is never ended (its consumer would wait forever).
     */
    static String concurrentRegistrations(GroupRegistryHarness h, int rounds) throws Exception {
        h.createTopic(T);
        AtomicLong roundStarted = new AtomicLong(-1);
        AtomicLong roundDone = new AtomicLong(-1);
        AtomicReference<GroupRegistryHarness.Waiter> helperWaiter = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread helper = new Thread(() -> {
            try {
                for (long round = 0; ; round++) {
                    while (roundStarted.get() < round) {
                        if (stop.get()) {
                            return;
                        }
                        Thread.onSpinWait();
                    }
                    helperWaiter.set(h.register(T, "g1"));
                    roundDone.set(round);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "register-g1");
        helper.start();
        String violation = null;
        try {
            for (int round = 0; round < rounds && violation == null && failure.get() == null; round++) {
                h.createGroup(T, "g0");
                h.createGroup(T, "g1");
                roundStarted.set(round);
                GroupRegistryHarness.Waiter mine = h.register(T, "g0");
                long deadline = System.nanoTime() + HANG.toNanos();
                while (roundDone.get() < round && failure.get() == null) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new AssertionError("helper stuck:\n" + StackDump.of(helper));
                    }
                    Thread.onSpinWait();
                }
                h.destroyGroup(T, "g0");
                h.destroyGroup(T, "g1");
                AwaitResult r0 = mine.await(Duration.ZERO);
                AwaitResult r1 = failure.get() == null ? helperWaiter.get().await(Duration.ZERO) : null;
                if (r0 != AwaitResult.GROUP_DESTROYED || (r1 != null && r1 != AwaitResult.GROUP_DESTROYED)) {
                    violation = "round " + round + ": a registration was lost (not ended by destroy): g0 -> "
                            + r0 + ", g1 -> " + r1;
                }
            }
        } finally {
            stop.set(true);
            joinOrFail(helper);
        }
        Throwable f = failure.get();
        return f != null ? "registration failed: " + f : violation;
    }

    /**
     * Lost wake-up (Milvus #34045): a consumer drains, then waits with a long timeout; the producer
     * produces one message at a random moment after the consumer took the previous one and expects
     * it taken within {@code hang}. A wake-up dropped between the consumer's empty read and its wait
     * leaves the message there until the timeout.
     */
    static String lostWakeup(GroupRegistryHarness h, long seed, int rounds, long maxDelayNanos, Duration hang)
            throws Exception {
        h.createTopic(T);
        h.createGroup(T, "g");
        GroupRegistryHarness.Waiter w = h.register(T, "g");
        AtomicLong taken = new AtomicLong();
        AtomicReference<Throwable> consumerFailure = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            try {
                while (true) {
                    long[] ids = h.consume(T, "g", 16);
                    if (ids.length > 0) {
                        taken.addAndGet(ids.length);
                        continue;
                    }
                    if (w.await(Duration.ofMinutes(10)).isTerminal()) {
                        return;
                    }
                }
            } catch (Throwable e) {
                consumerFailure.set(e);
            }
        }, "consumer");
        consumer.start();
        SplittableRandom random = new SplittableRandom(seed);
        String violation = null;
        try {
            for (int round = 0; round < rounds; round++) {
                spin(random.nextLong(maxDelayNanos + 1));
                h.produce(T);
                long deadline = System.nanoTime() + hang.toNanos();
                while (taken.get() <= round && consumerFailure.get() == null) {
                    if (System.nanoTime() - deadline > 0) {
                        violation = "round " + round + ": message not taken within " + hang
                                + " of its produce: the wake-up was lost";
                        break;
                    }
                    Thread.onSpinWait();
                }
                if (violation != null || consumerFailure.get() != null) {
                    break;
                }
            }
        } finally {
            h.destroyGroup(T, "g"); // ends the registration: the consumer leaves its wait
            joinOrFail(consumer);
        }
        Throwable f = consumerFailure.get();
        return f != null ? "consumer failed: " + f : violation;
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    static void joinOrFail(Thread t) throws InterruptedException {
        t.join(HANG.toMillis() * 3);
        if (t.isAlive()) {
            throw new AssertionError("thread " + t.getName() + " stuck:\n" + StackDump.of(t));
        }
    }
}
