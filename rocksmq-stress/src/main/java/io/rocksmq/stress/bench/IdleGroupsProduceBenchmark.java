package io.rocksmq.stress.bench;

import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Produce of one small message to a topic with 0 or 1,000 consumer groups, each with a registered
 * consumer that is not waiting: the notification every produce does must not cost per group.
 *
 * <p>Run: {@code mvn -o -pl rocksmq-stress -am -DskipTests -Pjmh verify -Djmh.args='IdleGroupsProduceBenchmark'}.
 *
 * <p>Single-threaded benchmark; the queue itself is thread-safe.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class IdleGroupsProduceBenchmark {
    private static final String TOPIC = "bench";

    @Param({"0", "1000"})
    public int groups;

    private Path dir;
    private RocksMq mq;
    private final List<ProducerMessage> one = List.of(ProducerMessage.of(new byte[64]));

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("rocksmq-jmh");
        mq = RocksMq.open(dir);
        mq.createTopic(TOPIC);
        for (int i = 0; i < groups; i++) {
            mq.createConsumerGroup(TOPIC, "g" + i);
            mq.registerConsumer(TOPIC, "g" + i);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        mq.close();
        Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }

    @Benchmark
    public long[] produce() {
        return mq.produce(TOPIC, one);
    }
}
