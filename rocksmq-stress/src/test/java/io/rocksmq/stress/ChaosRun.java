package io.rocksmq.stress;

import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.core.AwaitResult;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.ConsumerRegistration;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.stress.ChaosHistory.GroupLog;
import io.rocksmq.stress.ChaosHistory.Recorder;
import io.rocksmq.stress.ChaosHistory.Segment;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One chaos episode on a real {@link RocksMq}: worker threads mix produce, consume, seek,
 * create/destroy/re-create, register/await/close, notify and exists on a few topics, while one "tail"
 * consumer per topic runs the documented drain-then-await loop with a long timeout (no polling). Then
 * the workers stop, the tails must catch up (a lost wake-up would leave one stuck), the live groups
 * are drained, the queue is closed, and {@link ChaosHistory} checks the recorded history.
 *
 * <p>Create, destroy and seek of one group name are serialised on the test side; for "checked"
 * groups they also exclude that group's consumes (so each consume is attributed to one incarnation
 * and checked for loss, duplicates and order), for "wild" groups nothing does (see
 * {@link ChaosHistory}). Everything else races freely. Not thread-safe: one episode per instance.
 */
final class ChaosRun {
    /** A bounded operation that has not returned after this long is stuck. */
    static final Duration STUCK = Duration.ofSeconds(60);

    record Settings(long seed, int workers, int topics, int groupsPerTopic, int wildGroupsPerTopic, Duration length) {
    }

    private final Settings settings;
    private final RocksMq mq;
    private final String[] topics;
    private final ChaosHistory history;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

    private ChaosRun(Settings settings, RocksMq mq, String[] topics, ChaosHistory history) {
        this.settings = settings;
        this.mq = mq;
        this.topics = topics;
        this.history = history;
    }

    /** Runs one episode in {@code dir}; returns the history, already checked. */
    static ChaosHistory episode(Path dir, Settings s, Map<String, Long> totals) throws Exception {
        try (RocksMq mq = RocksMq.open(dir)) {
            String[] topics = new String[s.topics()];
            long[] firstIds = new long[s.topics()];
            for (int t = 0; t < topics.length; t++) {
                topics[t] = "topic-" + t;
                mq.createTopic(topics[t]);
            }
            ChaosHistory history = new ChaosHistory(firstIds);
            Recorder setup = history.newRecorder();
            for (int t = 0; t < topics.length; t++) {
                firstIds[t] = mq.produce(topics[t], List.of(message(1L << 40)))[0];
                setup.produced(t, firstIds[t], 1, 1L << 40);
            }
            for (int t = 0; t < topics.length; t++) {
                for (int k = 0; k <= s.groupsPerTopic() + s.wildGroupsPerTopic(); k++) {
                    boolean wild = k > s.groupsPerTopic();
                    String name = k == s.groupsPerTopic() ? "tail" : (wild ? "wild" : "g") + k;
                    mq.createConsumerGroup(topics[t], name);
                    history.groups.add(new GroupLog(history.groups.size(), t, name, firstIds[t], wild));
                }
            }
            ChaosRun run = new ChaosRun(s, mq, topics, history);
            run.run();
            run.counters.forEach((k, v) -> totals.merge(k, v.sum(), Long::sum));
            return history;
        }
    }

    private boolean isTail(GroupLog g) {
        return g.name.equals("tail");
    }

    private void run() throws Exception {
        List<Thread> tails = new ArrayList<>();
        AtomicLong[] tailTaken = new AtomicLong[topics.length];
        for (GroupLog g : history.groups) {
            if (isTail(g)) {
                AtomicLong taken = new AtomicLong();
                tailTaken[g.topic] = taken;
                ConsumerRegistration reg = mq.registerConsumer(topics[g.topic], g.name);
                Recorder rec = history.newRecorder();
                tails.add(start("tail-" + g.topic, () -> tailLoop(g, reg, rec, taken)));
            }
        }
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < settings.workers(); w++) {
            SplittableRandom random = new SplittableRandom(settings.seed() * 1_000_003L + w);
            Recorder rec = history.newRecorder();
            int id = w;
            workers.add(start("worker-" + w, () -> workerLoop(id, random, rec)));
        }
        Thread.sleep(settings.length().toMillis());
        stop.set(true);
        for (Thread w : workers) {
            joinOrReport(w);
        }
        long[] latest = new long[topics.length];
        for (int t = 0; t < topics.length; t++) {
            latest[t] = mq.latestMessageId(topics[t]);
            long need = latest[t] - history.firstIds[t] + 1;
            long deadline = System.nanoTime() + STUCK.toNanos();
            while (tailTaken[t].get() < need && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
            }
            if (tailTaken[t].get() < need) {
                history.violation("tail consumer of " + topics[t] + " stuck at " + tailTaken[t].get() + "/" + need
                        + " messages after producers stopped (lost wake-up?)\n" + StackDump.all());
            }
            int topic = t;
            GroupLog tail = history.groups.stream().filter(g -> isTail(g) && g.topic == topic).findFirst()
                    .orElseThrow();
            tail.epoch.incrementAndGet();
            mq.destroyConsumerGroup(topics[t], "tail"); // ends its registration: the loop returns
            tail.segments.add(new Segment(false, 0, 0, "destroyed"));
            tail.epoch.incrementAndGet();
        }
        for (Thread t : tails) {
            joinOrReport(t);
        }
        boolean[] drained = new boolean[history.groups.size()];
        Recorder drain = history.newRecorder();
        for (GroupLog g : history.groups) {
            if (!isTail(g) && g.live) {
                drained[g.index] = !g.wild;
                while (consume(g, 64, drain) > 0) {
                    count("drained");
                }
            }
        }
        history.check(latest, drained);
    }

    private void tailLoop(GroupLog g, ConsumerRegistration reg, Recorder rec, AtomicLong taken) {
        try (reg) {
            while (true) {
                int n = consume(g, 64, rec);
                if (n > 0) {
                    taken.addAndGet(n);
                    continue;
                }
                AwaitResult r = reg.await(Duration.ofMinutes(10));
                count("tail await " + r);
                if (r.isTerminal()) {
                    if (r != AwaitResult.GROUP_DESTROYED || !stop.get()) {
                        history.violation("tail of " + topics[g.topic] + " ended with " + r);
                    }
                    return;
                }
            }
        } catch (ConsumerGroupNotFoundException e) {
            if (!stop.get()) {
                history.violation("tail consume failed while its group lives: " + e);
            }
        }
    }

    private void workerLoop(int id, SplittableRandom random, Recorder rec) {
        List<Held> held = new ArrayList<>();
        int seq = 0;
        List<GroupLog> churn = history.groups.stream().filter(g -> !isTail(g)).toList();
        while (!stop.get()) {
            int op = random.nextInt(100);
            GroupLog g = churn.get(random.nextInt(churn.size()));
            String topic = topics[g.topic];
            try {
                if (op < 30) {
                    int t = random.nextInt(topics.length);
                    int n = 1 + random.nextInt(4);
                    long tagBase = ((long) (id + 2) << 40) | ((long) seq << 3);
                    seq++;
                    List<ProducerMessage> batch = new ArrayList<>(n);
                    for (int k = 0; k < n; k++) {
                        batch.add(message(tagBase + k));
                    }
                    long[] ids = mq.produce(topics[t], batch);
                    rec.produced(t, ids[0], n, tagBase);
                    count("produced messages", n);
                } else if (op < 60) {
                    consume(g, 1 + random.nextInt(32), rec);
                } else if (op < 68) {
                    mq.notifyGroup(topic, g.name);
                    count("notify");
                } else if (op < 72) {
                    long e1 = g.epoch.get();
                    boolean exists = mq.consumerGroupExists(topic, g.name);
                    rec.record(exists ? ChaosHistory.KIND_EXISTS_TRUE : ChaosHistory.KIND_EXISTS_FALSE, g, e1,
                            g.epoch.get(), 0, 0, 0);
                } else if (op < 90) {
                    registrations(g, random, held);
                } else {
                    admin(g, random);
                }
            } catch (RuntimeException e) {
                history.violation(Thread.currentThread().getName() + ": unexpected " + e + "\n" + stack(e));
            }
        }
        for (Held h : held) {
            h.reg.close();
            AwaitResult r = h.reg.await(Duration.ZERO);
            if (!r.isTerminal()) {
                history.violation("closed registration still live: " + r);
            }
        }
    }

    /** Consumes once, recording the run (or 'not found') with the epochs around it; returns the count. */
    private int consume(GroupLog g, int max, Recorder rec) {
        if (g.wild) {
            return consumeRecorded(g, max, rec);
        }
        g.admin.readLock().lock();
        try {
            return consumeRecorded(g, max, rec);
        } finally {
            g.admin.readLock().unlock();
        }
    }

    private int consumeRecorded(GroupLog g, int max, Recorder rec) {
        long e1 = g.epoch.get();
        List<ConsumerMessage> got;
        try {
            got = mq.consume(topics[g.topic], g.name, max);
        } catch (ConsumerGroupNotFoundException e) {
            rec.record(ChaosHistory.KIND_NOT_FOUND, g, e1, g.epoch.get(), 0, 0, 0);
            count("consume: not found");
            return 0;
        }
        long e2 = g.epoch.get();
        if (got.isEmpty()) {
            count("consume: empty");
            return 0;
        }
        long first = got.get(0).id();
        long hash = 0;
        for (int i = 0; i < got.size(); i++) {
            ConsumerMessage m = got.get(i);
            if (m.id() != first + i) {
                history.violation(g.name + ": one consume returned non-consecutive ids " + first + ", " + m.id());
            }
            hash = ChaosHistory.hashStep(hash, ByteBuffer.wrap(m.payload()).getLong());
        }
        rec.record(g.wild ? ChaosHistory.KIND_WILD_RUN : ChaosHistory.KIND_RUN, g, e1, e2, first, got.size(), hash);
        count("consumed messages", got.size());
        return got.size();
    }

    private record Held(ConsumerRegistration reg, GroupLog group, long destroysEndedBefore) {
    }

    private void registrations(GroupLog g, SplittableRandom random, List<Held> held) {
        int what = random.nextInt(10);
        if (held.isEmpty() || (what < 3 && held.size() < 3)) {
            long destroysEndedBefore = g.destroysEnded.get();
            try {
                held.add(new Held(mq.registerConsumer(topics[g.topic], g.name), g, destroysEndedBefore));
                count("register");
            } catch (ConsumerGroupNotFoundException e) {
                count("register: not found");
            }
            return;
        }
        Held h = held.get(random.nextInt(held.size()));
        if (what == 9) {
            h.reg.close();
            expectTerminal(h, h.reg.await(Duration.ZERO), AwaitResult.UNREGISTERED);
            held.remove(h);
            return;
        }
        AwaitResult r = h.reg.await(Duration.ofNanos(random.nextLong(2_000_000)));
        count("await " + r);
        if (r.isTerminal()) {
            expectTerminal(h, r, AwaitResult.GROUP_DESTROYED);
            if (h.reg.await(Duration.ZERO) != r) {
                history.violation("terminal await result changed from " + r);
            }
            held.remove(h);
        }
    }

    private void expectTerminal(Held h, AwaitResult r, AwaitResult allowedBesidesDestroyed) {
        if (r == AwaitResult.GROUP_DESTROYED) {
            if (h.group.destroysBegun.get() <= h.destroysEndedBefore) {
                history.violation(h.group.name + ": await says GROUP_DESTROYED but no destroy began after"
                        + " the registration");
            }
        } else if (r != allowedBesidesDestroyed) {
            history.violation(h.group.name + ": registration ended with " + r);
        }
    }

    private void admin(GroupLog g, SplittableRandom random) {
        if (!g.admin.writeLock().tryLock()) {
            return;
        }
        try {
            String topic = topics[g.topic];
            int what = random.nextInt(10);
            if (g.live && what == 0) {
                try {
                    mq.createConsumerGroup(topic, g.name);
                    history.violation(g.name + ": created although it exists");
                } catch (ConsumerGroupExistsException expected) {
                    count("create: exists");
                }
                return;
            }
            if (!g.live && what == 1) {
                mq.destroyConsumerGroup(topic, g.name); // unknown group: a no-op, no new segment
                count("destroy: unknown");
                return;
            }
            g.epoch.incrementAndGet();
            Segment next = null;
            try {
                if (!g.live) {
                    mq.createConsumerGroup(topic, g.name);
                    next = new Segment(true, history.firstIds[g.topic], history.firstIds[g.topic], "re-created");
                    count("create");
                } else if (what < 5) {
                    g.destroysBegun.incrementAndGet();
                    mq.destroyConsumerGroup(topic, g.name);
                    g.destroysEnded.incrementAndGet();
                    next = new Segment(false, 0, 0, "destroyed");
                    count("destroy");
                } else if (what < 7) {
                    long latest = mq.latestMessageId(topic);
                    long target = history.firstIds[g.topic]
                            + random.nextLong(latest - history.firstIds[g.topic] + 3);
                    mq.seek(topic, g.name, target);
                    // A seek past the stored end lands just after it (at least latest + 1, read before the
                    // seek; more if produces landed meanwhile); anything else lands exactly on the target.
                    next = new Segment(true, Math.min(target, latest + 1), target, "seek(" + target + ")");
                    count("seek");
                } else if (what < 9) {
                    long before = mq.latestMessageId(topic);
                    mq.seekToLatest(topic, g.name);
                    long after = mq.latestMessageId(topic);
                    next = new Segment(true, before + 1, after + 1, "seekToLatest");
                    count("seekToLatest");
                } else {
                    mq.seekToTimestamp(topic, g.name, 0);
                    next = new Segment(true, history.firstIds[g.topic], history.firstIds[g.topic], "seekToTimestamp(0)");
                    count("seekToTimestamp");
                }
            } finally {
                if (next == null) {
                    history.violation(g.name + ": admin operation failed; history after it is not checkable");
                    next = new Segment(g.live, Long.MIN_VALUE, Long.MAX_VALUE, "failed");
                }
                g.live = next.live();
                g.segments.add(next);
                g.epoch.incrementAndGet();
            }
        } finally {
            g.admin.writeLock().unlock();
        }
    }

    private static ProducerMessage message(long tag) {
        return ProducerMessage.of(ByteBuffer.allocate(8).putLong(tag).array());
    }

    private void count(String what) {
        count(what, 1);
    }

    private void count(String what, long n) {
        counters.computeIfAbsent(what, k -> new LongAdder()).add(n);
    }

    static Map<String, Long> newTotals() {
        return new TreeMap<>();
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void joinOrReport(Thread t) throws InterruptedException {
        t.join(STUCK.toMillis());
        if (t.isAlive()) {
            history.violation("thread " + t.getName() + " stuck for " + STUCK + ":\n" + StackDump.all());
        }
    }

    private static String stack(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
