package io.rocksmq.core;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The wake-up a produce does: {@link TopicSignal#signal()} with N registered consumers, when none is
 * parked (the common case under load: one increment and one read) and when all are (the
 * walk over the registrations; threads are not really parked, so this is the walk's cost without the
 * kernel's unpark). Also {@code RocksMq.notifyGroup}-style group signalling. Time per signal.
 *
 * <p>Not thread-safe (JMH state, one per thread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NotifyFanOutBenchmark {
    @Param({"1", "100", "1000"})
    int registrations;

    Topic topic;
    ConsumerGroup group;

    @Setup(Level.Trial)
    public void setUp() {
        topic = new Topic("bench", 1, 0, 0, 0, 0, new RecentReads.Budget(0));
        group = new ConsumerGroup("g", StorageLayout.groupPositionKey(1, "g"), 0);
        topic.addGroup(group);
        for (int i = 0; i < registrations; i++) {
            TopicRegistry.register(topic, group.name()); // the queue's own wiring
        }
    }

    @Benchmark
    public long signalNobodyParked() {
        topic.signal().signal();
        return topic.signal().sequence();
    }

    @Benchmark
    public long signalAllParked() {
        // Pretend every registration is between beforePark and afterPark: signal() must walk them all.
        TopicSignal s = topic.signal();
        s.beforePark();
        s.signal();
        s.afterPark();
        return s.sequence();
    }

    @Benchmark
    public long signalGroup() {
        group.signal();
        return group.signals();
    }
}
