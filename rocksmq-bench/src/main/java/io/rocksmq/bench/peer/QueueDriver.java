package io.rocksmq.bench.peer;

import java.util.List;

import java.time.Duration;

/**
 * One peer, driven from inside its child JVM. Every measured method does its own setup first and
 * returns the nanoseconds of the measured part only, so that, e.g., a Kafka consumer group join is not
 * counted as reading. What "read" means is the same for all: each message's payload is made available
 * to the caller (an array or a view) and its length and first byte are folded into a checksum.
 *
 * <p>Not thread-safe: one worker thread calls it; methods that use more threads start and join them.
 */
public interface QueueDriver extends AutoCloseable {

    /** Creates a topic (a queue directory, a key range, ...), if the peer needs that done first. */
    void createTopic(String topic) throws Exception;

    /** Produces {@code count} messages in batches of {@code batch} (WAL level, no fsync); returns elapsed ns. */
    long produce(String topic, Payloads payloads, int count, int batch) throws Exception;

    /**
     * One consumer (group) named {@code reader} reads the topic from its start, {@code readBatch} per call;
     * returns elapsed ns. Another {@code reader} reads it again from the start (if {@link #rereadable}).
     */
    long readAll(String topic, String reader, int count, int readBatch) throws Exception;

    /**
     * Creates the named readers' groups (subscriptions) before any of them reads, where the queue deletes
     * what every existing group has read once the topic holds more than its retention size: a reader
     * created after the others had read the topic would find its start already gone.
     */
    default void prepareReaders(String topic, List<String> readers) throws Exception {
    }

    /** Whether a topic can be read more than once, by readers of other names (not a queue that consumes). */
    default boolean rereadable() {
        return true;
    }

    /** Frees what a warm-up topic holds, so the measured run does not pay for it. */
    default void dropTopic(String topic) throws Exception {
    }

    /** W3: each of {@code threads} threads produces {@code perThread} single messages, fsynced; returns elapsed ns. */
    default long syncedProduce(String topic, Payloads payloads, int threads, int perThread) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no synced produce");
    }

    /** W5: starts a consumer blocked on the topic, then returns the producer side. */
    default LatencyChannel latencyChannel(String topic, LatencySink sink) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no latency workload");
    }

    /**
     * W7: {@code groups} independent consumers each read all {@code count} messages of the topic,
     * {@code readBatch} per call, on {@code threads} threads; returns elapsed ns.
     */
    default long fanOut(String topic, int count, int groups, int readBatch, int threads) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no fan-out workload");
    }

    /**
     * W9, the work queue: {@code workers} consumers share one subscription (created before the first
     * send), one producer sends {@code count} messages stamped with their send time, and every message is
     * acknowledged on its own, each acknowledgement confirmed; polls take up to {@code poll} messages.
     */
    default WorkQueue.Result workQueue(String topic, Payloads payloads, int count, int workers, int poll)
            throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no work-queue workload");
    }

    /**
     * W9's redelivery after a worker dies: per round, the nanoseconds from the dead worker's receipt to the
     * live worker's, minus {@code lock} (see {@link WorkQueue#redeliveryOnClient}).
     */
    default org.HdrHistogram.Histogram redelivery(String topic, int rounds, Duration lock) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no lock-expiry redelivery");
    }

    /**
     * For the RocksDB-based peers, the state of the storage a read is about to meet (see
     * {@code RawEngine.storageState}); empty for the others.
     */
    default java.util.Map<String, Object> storageState() {
        return java.util.Map.of();
    }

    /** CPU time used by processes the driver started (a broker), zero if none. */
    default Duration helperCpu() {
        return Duration.ZERO;
    }

    /** A short description of the settings used, recorded in results.json. */
    String settings();

    @Override
    void close() throws Exception;
}
