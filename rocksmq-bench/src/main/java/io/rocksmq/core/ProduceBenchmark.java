package io.rocksmq.core;

import io.rocksmq.bench.peer.Dirs;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Id allocation and the write of a produce: {@link RocksMq#produce} (encode, enter, allocate ids under
 * the topic's lock, one WriteBatch with the id counter, signal) with WAL durability, on one topic or
 * one topic per thread (run with {@code -t 2} to see the topic lock contended). Time per produce call;
 * divide by the batch for time per message.
 *
 * <p>Thread-safe as the queue is; the JMH states are per benchmark and per thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class ProduceBenchmark {

    /** One queue shared by the benchmark's threads. */
    @State(Scope.Benchmark)
    public static class Queue {
        Path dir;
        RocksMq mq;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory("rocksmq-jmh-produce");
            mq = RocksMq.open(dir);
            mq.createTopic("shared");
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            mq.close();
            Dirs.deleteTree(dir);
        }
    }

    /** A thread's batch and its own topic. */
    @State(Scope.Thread)
    public static class Producer {
        @Param({"1", "100"})
        int batch;

        List<ProducerMessage> messages;
        String ownTopic;

        @Setup(Level.Trial)
        public void build(Queue queue) {
            SplittableRandom random = new SplittableRandom(Thread.currentThread().getId());
            messages = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                byte[] p = new byte[100];
                for (int j = 0; j < p.length; j++) {
                    p[j] = (byte) random.nextInt(256);
                }
                messages.add(ProducerMessage.of(p));
            }
            messages = List.copyOf(messages);
            ownTopic = "own-" + Thread.currentThread().getId();
            queue.mq.createTopic(ownTopic);
        }
    }

    @Benchmark
    public long[] produceSharedTopic(Queue queue, Producer producer) {
        return queue.mq.produce("shared", producer.messages, Durability.WAL);
    }

    @Benchmark
    public long[] produceOwnTopic(Queue queue, Producer producer) {
        return queue.mq.produce(producer.ownTopic, producer.messages, Durability.WAL);
    }
}
