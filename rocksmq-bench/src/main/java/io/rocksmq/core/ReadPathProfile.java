package io.rocksmq.core;

import io.rocksmq.bench.peer.Dirs;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A diagnostic, not a benchmark of record: breaks the W4 read path (one group reading back 100 B
 * messages produced in batches of 100, 1,000 per call) into its layers, side by side in one JVM on one
 * database: {@link RocksMq#consume} (read + position write), {@link RocksMq#read} (no position),
 * {@link MessageReader#read} (no name lookups or lifecycle), and a raw scan of the same entries with one
 * iterator kept open (the raw value-per-batch peer's read). More variants, named in the fourth argument:
 * {@code cursor} (consume's read through a group cursor, without the position write), {@code group-consume}
 * and {@code group-consume-interval} (ConsumerGroup.consume without the facade, with no position commit
 * interval and with 1 s), {@code group-consume-touch} (as {@code group-consume}, every payload viewed as
 * {@code consume-touch} does), {@code fanout} and {@code fanout-interval} (W7 in one thread: 100 groups
 * consuming in step, the rate printed per group), {@code raw-nofill},
 * {@code raw-readahead}, {@code raw-async} (the raw scan with one read option changed) and
 * {@code raw-bytebuffer} (the raw scan reading into one reused direct buffer), {@code raw-touch} (the raw
 * scan reading each message's length and first payload byte, as the harness's raw peer's W4 reader does;
 * {@code raw-touch-nofill} the same without filling the block cache, as that peer reads since round three),
 * {@code split-slow} (consume's read and its position write timed apart: total and calls over 1 ms of
 * each), {@code put-bytes}, {@code put-direct}, {@code put-batch} (the position write alone, one per
 * 1,000 messages: a put of arrays, of direct buffers, a reused {@code WriteBatch}). With
 * {@code -Dstalls=1} RocksDB's own count of write stalls is printed after each variant.
 *
 * <p>On a busy machine compare messages per CPU-second (msgs/s divided by the thread's CPU share), and
 * only between variants of one run: wall-clock rates there measure the other processes.
 *
 * <p>Usage: {@code ReadPathProfile [messages, default 2000000] [rounds, default 3] [warm] [variants] [fresh]}
 * (any third argument: first write, read and destroy a warm-up topic, as the harness does; {@code fresh}:
 * each variant reads a topic produced just before it, as the harness's W4 reads W1's, instead of one
 * topic written once and long since flushed).
 *
 * <p>Not thread-safe; a command-line program.
 */
public final class ReadPathProfile {
    private static final int BATCH = 100;
    private static final int READ = 1000;
    private static final int FAN_OUT = 100;

    private ReadPathProfile() {
    }

    /** A raw scan of the topic's entries with one read option changed: {count, checksum}. */
    private static long[] rawScan(RocksStore store, long topicId, String variant) {
        long got = 0;
        long sum = 0;
        try (org.rocksdb.Slice lower = new org.rocksdb.Slice(StorageLayout.topicLowerBound(topicId));
             org.rocksdb.Slice upper = new org.rocksdb.Slice(StorageLayout.topicUpperBound(topicId));
             org.rocksdb.ReadOptions options = new org.rocksdb.ReadOptions().setIterateLowerBound(lower)
                     .setIterateUpperBound(upper)) {
            switch (variant) {
                case "raw-nofill" -> options.setFillCache(false);
                case "raw-readahead" -> options.setReadaheadSize(2 << 20);
                case "raw-async" -> options.setAsyncIo(true);
                default -> {
                }
            }
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(1 << 20);
            try (org.rocksdb.RocksIterator it = store.db().newIterator(store.messages(), options)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    if (variant.equals("raw-bytebuffer")) {
                        buffer.clear();
                        int n = it.value(buffer);
                        got += buffer.getInt(1);
                        sum += buffer.get(n - 1);
                    } else {
                        byte[] v = it.value();
                        got += BatchFormat.batchCount(v);
                        sum += v[v.length - 1];
                    }
                }
            }
        }
        return new long[] {got, sum};
    }

    /*
     * The per-message loops, each in a method of its own (as the harness's reader has it): inside main
     * they were compiled on-stack with the other variants' code and recompiled as variants alternated.
     */

    /** Every message's payload viewed through {@code payloadBuffer()}, as the harness's W4 reader does. */
    private static long touchAll(List<ConsumerMessage> m) {
        long sum = 0;
        for (int i = 0, n = m.size(); i < n; i++) {
            ConsumerMessage c = m.get(i);
            sum += c.payloadBuffer().get(0) + c.payloadSize();
        }
        return sum;
    }

    /**
     * Walks a stored batch as the harness's raw peer walks its own (length, first payload byte, next),
     * skipping each message's properties (none here: a count of 0). Without expiry times.
     */
    private static long touchBatch(byte[] v) {
        long sum = 0;
        int pos = BatchFormat.BATCH_HEADER_BYTES;
        for (int i = 0, n = BatchFormat.batchCount(v); i < n; i++) {
            int length = StorageLayout.getInt(v, pos);
            sum += length + (length == 0 ? 0 : v[pos + 4]);
            pos += 4 + length + 2;
        }
        if (pos != v.length) {
            throw new IllegalStateException("not a batch of messages without properties or expiry");
        }
        return sum;
    }

    private static long sizeAll(List<ConsumerMessage> m) {
        long sum = 0;
        for (int i = 0, n = m.size(); i < n; i++) {
            sum += m.get(i).payloadSize();
        }
        return sum;
    }

    private static long copyAll(List<ConsumerMessage> m) {
        long sum = 0;
        for (int i = 0, n = m.size(); i < n; i++) {
            sum += m.get(i).payload()[0];
        }
        return sum;
    }

    /** Counts a call slower than 1 ms: {count, their nanos, slowest nanos, all calls' nanos}. */
    private static void slow(long[] acc, long nanos) {
        acc[3] += nanos;
        if (nanos > 1_000_000) {
            acc[0]++;
            acc[1] += nanos;
        }
        acc[2] = Math.max(acc[2], nanos);
    }

    /** RocksDB's own account of write stalls since open (the "Stall" lines of its DB stats). */
    private static void printStalls(RocksStore store) throws org.rocksdb.RocksDBException {
        for (String line : store.db().getProperty("rocksdb.stats").split("\n")) {
            if (line.contains("Cumulative stall") || line.contains("Interval stall")) {
                System.out.println("  rocksdb: " + line.trim());
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<ProducerMessage> messages = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < BATCH; i++) {
            byte[] p = new byte[100];
            random.nextBytes(p);
            messages.add(ProducerMessage.of(p));
        }
        messages = List.copyOf(messages);
        Path dir = Files.createTempDirectory("rocksmq-read-path");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // Retention off: later rounds read what earlier rounds' groups consumed.
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).defaultRetention(RetentionPolicy.KEEP_ALL).build())) {
            if (args.length > 2) { // as the harness does: a warm-up topic, read, destroyed
                mq.createTopic("warm");
                for (int sent = 0; sent < count; sent += BATCH) {
                    mq.produce("warm", messages, Durability.WAL);
                }
                mq.createConsumerGroup("warm", "g");
                while (!mq.consume("warm", "g", READ).isEmpty()) {
                }
                mq.destroyTopic("warm");

            }
            mq.createTopic("t");
            for (int sent = 0; sent < count; sent += BATCH) {
                mq.produce("t", messages, Durability.WAL);
            }
            Topic topic = mq.topicsForTest().get("t");
            long first = mq.earliestMessageId("t");
            boolean fresh = args.length > 4 && args[4].equals("fresh");
            System.out.println("variant, msgs/s, thread CPU share");
            for (int round = 0; round <= rounds; round++) {
                for (String variant : args.length > 3 ? List.of(args[3].split(",")) : List.of("consume", "read", "reader", "decode-scan", "raw-scan")) {
                    if (fresh) { // as the harness's W4: read what was just produced (memtables, flush running)
                        mq.destroyTopic("t");
                        mq.awaitSpaceReclaimed();
                        mq.createTopic("t");
                        for (int sent = 0; sent < count; sent += BATCH) {
                            mq.produce("t", messages, Durability.WAL);
                        }
                        topic = mq.topicsForTest().get("t");
                        first = mq.earliestMessageId("t");
                    }
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    long got = 0;
                    long sum = 0;
                    switch (variant) {
                        case "consume" -> {
                            String g = "g" + round;
                            mq.createConsumerGroup("t", g);
                            for (List<ConsumerMessage> m; !(m = mq.consume("t", g, READ)).isEmpty(); ) {
                                got += m.size();
                                sum += m.get(0).payload()[0];
                            }
                        }
                        case "consume-slow" -> { // counts consume calls slower than 1 ms
                            String g = variant + round;
                            mq.createConsumerGroup("t", g);
                            long slow = 0;
                            long slowest = 0;
                            long slowTotal = 0;
                            for (List<ConsumerMessage> m; ; ) {
                                long c0 = System.nanoTime();
                                m = mq.consume("t", g, READ);
                                long c = System.nanoTime() - c0;
                                if (m.isEmpty()) {
                                    break;
                                }
                                if (c > 1_000_000) {
                                    slow++;
                                    slowTotal += c;
                                }
                                slowest = Math.max(slowest, c);
                                got += m.size();
                            }
                            System.out.println("consume calls over 1 ms: " + slow + " (" + slowTotal / 1_000_000
                                    + " ms in all), slowest " + slowest / 1_000 + " us");
                        }
                        case "put-bytes", "put-direct", "put-batch" -> { // one position write per 1,000 messages, alone
                            byte[] key = StorageLayout.groupPositionKey(topic.id(), variant + round);
                            java.nio.ByteBuffer k = java.nio.ByteBuffer.allocateDirect(key.length).put(key).flip();
                            java.nio.ByteBuffer v = java.nio.ByteBuffer.allocateDirect(8);
                            try (org.rocksdb.WriteOptions wal = new org.rocksdb.WriteOptions();
                                 org.rocksdb.WriteBatch wb = new org.rocksdb.WriteBatch()) {
                                for (; got < count; got += READ) {
                                    switch (variant) {
                                        case "put-bytes" -> mq.store().db().put(mq.store().meta(), wal, key,
                                                StorageLayout.positionValue(got));
                                        case "put-direct" -> {
                                            v.clear().putLong(0, got);
                                            k.rewind();
                                            mq.store().db().put(mq.store().meta(), wal, k, v);
                                        }
                                        default -> {
                                            wb.clear();
                                            wb.put(mq.store().meta(), key, StorageLayout.positionValue(got));
                                            mq.store().db().write(wal, wb);
                                        }
                                    }
                                }
                            }
                        }
                        case "split-slow" -> { // consume's two parts timed apart: the read, the position write
                            ReadCursor cursor = new ReadCursor();
                            byte[] key = StorageLayout.groupPositionKey(topic.id(), "split" + round); // a group of no registry
                            long[] slowRead = new long[4];
                            long[] slowWrite = new long[4];
                            for (List<ConsumerMessage> m; ; ) {
                                long c0 = System.nanoTime();
                                m = MessageReader.read(mq.store(), topic, first + got, READ, cursor);
                                long c1 = System.nanoTime();
                                if (m.isEmpty()) {
                                    break;
                                }
                                got += m.size();
                                sum += touchAll(m);
                                long c2 = System.nanoTime();
                                mq.store().putMeta(key, StorageLayout.positionValue(first + got));
                                long c3 = System.nanoTime();
                                slow(slowRead, c1 - c0);
                                slow(slowWrite, c3 - c2);
                            }
                            cursor.close();
                            System.out.println("reads: " + slowRead[3] / 1_000_000 + " ms, " + slowRead[0]
                                    + " over 1 ms (" + slowRead[1] / 1_000_000 + " ms), slowest " + slowRead[2] / 1_000
                                    + " us; position writes: " + slowWrite[3] / 1_000_000 + " ms, " + slowWrite[0]
                                    + " over 1 ms (" + slowWrite[1] / 1_000_000 + " ms), slowest "
                                    + slowWrite[2] / 1_000 + " us");
                        }
                        case "consume-touch", "consume-copy", "consume-size" -> {
                            String g = variant + round;
                            mq.createConsumerGroup("t", g);
                            boolean copy = variant.equals("consume-copy");
                            boolean size = variant.equals("consume-size");
                            for (List<ConsumerMessage> m; !(m = mq.consume("t", g, READ)).isEmpty(); ) {
                                got += m.size();
                                sum += copy ? copyAll(m) : size ? sizeAll(m) : touchAll(m);
                            }
                        }
                        case "cursor" -> { // consume's read through a group cursor, without the position write
                            ReadCursor cursor = new ReadCursor();
                            for (List<ConsumerMessage> m; !(m = MessageReader.read(mq.store(), topic, first + got, READ, cursor)).isEmpty(); ) {
                                got += m.size();
                                sum += m.get(0).payload()[0];
                            }
                            cursor.close();
                        }
                        case "group-consume", "group-consume-interval", "group-consume-touch" -> {
                            // ConsumerGroup.consume itself; -touch views every payload, as consume-touch does
                            String g = variant + round;
                            mq.createConsumerGroup("t", g);
                            ConsumerGroup group = topic.groups().stream().filter(x -> x.name().equals(g)).findFirst()
                                    .orElseThrow();
                            long interval = variant.endsWith("interval") ? 1000 : 0;
                            boolean touch = variant.endsWith("touch");
                            for (List<ConsumerMessage> m; !(m = group.consume(mq.store(), topic, READ,
                                    System.currentTimeMillis(), interval)).isEmpty(); ) {
                                got += m.size();
                                sum += touch ? touchAll(m) : m.get(0).payload()[0];
                            }
                        }
                        case "fanout", "fanout-interval" -> { // W7 in one thread: 100 groups in step
                            long interval = variant.endsWith("interval") ? 1000 : 0;
                            List<ConsumerGroup> groups = new ArrayList<>();
                            for (int i = 0; i < FAN_OUT; i++) {
                                String g = variant + round + "-" + i;
                                mq.createConsumerGroup("t", g);
                                groups.add(topic.groups().stream().filter(x -> x.name().equals(g)).findFirst()
                                        .orElseThrow());
                            }
                            for (boolean more = true; more; ) {
                                more = false;
                                for (ConsumerGroup group : groups) {
                                    List<ConsumerMessage> m = group.consume(mq.store(), topic, READ,
                                            System.currentTimeMillis(), interval);
                                    if (!m.isEmpty()) {
                                        more = true;
                                        got += m.size();
                                        sum += m.get(0).payloadSize();
                                    }
                                }
                            }
                            got /= FAN_OUT; // the check below counts one group's messages
                        }
                        case "raw-nofill", "raw-readahead", "raw-async", "raw-bytebuffer" -> {
                            long[] r = rawScan(mq.store(), topic.id(), variant);
                            got = r[0];
                            sum = r[1];
                        }
                        case "read" -> {
                            for (List<ConsumerMessage> m; !(m = mq.read("t", first + got, READ)).isEmpty(); ) {
                                got += m.size();
                                sum += m.get(0).payload()[0];
                            }
                        }
                        case "reader" -> {
                            for (List<ConsumerMessage> m; !(m = MessageReader.read(mq.store(), topic, first + got, READ)).isEmpty(); ) {
                                got += m.size();
                                sum += m.get(0).payload()[0];
                            }
                        }
                        case "decode-scan" -> {
                            try (RocksStore.Range range = mq.store().range(mq.store().messages(),
                                    StorageLayout.topicLowerBound(topic.id()), StorageLayout.topicUpperBound(topic.id()))) {
                                range.it.seekToFirst();
                                while (range.it.isValid()) {
                                    MessageList out = new MessageList(READ);
                                    while (range.it.isValid() && out.size() < READ) {
                                        BatchFormat.decodeBatch(range.it.value(),
                                                StorageLayout.messageKeyFirstId(range.it.key()), 0, READ, out);
                                        range.it.next();
                                    }
                                    got += out.size();
                                    sum += out.get(0).payload()[0];
                                }
                            }
                        }
                        case "raw-touch", "raw-touch-nofill" -> { // the raw scan touching each payload as the harness's raw peer does
                            byte[] lower = StorageLayout.topicLowerBound(topic.id());
                            byte[] upper = StorageLayout.topicUpperBound(topic.id());
                            try (RocksStore.Range range = variant.endsWith("nofill")
                                    ? mq.store().scanRange(mq.store().messages(), lower, upper) // as the raw peer now reads
                                    : mq.store().range(mq.store().messages(), lower, upper)) {
                                for (range.it.seekToFirst(); range.it.isValid(); range.it.next()) {
                                    byte[] v = range.it.value();
                                    got += BatchFormat.batchCount(v);
                                    sum += touchBatch(v);
                                }
                            }
                        }
                        default -> {
                            try (RocksStore.Range range = mq.store().range(mq.store().messages(),
                                    StorageLayout.topicLowerBound(topic.id()), StorageLayout.topicUpperBound(topic.id()))) {
                                for (range.it.seekToFirst(); range.it.isValid(); range.it.next()) {
                                    byte[] v = range.it.value();
                                    got += BatchFormat.batchCount(v);
                                    sum += v[v.length - 1];
                                }
                            }
                        }
                    }
                    long elapsed = System.nanoTime() - t0;
                    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                    if (System.getProperty("stalls") != null) {
                        printStalls(mq.store());
                    }
                    if (got != count) {
                        throw new IllegalStateException(variant + " read " + got);
                    }
                    if (round >= 0) {
                        System.out.println(String.format(Locale.ROOT, "%s, %.0f, %.3f (%d)", variant,
                                count / (elapsed / 1e9), (double) cpu / elapsed, sum & 1));
                    }
                }
            }
        } finally {
            Dirs.deleteTree(dir);
        }
    }
}
