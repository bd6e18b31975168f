package io.rocksmq.stress.bench;

import io.rocksmq.core.RocksMq;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Notify throughput while another thread destroys and re-creates groups of the same topic: the real
 * design (notify enters the group's lifecycle, takes no lock) against {@link GlobalLockRocksMq}.
 * Two threads (the machine has two cores): one notifies a random live group, one churns.
 *
 * <p>Run: {@code mvn -o -pl rocksmq-stress -am -DskipTests -Pjmh verify -Djmh.args='ChurnBenchmark'}.
 *
 * <p>Thread-safe as JMH uses it: the queue is shared, each thread has its own cursor.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Group)
public class ChurnBenchmark {
    private static final String TOPIC = "bench";
    private static final int GROUPS = 16;

    @Param({"lock-free", "global-lock"})
    public String design;

    private Path dir;
    private RocksMq mq;
    private GlobalLockRocksMq locked;
    private final String[] names = new String[GROUPS];

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("rocksmq-jmh");
        mq = RocksMq.open(dir);
        locked = new GlobalLockRocksMq(mq);
        mq.createTopic(TOPIC);
        for (int i = 0; i < GROUPS; i++) {
            names[i] = "g" + i;
            mq.createConsumerGroup(TOPIC, names[i]);
            mq.registerConsumer(TOPIC, names[i]);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        mq.close();
        Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }

    /** Per-thread cursor, so the two threads do not share a counter. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    @Group("churn")
    @GroupThreads(1)
    public void notifyGroup(Cursor c) {
        String g = names[c.next++ & (GROUPS - 1)];
        if (design.equals("lock-free")) {
            mq.notifyGroup(TOPIC, g);
        } else {
            locked.notifyGroup(TOPIC, g);
        }
    }

    @Benchmark
    @Group("churn")
    @GroupThreads(1)
    public void destroyCreateRegister(Cursor c) {
        String g = names[c.next++ & (GROUPS - 1)];
        if (design.equals("lock-free")) {
            mq.destroyConsumerGroup(TOPIC, g);
            mq.createConsumerGroup(TOPIC, g);
            mq.registerConsumer(TOPIC, g);
        } else {
            locked.destroyConsumerGroup(TOPIC, g);
            locked.createConsumerGroup(TOPIC, g);
            locked.registerConsumer(TOPIC, g);
        }
    }
}
