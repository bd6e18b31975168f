package io.rocksmq.core;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The produce path's encoding: {@link BatchFormat#encodeBatch} of one produced batch, with and
 * without properties, and the chunk split that precedes it. Time per batch.
 *
 * <p>Not thread-safe (JMH state, one per thread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EncodeBenchmark {
    @Param({"1", "100"})
    int batch;

    @Param({"100", "1024"})
    int payload;

    @Param({"0", "2"})
    int properties;

    List<ProducerMessage> messages;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        messages = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            byte[] p = new byte[payload];
            for (int j = 0; j < p.length; j++) {
                p[j] = (byte) random.nextInt(256);
            }
            Map<String, String> props = properties == 0 ? Map.of() : Map.of("trace-id", "t-" + i, "source", "bench");
            messages.add(ProducerMessage.of(p, props));
        }
    }

    @Benchmark
    public byte[] encodeBatch() {
        return BatchFormat.encodeBatch(messages, 0, messages.size());
    }

    @Benchmark
    public List<int[]> chunks() {
        return BatchFormat.chunks(messages, RocksMqConfig.DEFAULT_MAX_BATCH_ENTRY_BYTES);
    }
}
