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
import java.util.concurrent.TimeUnit;

/**
 * The consume path's decoding: {@link BatchFormat#decodeBatch} of one stored batch into
 * {@link ConsumerMessage}s, from its start and from its middle (a position inside a batch). Time per
 * batch.
 *
 * <p>Not thread-safe (JMH state, one per thread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecodeBenchmark {
    private static final long FIRST_ID = 1_000_000;

    @Param({"100"})
    int batch;

    @Param({"100", "1024"})
    int payload;

    @Param({"0", "2"})
    int properties;

    byte[] encoded;

    @Setup
    public void setUp() {
        List<ProducerMessage> messages = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            Map<String, String> props = properties == 0 ? Map.of() : Map.of("trace-id", "t-" + i, "source", "bench");
            messages.add(ProducerMessage.of(new byte[payload], props));
        }
        encoded = BatchFormat.encodeBatch(messages, 0, batch);
        BatchFormat.patchPublishTime(encoded, 1_700_000_000_000L);
    }

    @Benchmark
    public long decodeWholeBatch() {
        return BatchFormat.decodeBatch(encoded, FIRST_ID, FIRST_ID, Integer.MAX_VALUE, new MessageList(batch));
    }

    @Benchmark
    public long decodeFromMiddle() {
        return BatchFormat.decodeBatch(encoded, FIRST_ID, FIRST_ID + batch / 2, Integer.MAX_VALUE, new MessageList(batch));
    }
}
