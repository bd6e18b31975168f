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
import org.openjdk.jmh.annotations.Warmup;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Where the W1 produce path spends its time relative to the engine limit: the same batch of 100
 * messages of 100 bytes written in steps that add one of RocksMQ's costs at a time, on RocksMQ's own
 * RocksDB options. Time per batch.
 * <ul>
 *   <li>{@code PUT}: a pre-encoded batch value, one {@code db.put} (the raw value-per-batch peer);</li>
 *   <li>{@code WRITE_BATCH}: the same value through a reused {@link WriteBatch} and {@code db.write};</li>
 *   <li>{@code WRITE_BATCH_WITH_COUNTER}: plus the topic's id counter in the meta column family, as
 *       {@code Topic.append} writes it;</li>
 *   <li>{@code ENCODE_AND_WRITE}: plus {@link BatchFormat#encodeBatch} of the messages each time;</li>
 *   <li>{@code PRODUCE}: {@link RocksMq#produce} itself (validation, chunking, lifecycles, ids, signal).</li>
 * </ul>
 *
 * <p>Not thread-safe (JMH state, one thread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WritePathBenchmark {
    /** The step of the write path measured. */
    public enum Step {
        PUT, WRITE_BATCH, WRITE_BATCH_WITH_COUNTER, ENCODE_AND_WRITE, PRODUCE
    }

    @Param({"PUT", "WRITE_BATCH", "WRITE_BATCH_WITH_COUNTER", "ENCODE_AND_WRITE", "PRODUCE"})
    Step step;

    private Path dir;
    private RawEngine engine;
    private RocksMq mq;
    private WriteOptions walOnly;
    private WriteBatch batch;
    private List<ProducerMessage> messages;
    private byte[] value;
    private final byte[] counterKey = StorageLayout.topicCounterKey(1);
    private long nextId;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("rocksmq-jmh-write-path");
        SplittableRandom random = new SplittableRandom(7);
        List<ProducerMessage> m = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            byte[] p = new byte[100];
            for (int j = 0; j < p.length; j++) {
                p[j] = (byte) random.nextInt(256);
            }
            m.add(ProducerMessage.of(p));
        }
        messages = List.copyOf(m);
        value = BatchFormat.encodeBatch(messages, 0, messages.size());
        if (step == Step.PRODUCE) {
            mq = RocksMq.open(dir);
            mq.createTopic("t");
        } else {
            engine = RawEngine.open(dir);
            walOnly = new WriteOptions();
            batch = new WriteBatch();
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        if (mq != null) {
            mq.close();
        } else {
            batch.close();
            walOnly.close();
            engine.close();
        }
        Dirs.deleteTree(dir);
    }

    @Benchmark
    public long write() throws RocksDBException {
        long first = nextId;
        nextId += 100;
        switch (step) {
            case PUT -> engine.db().put(engine.messages(), walOnly, StorageLayout.messageKey(1, first), value);
            case WRITE_BATCH -> {
                batch.clear();
                batch.put(engine.messages(), StorageLayout.messageKey(1, first), value);
                engine.db().write(walOnly, batch);
            }
            case WRITE_BATCH_WITH_COUNTER -> {
                batch.clear();
                batch.put(engine.messages(), StorageLayout.messageKey(1, first), value);
                batch.put(engine.meta(), counterKey, StorageLayout.topicCounterValue(nextId, first, 0));
                engine.db().write(walOnly, batch);
            }
            case ENCODE_AND_WRITE -> {
                byte[] encoded = BatchFormat.encodeBatch(messages, 0, messages.size());
                BatchFormat.patchPublishTime(encoded, first);
                batch.clear();
                batch.put(engine.messages(), StorageLayout.messageKey(1, first), encoded);
                batch.put(engine.meta(), counterKey, StorageLayout.topicCounterValue(nextId, first, 0));
                engine.db().write(walOnly, batch);
            }
            case PRODUCE -> {
                return mq.produce("t", messages, Durability.WAL)[0];
            }
            default -> throw new AssertionError(step);
        }
        return first;
    }
}
