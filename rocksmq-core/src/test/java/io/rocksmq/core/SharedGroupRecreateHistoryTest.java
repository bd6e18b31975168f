package io.rocksmq.core;

import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.LockExpiredException;
import io.rocksmq.api.StaleDeliveryException;
import io.rocksmq.testkit.MutableClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A shared group destroyed and re-created under the same name while eight workers acquire, ack, release,
 * renew, stall and die on it (lock expiries from a clock the workers move). Every call is stamped with a
 * generation counter read before and after it: the destroyer makes it odd before destroying incarnation
 * {@code k} and {@code 2k + 2} once incarnation {@code k + 1} exists, so a call whose two readings are the
 * same even number {@code 2k} ran entirely within incarnation {@code k}. The recorded history is checked:
 * <ol>
 *   <li>nothing acked twice: within one incarnation, each message is acknowledged at most once;</li>
 *   <li>nothing of the old incarnation after its destroy: an answer (ack, release, renew) to a delivery of
 *       incarnation {@code k} that began after incarnation {@code k} was destroyed is refused;</li>
 *   <li>a re-created group starts from its own state: in an incarnation a message's delivery attempt
 *       {@code n > 1} follows a delivery {@code n - 1} of that incarnation (counts start at 1 again);</li>
 *   <li>the last incarnation, left alone, finishes every message exactly once.</li>
 * </ol>
 * {@link SharedGroupVariants.UnfencedIncarnations} (answers by id and attempt only, whatever incarnation
 * the delivery came from) must make the check fail.
 */
class SharedGroupRecreateHistoryTest {
    static final long LOCK = 1_000;
    static final int WORKERS = 8;

    @TempDir
    Path dir;

    /** A successful acquire: the delivery and the generation read before and after the call. */
    record Acquired(long id, int attempt, int genBefore, int genAfter) {
        boolean within(int gen) {
            return genBefore == gen && genAfter == gen;
        }

        /** The delivery may be of incarnation {@code gen / 2} (the call overlapped it). */
        boolean mayBeOf(int gen) {
            return genBefore <= gen && genAfter >= gen;
        }
    }

    /** A successful answer to {@code delivery}; {@code genBefore} read before the answering call. */
    record Answered(String kind, Acquired delivery, int genBefore, int genAfter) {
    }

    /** What the workers saw succeed; appended concurrently. */
    static final class History {
        final ConcurrentLinkedQueue<Acquired> acquired = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Answered> answered = new ConcurrentLinkedQueue<>();
        final AtomicInteger recreated = new AtomicInteger();
        final AtomicInteger gone = new AtomicInteger();
        final AtomicLong acquisitions = new AtomicLong();
    }

    @Test
    void theRealGroupPassesEveryCheck() throws Exception {
        HistoryRounds.passes(dir, 1, (d, seed) -> run(d, seed, 600, 20, null));
    }

    @Test
    @Tag("long")
    void theRealGroupPassesLongerRuns() throws Exception {
        HistoryRounds.passes(dir, 5, (d, seed) -> run(d, seed, 5_000, 200, null));
    }

    @Test
    void catchesAnswersThatIgnoreTheIncarnation() throws Exception {
        List<String> violations = HistoryRounds.caught(dir, 5, "answers across incarnations",
                (d, seed) -> run(d, seed, 600, 20, SharedGroupVariants.UnfencedIncarnations::answerAs));
        System.out.println("unfenced incarnations, violations found: " + violations);
    }

    /** How a worker answers a delivery: normally {@link SharedGroup}'s fenced calls; a broken variant differs. */
    interface Answerer {
        void answer(SharedGroup g, SharedGroup.Delivery d, String kind, Duration delay);
    }

    static void fenced(SharedGroup g, SharedGroup.Delivery d, String kind, Duration delay) {
        switch (kind) {
            case "ack" -> g.ack(d);
            case "release" -> g.release(d, delay);
            case "renew" -> g.renew(d);
            default -> throw new AssertionError(kind);
        }
    }

    /**
     * Runs the workload ({@code recreates} destroy/re-create cycles while the workers run, then the last
     * incarnation to the end) and returns the violations (empty: none).
     */
    static List<String> run(Path dir, long seed, int messages, int recreates, Answerer broken) throws Exception {
        Answerer answerer = broken == null ? SharedGroupRecreateHistoryTest::fenced : broken;
        MutableClock clock = new MutableClock(1_000_000);
        RocksMqConfig config = RocksMqConfig.builder(dir).clock(clock).retentionInterval(Duration.ZERO).build();
        SharedGroupOptions options = SharedGroupOptions.DEFAULTS.withLockDuration(Duration.ofMillis(LOCK))
                .withMaxDeliveries(SharedGroupOptions.UNLIMITED).withMaxInFlight(64);
        History h = new History();
        AtomicInteger generation = new AtomicInteger();
        try (RocksMq mq = RocksMq.open(config)) {
            mq.createTopic("jobs");
            mq.createSharedGroup("jobs", "w", options);
            List<ProducerMessage> batch = new ArrayList<>();
            Set<Long> produced = new HashSet<>();
            for (int i = 0; i < messages; i++) {
                batch.add(ProducerMessage.of(new byte[] {(byte) i}));
                if (batch.size() == 100 || i == messages - 1) {
                    for (long id : mq.produce("jobs", batch)) {
                        produced.add(id);
                    }
                    batch.clear();
                }
            }
            long last = mq.latestMessageId("jobs");
            SharedGroup g = mq.sharedGroup("jobs", "w"); // finds the group by name on every call
            AtomicBoolean destroying = new AtomicBoolean(true);
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                SplittableRandom random = new SplittableRandom(seed * 31 + w);
                Thread t = new Thread(() -> work(g, clock, random, h, generation, destroying, last, answerer));
                t.start();
                workers.add(t);
            }
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < recreates; i++) {
                // Each incarnation works a little (so a new one hands out the same first messages and attempts
                // as the old one, while the old one's slow workers still hold theirs), sometimes longer.
                long enough = h.acquisitions.get() + 20 + random.nextInt(random.nextInt(10) == 0 ? messages : 60);
                while (h.acquisitions.get() < enough && g.stats().ackFloor() <= last) { // or it finished all
                    Thread.yield();
                }
                generation.incrementAndGet(); // odd: incarnation ending
                mq.destroyConsumerGroup("jobs", "w");
                if (random.nextBoolean()) {
                    Thread.yield(); // sometimes the workers see the group missing for a while
                }
                mq.createSharedGroup("jobs", "w", options);
                generation.incrementAndGet(); // even: the next incarnation exists
                h.recreated.incrementAndGet();
            }
            destroying.set(false);
            for (Thread t : workers) {
                t.join();
            }
            return check(h, produced, generation.get());
        }
    }

    private static void work(SharedGroup g, MutableClock clock, SplittableRandom random, History h,
                             AtomicInteger generation, AtomicBoolean destroying, long last, Answerer answerer) {
        List<Object[]> deferred = new ArrayList<>();
        while (true) {
            List<SharedGroup.Delivery> ds;
            int before = generation.get();
            try {
                if (!destroying.get() && g.stats().ackFloor() > last) {
                    return;
                }
                ds = g.acquire(1 + random.nextInt(4), Duration.ZERO);
            } catch (ConsumerGroupNotFoundException e) {
                h.gone.incrementAndGet(); // between destroy and re-create
                Thread.yield();
                continue;
            }
            int after = generation.get();
            // A slow worker: answers what it deferred only after this acquire, perhaps in a later incarnation.
            for (Object[] p : deferred) {
                answer(g, clock, random, h, generation, answerer, (SharedGroup.Delivery) p[0], (Acquired) p[1]);
            }
            deferred.clear();
            if (ds.isEmpty()) {
                clock.advance(LOCK / 4); // what dies or stalls is redelivered once its lock expires
                Thread.yield();
                continue;
            }
            for (SharedGroup.Delivery d : ds) {
                Acquired a = new Acquired(d.id(), d.attempt(), before, after);
                h.acquired.add(a);
                h.acquisitions.incrementAndGet();
                if (random.nextInt(5) == 0) {
                    deferred.add(new Object[] {d, a});
                } else {
                    answer(g, clock, random, h, generation, answerer, d, a);
                }
            }
        }
    }

    private static void answer(SharedGroup g, MutableClock clock, SplittableRandom random, History h,
                               AtomicInteger generation, Answerer answerer, SharedGroup.Delivery d, Acquired a) {
        double r = random.nextDouble();
        if (r < 0.55) {
            call(g, h, generation, answerer, d, a, "ack", null);
        } else if (r < 0.70) {
            call(g, h, generation, answerer, d, a, "release", Duration.ofMillis(random.nextLong(LOCK / 4)));
        } else if (r < 0.78) {
            call(g, h, generation, answerer, d, a, "renew", null);
            call(g, h, generation, answerer, d, a, "ack", null);
        } else if (r < 0.92) {
            clock.advance(LOCK / 2 + random.nextLong(LOCK)); // a stall: the lock may expire, the group may go
            Thread.yield();
            call(g, h, generation, answerer, d, a, "ack", null);
        }
        // else the worker dies: the lock expires (or the incarnation ends)
    }

    private static void call(SharedGroup g, History h, AtomicInteger generation, Answerer answerer,
                             SharedGroup.Delivery d, Acquired a, String kind, Duration delay) {
        int before = generation.get();
        try {
            answerer.answer(g, d, kind, delay);
        } catch (StaleDeliveryException | LockExpiredException | DeliveryNotFoundException
                 | ConsumerGroupNotFoundException e) {
            return; // someone else has it, it was finished, or its incarnation is gone
        }
        h.answered.add(new Answered(kind, a, before, generation.get()));
    }

    /** The four checks of the class comment; returns what failed. */
    static List<String> check(History h, Set<Long> produced, int lastGeneration) {
        List<String> violations = new ArrayList<>();
        if (h.recreated.get() == 0 || h.acquired.size() < produced.size()) {
            violations.add("the run exercised too little: " + h.recreated.get() + " re-creates, "
                    + h.acquired.size() + " deliveries of " + produced.size() + " messages");
        }
        // 1. within one incarnation, acknowledged at most once (acks whose delivery and call fall in it)
        Map<String, Integer> acks = new HashMap<>();
        for (Answered a : h.answered) {
            int gen = a.delivery().genBefore();
            if (a.kind().equals("ack") && gen % 2 == 0 && a.delivery().within(gen) && a.genBefore() == gen
                    && a.genAfter() == gen) {
                acks.merge(gen + "/" + a.delivery().id(), 1, Integer::sum);
            }
        }
        acks.forEach((key, n) -> {
            if (n > 1) {
                violations.add("message " + key.substring(key.indexOf('/') + 1) + " acked " + n
                        + " times in incarnation " + Integer.parseInt(key.substring(0, key.indexOf('/'))) / 2);
            }
        });
        // 2. no answer of an incarnation's delivery accepted once that incarnation was destroyed
        for (Answered a : h.answered) {
            Acquired d = a.delivery();
            if (d.genAfter() % 2 == 0 && a.genBefore() >= d.genAfter() + 2) {
                violations.add(a.kind() + " of message " + d.id() + " delivery " + d.attempt() + " (incarnation "
                        + d.genAfter() / 2 + ") accepted in a call begun in generation " + a.genBefore()
                        + ", after that incarnation was destroyed");
            }
        }
        // 3. per incarnation, delivery counts start at 1 again: attempt n follows a delivery n - 1 of it
        Map<Long, List<Acquired>> byId = new HashMap<>();
        h.acquired.forEach(a -> byId.computeIfAbsent(a.id(), k -> new ArrayList<>()).add(a));
        for (Acquired a : h.acquired) {
            if (a.attempt() == 1 || a.genBefore() != a.genAfter() || a.genBefore() % 2 != 0) {
                continue;
            }
            boolean follows = byId.get(a.id()).stream()
                    .anyMatch(p -> p.attempt() == a.attempt() - 1 && p.mayBeOf(a.genBefore()));
            if (!follows) {
                violations.add("message " + a.id() + " delivery " + a.attempt() + " in incarnation " + a.genBefore() / 2
                        + " without a delivery " + (a.attempt() - 1) + " of that incarnation (state carried over?)");
            }
        }
        // 4. the last incarnation, left alone, finishes every message exactly once
        Map<Long, Integer> lastAcks = new HashMap<>();
        for (Answered a : h.answered) {
            // a delivery returned once the last incarnation existed (begun perhaps while it was made)
            if (a.kind().equals("ack") && a.delivery().genAfter() == lastGeneration) {
                lastAcks.merge(a.delivery().id(), 1, Integer::sum);
            }
        }
        for (long id : produced) {
            int n = lastAcks.getOrDefault(id, 0);
            if (n != 1) {
                violations.add("message " + id + " acked " + n + " times in the last incarnation");
            }
        }
        return violations.size() > 20 ? violations.subList(0, 20) : violations;
    }
}
