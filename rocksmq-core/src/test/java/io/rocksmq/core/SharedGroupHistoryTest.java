package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.LockExpiredException;
import io.rocksmq.api.StaleDeliveryException;
import io.rocksmq.api.StorageException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Eight workers on one shared group with random ack / release / reject / renew / stall / die, lock
 * expiries (a clock the workers move), write failures and queue restarts; the recorded history is then
 * checked:
 * <ol>
 *   <li>every message is acknowledged or dead-lettered exactly once;</li>
 *   <li>delivery counts only grow: no (message, attempt) is handed out twice, not even across restarts;</li>
 *   <li>nothing acknowledged is delivered again: no delivery of a message has a later attempt than its ack;</li>
 *   <li>never held by two workers while a lock holds: a delivery is handed out only once the previous one
 *       was released or its (renewed) lock deadline passed.</li>
 * </ol>
 * Each deliberately broken variant in {@link SharedGroupVariants} must make the check fail.
 */
class SharedGroupHistoryTest {
    static final long LOCK = 1_000;
    static final int WORKERS = 8;

    @TempDir
    Path dir;

    record Acquired(long id, int attempt, long at, long deadline, int epoch) {
    }

    record Answered(long id, int attempt, long deadline) {
    }

    /** What the workers saw succeed; appended concurrently. */
    static final class History {
        final ConcurrentLinkedQueue<Acquired> acquired = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Answered> acked = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Answered> released = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Answered> renewed = new ConcurrentLinkedQueue<>();
        final AtomicLong failures = new AtomicLong();
    }

    @Test
    void theRealStatePassesEveryCheckWithWriteFailuresAndRestarts() throws Exception {
        HistoryRounds.passes(dir, 1, (d, seed) -> run(d, seed, 1_500, 2, SharedGroupVariants.FlakyWrites.factory(seed, 0.02)));
    }

    @Test
    @Tag("long")
    void theRealStatePassesUnderALongerRun() throws Exception {
        HistoryRounds.passes(dir, 5, (d, seed) -> run(d, seed, 40_000, 6, SharedGroupVariants.FlakyWrites.factory(seed, 0.01)));
    }

    @Test
    void catchesNoFencing() throws Exception {
        assertCaught("no fencing", (o, t, n, f, c, r) -> new SharedGroupVariants.NoFencing(o, t, n, f, c, r));
    }

    @Test
    void catchesCountsNotPersisted() throws Exception {
        assertCaught("counts not persisted",
                (o, t, n, f, c, r) -> new SharedGroupVariants.CountsNotPersisted(o, t, n, f, c, r));
    }

    @Test
    void catchesDeadLetterAndRemovalInTwoWrites() throws Exception {
        assertCaught("two writes", SharedGroupVariants.DeadLetterInTwoWrites.factory(42, 0.05));
    }

    private void assertCaught(String what, SharedGroupState.Factory broken) throws Exception {
        HistoryRounds.caught(dir, 3, what, (d, seed) -> run(d, seed, 1_500, 2, broken));
    }

    /** Runs the workload and returns the violations of the history (empty: none). */
    static List<String> run(Path dir, long seed, int messages, int restarts, SharedGroupState.Factory factory) {
        MutableClock clock = new MutableClock(1_000_000);
        RocksMqConfig config = RocksMqConfig.builder(dir).clock(clock).retentionInterval(Duration.ZERO).build();
        SharedGroupOptions options = SharedGroupOptions.DEFAULTS.withLockDuration(Duration.ofMillis(LOCK))
                .withMaxDeliveries(4).withDeadLetterTopic("dlq").withMaxInFlight(64)
                .withRedeliveryBackoff(List.of(Duration.ZERO, Duration.ofMillis(LOCK / 10)));
        History h = new History();
        long last;
        Set<Long> produced = new HashSet<>();
        RocksMq mq = RocksMq.open(config);
        try {
            mq.createTopic("jobs");
            mq.createTopic("dlq");
            mq.sharedGroupsForTest().factory(factory);
            mq.createSharedGroup("jobs", "w", options);
            List<ProducerMessage> batch = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                batch.add(ProducerMessage.of(new byte[] {(byte) i}));
                if (batch.size() == 100 || i == messages - 1) {
                    for (long id : mq.produce("jobs", batch)) {
                        produced.add(id);
                    }
                    batch.clear();
                }
            }
            last = mq.latestMessageId("jobs");
            for (int epoch = 0; epoch <= restarts; epoch++) {
                boolean toTheEnd = epoch == restarts;
                long budget = toTheEnd ? 200L * messages : messages / 2;
                SharedGroup g = mq.sharedGroup("jobs", "w");
                List<Thread> workers = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    SplittableRandom random = new SplittableRandom(seed * 31 + epoch * WORKERS + w);
                    int e = epoch;
                    Thread t = new Thread(() -> work(g, clock, random, h, e, budget / WORKERS, last));
                    t.start();
                    workers.add(t);
                }
                for (Thread t : workers) {
                    t.join();
                }
                if (!toTheEnd) {
                    mq.close();
                    clock.advance(LOCK + 1); // locks do not survive the restart: let the history see them end
                    mq = RocksMq.open(config);
                }
            }
            Map<Long, Integer> deadLetters = new HashMap<>();
            for (long from = 0; ; ) {
                List<ConsumerMessage> got = mq.read("dlq", from, 1000);
                if (got.isEmpty()) {
                    break;
                }
                for (ConsumerMessage m : got) {
                    deadLetters.merge(Long.parseLong(m.properties().get(SharedGroupOptions.DEAD_LETTER_ID_PROPERTY)), 1, Integer::sum);
                }
                from = got.get(got.size() - 1).id() + 1;
            }
            return check(h, produced, deadLetters);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            mq.close();
        }
    }

    private static void work(SharedGroup g, MutableClock clock, SplittableRandom random, History h, int epoch,
                             long budget, long last) {
        for (long op = 0; op < budget; op++) {
            List<SharedGroup.Delivery> ds;
            try {
                if (g.stats().ackFloor() > last) {
                    return;
                }
                ds = g.acquire(1 + random.nextInt(4), Duration.ZERO);
            } catch (StorageException e) {
                h.failures.incrementAndGet();
                continue;
            }
            if (ds.isEmpty()) {
                clock.advance(LOCK / 4); // what dies or stalls is redelivered once its lock expires
                Thread.yield();
                continue;
            }
            for (SharedGroup.Delivery d : ds) {
                h.acquired.add(new Acquired(d.id(), d.attempt(), d.lockDeadline() - LOCK, d.lockDeadline(), epoch));
                answer(g, clock, random, h, d);
            }
        }
    }

    private static void answer(SharedGroup g, MutableClock clock, SplittableRandom random, History h,
                               SharedGroup.Delivery d) {
        double r = random.nextDouble();
        try {
            if (r < 0.50) {
                ack(g, h, d);
            } else if (r < 0.65) {
                g.release(d, random.nextBoolean() ? Duration.ZERO : Duration.ofMillis(random.nextLong(LOCK / 2)));
                h.released.add(new Answered(d.id(), d.attempt(), 0));
            } else if (r < 0.70) {
                g.reject(d);
            } else if (r < 0.80) {
                h.renewed.add(new Answered(d.id(), d.attempt(), g.renew(d)));
                ack(g, h, d);
            } else if (r < 0.92) {
                clock.advance(LOCK / 2 + random.nextLong(LOCK)); // a stall: the lock may expire meanwhile
                Thread.yield();
                ack(g, h, d);
            }
            // else the worker dies: the lock expires
        } catch (StaleDeliveryException | LockExpiredException | DeliveryNotFoundException e) {
            // expected after a stall: someone else has it, or it was finished
        } catch (StorageException e) {
            h.failures.incrementAndGet(); // an injected write failure: nothing changed, the lock will expire
        }
    }

    private static void ack(SharedGroup g, History h, SharedGroup.Delivery d) {
        g.ack(d);
        h.acked.add(new Answered(d.id(), d.attempt(), 0));
    }

    /** The four checks of the class comment; returns what failed. */
    static List<String> check(History h, Set<Long> produced, Map<Long, Integer> deadLetters) {
        List<String> violations = new ArrayList<>();
        if (h.acquired.size() < produced.size() * 5 / 4 || h.released.isEmpty() || deadLetters.isEmpty()) {
            violations.add("the run exercised too little: " + h.acquired.size() + " deliveries of " + produced.size()
                    + " messages, " + h.released.size() + " releases, " + deadLetters.size() + " dead letters");
        }
        Map<Long, Integer> acks = new HashMap<>();
        Map<Long, Integer> ackedAttempt = new HashMap<>();
        for (Answered a : h.acked) {
            acks.merge(a.id(), 1, Integer::sum);
            ackedAttempt.put(a.id(), a.attempt());
        }
        for (long id : produced) {
            int finishes = acks.getOrDefault(id, 0) + deadLetters.getOrDefault(id, 0);
            if (finishes != 1) {
                violations.add("message " + id + " finished " + finishes + " times (acks " + acks.getOrDefault(id, 0)
                        + ", dead letters " + deadLetters.getOrDefault(id, 0) + ")");
            }
        }
        Map<Long, List<Acquired>> byId = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Acquired a : h.acquired) {
            if (!seen.add(a.id() + "/" + a.attempt())) {
                violations.add("delivery " + a.attempt() + " of message " + a.id() + " handed out twice");
            }
            byId.computeIfAbsent(a.id(), k -> new ArrayList<>()).add(a);
        }
        Set<String> released = new HashSet<>();
        h.released.forEach(r -> released.add(r.id() + "/" + r.attempt()));
        Map<String, Long> renewedTo = new HashMap<>();
        h.renewed.forEach(r -> renewedTo.merge(r.id() + "/" + r.attempt(), r.deadline(), Math::max));
        byId.forEach((id, list) -> {
            list.sort(Comparator.comparingInt(Acquired::attempt));
            Integer acked = ackedAttempt.get(id);
            if (acked != null && list.get(list.size() - 1).attempt() > acked) {
                violations.add("message " + id + " acked at delivery " + acked + " was delivered again ("
                        + list.get(list.size() - 1).attempt() + ")");
            }
            for (int i = 1; i < list.size(); i++) {
                Acquired before = list.get(i - 1);
                Acquired after = list.get(i);
                String key = id + "/" + before.attempt();
                long deadline = Math.max(before.deadline(), renewedTo.getOrDefault(key, 0L));
                if (before.epoch() == after.epoch() && !released.contains(key) && after.at() < deadline) {
                    violations.add("message " + id + " delivery " + after.attempt() + " at " + after.at()
                            + " while delivery " + before.attempt() + " held its lock until " + deadline);
                }
            }
        });
        return violations.size() > 20 ? violations.subList(0, 20) : violations;
    }
}
