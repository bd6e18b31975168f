package io.rocksmq.bench.peer;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Chronicle Queue (open-source edition): one queue directory per topic, default roll cycle, one
 * excerpt per message written with {@code ExcerptAppender.writeBytes} (it has no batch API, so the
 * batch size does not apply), read with a plain tailer ({@code readingDocument}). The latency consumer
 * is a parked reader: when no excerpt is there it parks 1 µs (a spinning reader would burn a core).
 * Groups of W7 are independent tailers. Nothing is fsynced (memory-mapped files).
 *
 * <p>Not thread-safe (see {@link QueueDriver}); appenders and tailers stay on the thread that made them.
 */
public final class ChronicleDriver implements QueueDriver {
    /** How long the latency reader parks when it finds nothing. */
    public static final long READER_PARK_NANOS = 1_000;

    private final Path directory;
    private final Map<String, ChronicleQueue> queues = new HashMap<>();

    public ChronicleDriver(Path directory) {
        this.directory = directory;
    }

    @Override
    public void createTopic(String topic) {
        queues.computeIfAbsent(topic, t -> ChronicleQueue.singleBuilder(directory.resolve(t)).build());
    }

    private ChronicleQueue queue(String topic) {
        ChronicleQueue q = queues.get(topic);
        if (q == null) {
            throw new IllegalArgumentException("no topic " + topic);
        }
        return q;
    }

    @Override
    public long produce(String topic, Payloads payloads, int count, int batch) {
        ChronicleQueue q = queue(topic);
        BytesStore<?, ?>[] wrapped = new BytesStore<?, ?>[Payloads.POOL_SIZE];
        for (int i = 0; i < wrapped.length; i++) {
            wrapped[i] = BytesStore.wrap(payloads.get(i));
        }
        long start;
        try (ExcerptAppender appender = q.createAppender()) {
            start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                appender.writeBytes(wrapped[i % wrapped.length]);
            }
        }
        return System.nanoTime() - start;
    }

    @Override
    public long readAll(String topic, String reader, int count, int readBatch) {
        ChronicleQueue q = queue(topic);
        try (ExcerptTailer tailer = q.createTailer()) {
            long start = System.nanoTime();
            long checksum = read(tailer, count);
            long elapsed = System.nanoTime() - start;
            Blackhole.consume(checksum);
            return elapsed;
        }
    }

    /** Reads exactly {@code count} excerpts, failing if fewer are there. */
    private static long read(ExcerptTailer tailer, long count) {
        long checksum = 0;
        for (long i = 0; i < count; i++) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    throw new IllegalStateException("read " + i + " of " + count + " excerpts, then nothing");
                }
                Bytes<?> bytes = dc.wire().bytes();
                long length = bytes.readRemaining();
                checksum = Payloads.touch(checksum, (int) length, length == 0 ? 0 : bytes.readByte(bytes.readPosition()));
            }
        }
        return checksum;
    }

    @Override
    public void dropTopic(String topic) throws IOException {
        ChronicleQueue q = queues.remove(topic);
        if (q != null) {
            q.close();
        }
        Dirs.deleteTree(directory.resolve(topic));
    }

    @Override
    public LatencyChannel latencyChannel(String topic, LatencySink sink) throws InterruptedException {
        createTopic(topic);
        ChronicleQueue q = queue(topic);
        AtomicBoolean stop = new AtomicBoolean();
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
        Thread consumer = new Thread(() -> {
            try (ExcerptTailer tailer = q.createTailer()) {
                tailer.toEnd();
                ready.countDown();
                while (!stop.get()) {
                    boolean found;
                    try (DocumentContext dc = tailer.readingDocument()) {
                        found = dc.isPresent();
                        if (found) {
                            Bytes<?> b = dc.wire().bytes();
                            long p = b.readPosition();
                            long nanos = 0;
                            for (int i = 0; i < 8; i++) {
                                nanos = (nanos << 8) | (b.readByte(p + i) & 0xFF);
                            }
                            sink.received(nanos);
                        }
                    }
                    if (!found) {
                        LockSupport.parkNanos(READER_PARK_NANOS);
                    }
                }
            }
        }, "chronicle-latency-reader");
        consumer.start();
        ready.await();
        return new LatencyChannel() {
            private ExcerptAppender appender;
            private byte[] buffer;
            private BytesStore<?, ?> wrapped;

            @Override
            public void send(byte[] payload) {
                if (appender == null) {
                    appender = q.createAppender(); // on the producer thread, which keeps using it
                }
                if (buffer != payload) {
                    buffer = payload;
                    wrapped = BytesStore.wrap(payload);
                }
                appender.writeBytes(wrapped);
            }

            @Override
            public void close() throws InterruptedException {
                stop.set(true);
                consumer.join();
                if (appender != null) {
                    appender.close();
                }
            }
        };
    }

    @Override
    public long fanOut(String topic, int count, int groups, int readBatch, int threads) throws Exception {
        ChronicleQueue q = queue(topic);
        return Parallel.run(threads, t -> {
            int mine = 0;
            for (int g = t; g < groups; g += threads) {
                mine++;
            }
            ExcerptTailer[] tailers = new ExcerptTailer[mine];
            long[] got = new long[mine];
            try {
                for (int i = 0; i < mine; i++) {
                    tailers[i] = q.createTailer();
                }
                long checksum = 0;
                int done = 0;
                while (done < mine) {
                    for (int i = 0; i < mine; i++) {
                        if (got[i] >= count) {
                            continue;
                        }
                        long n = Math.min(readBatch, count - got[i]);
                        checksum += read(tailers[i], n);
                        got[i] += n;
                        if (got[i] >= count) {
                            done++;
                        }
                    }
                }
                Blackhole.consume(checksum);
            } finally {
                for (ExcerptTailer tailer : tailers) {
                    if (tailer != null) {
                        tailer.close();
                    }
                }
            }
        });
    }

    @Override
    public String settings() {
        return "ChronicleQueue.singleBuilder(dir).build() (default roll cycle), ExcerptAppender.writeBytes per message, "
                + "plain tailer readingDocument; W5 reader parks " + READER_PARK_NANOS + " ns when empty";
    }

    @Override
    public void close() {
        queues.values().forEach(ChronicleQueue::close);
        queues.clear();
    }
}
