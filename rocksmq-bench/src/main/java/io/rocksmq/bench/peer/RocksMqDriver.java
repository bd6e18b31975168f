package io.rocksmq.bench.peer;

import io.rocksmq.core.AwaitResult;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.ConsumerRegistration;
import io.rocksmq.core.Durability;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RawEngine;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.RocksMqConfig;
import io.rocksmq.core.SharedGroup;
import io.rocksmq.core.SharedGroupOptions;
import io.rocksmq.core.client.RocksMqClient;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This queue, embedded, through the broker-level {@link RocksMq} API, with the default configuration
 * and one {@link Durability} for every produce.
 *
 * <p>Not thread-safe (see {@link QueueDriver}).
 */
public final class RocksMqDriver implements QueueDriver {
    private final Path directory;
    private final Durability durability;
    private final Duration commitInterval;
    private final boolean blobFiles;
    private RocksMq mq;

    public RocksMqDriver(Path directory, Durability durability) {
        this(directory, durability, Duration.ZERO);
    }

    /** As the default queue, with the opt-in position commit interval ({@code RocksMqConfig.positionCommitInterval}). */
    public RocksMqDriver(Path directory, Durability durability, Duration commitInterval) {
        this(directory, durability, commitInterval, false);
    }

    /** As above; with {@code blobFiles}, the BlobDB experiment ({@link RawEngine#useBlobFiles(RocksMq)}). */
    public RocksMqDriver(Path directory, Durability durability, Duration commitInterval, boolean blobFiles) {
        this.directory = directory;
        this.durability = durability;
        this.commitInterval = commitInterval;
        this.blobFiles = blobFiles;
        this.mq = open();
    }

    private RocksMq open() {
        RocksMq opened = RocksMq.open(RocksMqConfig.builder(directory).positionCommitInterval(commitInterval).build());
        if (blobFiles) {
            RawEngine.useBlobFiles(opened);
        }
        return opened;
    }

    @Override
    public void createTopic(String topic) {
        mq.createTopic(topic);
    }

    @Override
    public long produce(String topic, Payloads payloads, int count, int batch) {
        List<List<ProducerMessage>> batches = batches(payloads, batch);
        long start = System.nanoTime();
        int sent = 0;
        for (int b = 0; sent < count; b++) {
            List<ProducerMessage> messages = batches.get(b % batches.size());
            if (count - sent < batch) {
                messages = messages.subList(0, count - sent);
            }
            mq.produce(topic, messages, durability);
            sent += messages.size();
        }
        return System.nanoTime() - start;
    }

    /** Batches built from the pool up front, so producing allocates nothing in the harness. */
    private static List<List<ProducerMessage>> batches(Payloads payloads, int batch) {
        List<List<ProducerMessage>> out = new ArrayList<>();
        for (int first = 0; first + batch <= Payloads.POOL_SIZE || out.isEmpty(); first += batch) {
            List<ProducerMessage> messages = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                messages.add(ProducerMessage.of(payloads.get(first + i)));
            }
            out.add(List.copyOf(messages));
        }
        return out;
    }

    @Override
    public long readAll(String topic, String reader, int count, int readBatch) {
        String group = reader;
        if (!mq.consumerGroupExists(topic, group)) {
            mq.createConsumerGroup(topic, group);
        }
        long start = System.nanoTime();
        long checksum = 0;
        int got = 0;
        while (got < count) {
            List<ConsumerMessage> messages = mq.consume(topic, group, readBatch);
            if (messages.isEmpty()) {
                throw new IllegalStateException("read " + got + " of " + count + " messages, then nothing");
            }
            for (int i = 0, n = messages.size(); i < n; i++) {
                checksum = touch(checksum, messages.get(i));
            }
            got += messages.size();
        }
        long elapsed = System.nanoTime() - start;
        Blackhole.consume(checksum);
        return elapsed;
    }

    /** Looks at the payload as the other peers' readers do: in place, without copying it. */
    private static long touch(long checksum, ConsumerMessage m) {
        int size = m.payloadSize();
        return Payloads.touch(checksum, size, size == 0 ? 0 : m.payloadBuffer().get(0));
    }

    @Override
    public void prepareReaders(String topic, List<String> readers) {
        for (String r : readers) {
            mq.createConsumerGroup(topic, r);
        }
    }

    @Override
    public void dropTopic(String topic) {
        mq.destroyTopic(topic);
        RawEngine.awaitSpaceReclaimed(mq);
    }

    @Override
    public long syncedProduce(String topic, Payloads payloads, int threads, int perThread) throws Exception {
        return Parallel.run(threads, t -> {
            List<ProducerMessage> one = List.of(ProducerMessage.of(payloads.get(t)));
            for (int i = 0; i < perThread; i++) {
                mq.produce(topic, one, durability);
            }
        });
    }

    /** W9 through the client API ({@code RocksMqClient.wrap} of this queue): a shared group of default settings. */
    @Override
    public WorkQueue.Result workQueue(String topic, Payloads payloads, int count, int workers, int poll)
            throws Exception {
        try (RocksMqClient client = RocksMqClient.wrap(mq)) {
            return WorkQueue.runOnClient(client, topic, "workers", payloads, count, workers, poll);
        }
    }

    @Override
    public org.HdrHistogram.Histogram redelivery(String topic, int rounds, Duration lock) {
        try (RocksMqClient client = RocksMqClient.wrap(mq)) {
            return WorkQueue.redeliveryOnClient(client, topic, rounds, lock);
        }
    }

    /**
     * W9 on the broker-level {@link SharedGroup} directly, the yardstick of the client API's cost: the
     * producer writes batches of {@code poll} with {@link RocksMq#produce}, each worker
     * {@link SharedGroup#acquire acquires} up to {@code poll} and {@link SharedGroup#ack acks} each.
     */
    public WorkQueue.Result workQueueDirect(String topic, Payloads payloads, int count, int workers, int poll)
            throws Exception {
        mq.createSharedGroup(topic, "workers", SharedGroupOptions.DEFAULTS);
        SharedGroup group = mq.sharedGroup(topic, "workers");
        WorkQueue run = new WorkQueue(count);
        return run.run(workers, "w9-direct-worker", h -> {
            while (run.running()) {
                for (SharedGroup.Delivery d : group.acquire(poll, Duration.ofMillis(100))) {
                    group.ack(d);
                    run.acked(h, d.message().payloadBuffer().getLong(0));
                }
            }
        }, () -> { }, () -> {
            for (int sent = 0; sent < count; sent += poll) {
                List<ProducerMessage> batch = new ArrayList<>(poll);
                for (int i = sent; i < Math.min(count, sent + poll); i++) {
                    batch.add(ProducerMessage.of(WorkQueue.stamped(payloads, i)));
                }
                mq.produce(topic, batch, durability);
            }
        });
    }

    /** Write-ahead-log fsyncs so far. */
    public long syncCount() {
        return RawEngine.walSyncCount(mq);
    }

    @Override
    public LatencyChannel latencyChannel(String topic, LatencySink sink) {
        String group = "latency";
        mq.createTopic(topic);
        mq.createConsumerGroup(topic, group);
        ConsumerRegistration registration = mq.registerConsumer(topic, group);
        AtomicBoolean stop = new AtomicBoolean();
        Thread consumer = new Thread(() -> {
            while (!stop.get()) {
                List<ConsumerMessage> messages = mq.consume(topic, group, 1000);
                for (int i = 0, n = messages.size(); i < n; i++) {
                    sink.received(Payloads.readNanos(messages.get(i).payload(), 0));
                }
                if (messages.isEmpty()) {
                    AwaitResult r = registration.await(Duration.ofSeconds(1));
                    if (r.isTerminal()) {
                        return;
                    }
                }
            }
        }, "rocksmq-latency-consumer");
        consumer.start();
        return new LatencyChannel() {
            @Override
            public void send(byte[] payload) {
                mq.produce(topic, List.of(ProducerMessage.of(payload)), durability);
            }

            @Override
            public void close() throws InterruptedException {
                stop.set(true);
                registration.close();
                consumer.join();
            }
        };
    }

    @Override
    public long fanOut(String topic, int count, int groups, int readBatch, int threads) throws Exception {
        for (int g = 0; g < groups; g++) {
            mq.createConsumerGroup(topic, "fan-" + g);
        }
        return Parallel.run(threads, t -> {
            List<String> mine = new ArrayList<>();
            for (int g = t; g < groups; g += threads) {
                mine.add("fan-" + g);
            }
            int[] got = new int[mine.size()];
            long checksum = 0;
            int done = 0;
            // Round-robin over this thread's groups, one call each, as independent consumers would.
            while (done < mine.size()) {
                for (int i = 0; i < mine.size(); i++) {
                    if (got[i] >= count) {
                        continue;
                    }
                    List<ConsumerMessage> messages = mq.consume(topic, mine.get(i), readBatch);
                    for (int m = 0, n = messages.size(); m < n; m++) {
                        checksum = touch(checksum, messages.get(m));
                    }
                    got[i] += messages.size();
                    if (got[i] >= count) {
                        done++;
                    } else if (messages.isEmpty()) {
                        throw new IllegalStateException("group " + mine.get(i) + " stalled at " + got[i]);
                    }
                }
            }
            Blackhole.consume(checksum);
        });
    }

    /**
     * W6: produces like {@link #produce} while another thread creates a group, registers a consumer on
     * it and destroys it, as fast as it can, on the same topic.
     *
     * @param cycles receives the number of create-register-destroy cycles done during the produce
     */
    public long produceWithChurn(String topic, Payloads payloads, int count, int batch, AtomicLong cycles)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        Thread churn = new Thread(() -> {
            for (long i = 0; !stop.get(); i++) {
                String group = "churn-" + i;
                mq.createConsumerGroup(topic, group);
                ConsumerRegistration r = mq.registerConsumer(topic, group);
                mq.destroyConsumerGroup(topic, group);
                r.close();
                done.incrementAndGet();
            }
        }, "rocksmq-group-churn");
        churn.start();
        long elapsed;
        try {
            elapsed = produce(topic, payloads, count, batch);
            cycles.set(done.get());
        } finally {
            stop.set(true);
            churn.join();
        }
        return elapsed;
    }

    /** W6's control: produces like {@link #produce} while another thread does nothing but burn CPU. */
    public long produceWithCpuBurner(String topic, Payloads payloads, int count, int batch) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        Thread burner = new Thread(() -> {
            long x = 1;
            while (!stop.get()) {
                for (int i = 0; i < 10_000; i++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                }
            }
            Blackhole.consume(x);
        }, "cpu-burner");
        burner.start();
        try {
            return produce(topic, payloads, count, batch);
        } finally {
            stop.set(true);
            burner.join();
        }
    }

    /** What W8 measured. */
    public record RestartResult(double createSeconds, double openSeconds, double heapMegabytes, int topics) {
    }

    /**
     * W8: creates {@code topics} topics with {@code groups} groups and one message each, closes the
     * queue, and measures reopening it and the heap it then holds (after full GCs).
     */
    public RestartResult restart(int topics, int groups) {
        long start = System.nanoTime();
        List<ProducerMessage> one = List.of(ProducerMessage.of(new byte[100]));
        for (int t = 0; t < topics; t++) {
            String topic = "topic-" + t;
            mq.createTopic(topic);
            for (int g = 0; g < groups; g++) {
                mq.createConsumerGroup(topic, "group-" + g);
            }
            mq.produce(topic, one, Durability.WAL);
        }
        double createSeconds = (System.nanoTime() - start) / 1e9;
        mq.close();
        mq = null;
        long before = usedHeapAfterGc();
        long openStart = System.nanoTime();
        mq = open();
        double openSeconds = (System.nanoTime() - openStart) / 1e9;
        long after = usedHeapAfterGc();
        int found = mq.topics().size();
        if (found != topics) {
            throw new IllegalStateException("reopened with " + found + " topics, expected " + topics);
        }
        return new RestartResult(createSeconds, openSeconds, (after - before) / 1e6, found);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Override
    public java.util.Map<String, Object> storageState() {
        return RawEngine.storageState(mq);
    }

    @Override
    public String settings() {
        return "RocksMq.open(dir) with " + (commitInterval.isZero() ? "defaults" : "positionCommitInterval " + commitInterval)
                + (blobFiles ? ", then messages CF setOptions enable_blob_files, min_blob_size=" + RawEngine.BLOB_MIN_BYTES
                        + ", no blob compression, blob GC on" : "")
                + " (" + mq.config() + "); produce(topic, batch, " + durability
                + "); consume(topic, group, readBatch); W5 consumer: registerConsumer + await(1 s) when empty";
    }

    @Override
    public void close() {
        if (mq != null) {
            mq.close();
        }
    }
}
