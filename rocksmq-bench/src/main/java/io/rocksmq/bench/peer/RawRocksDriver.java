package io.rocksmq.bench.peer;

import io.rocksmq.core.RawEngine;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The storage engine's limit: RocksDB through rocksdbjni, opened with RocksMQ's own options and column
 * family ({@link RawEngine}), writing messages with nothing on top: no id counter, no metadata, no
 * publish time. Two layouts:
 * <ul>
 *   <li>{@link Layout#KEY_PER_MESSAGE}: key {@code [topic u64][id u64]}, value = payload; one
 *       {@link WriteBatch} per produced batch.</li>
 *   <li>{@link Layout#VALUE_PER_BATCH}: key {@code [topic u64][first id u64]}, value =
 *       {@code [count u32]} then {@code count x [length u32][payload]}; one put per batch.</li>
 * </ul>
 * Reads iterate the topic's key range with one iterator (no per-call re-seek, no block cache fill, as
 * our consumer groups read), {@code readBatch}
 * messages per call (a whole batch may overshoot it), and, for batches, walk the lengths without
 * copying payloads. Synced writes (W3) are single puts with {@code sync=true}.
 *
 * <p>Not thread-safe (see {@link QueueDriver}).
 */
public final class RawRocksDriver implements QueueDriver {
    static {
        RocksDB.loadLibrary(); // before the WriteOptions fields below are built
    }

    /** How messages map to RocksDB entries. */
    public enum Layout {
        KEY_PER_MESSAGE, VALUE_PER_BATCH
    }

    private final Layout layout;
    private final boolean blobFiles;
    /** Whether the reader writes its position after every read call, as a consumer that resumes must. */
    private final boolean persistPosition;
    private final RawEngine engine;
    private final RocksDB db;
    private final ColumnFamilyHandle cf;
    private final WriteOptions walOnly = new WriteOptions();
    private final WriteOptions synced = new WriteOptions().setSync(true);
    private final Map<String, Long> topicIds = new HashMap<>();

    public RawRocksDriver(Path directory, Layout layout) {
        this(directory, layout, false);
    }

    /** As above; with {@code blobFiles}, the BlobDB experiment ({@link RawEngine#useBlobFiles}). */
    public RawRocksDriver(Path directory, Layout layout, boolean blobFiles) {
        this(directory, layout, blobFiles, false);
    }

    /**
     * As above; with {@code persistPosition}, W4's reader also puts its position (the next id to read,
     * 8 bytes under a 16-byte key, in the meta column family, WAL, no sync) after every read call: what
     * a consumer that must resume where it stopped after a process crash writes, and what our
     * {@code consume} writes by default.
     */
    public RawRocksDriver(Path directory, Layout layout, boolean blobFiles, boolean persistPosition) {
        this.layout = layout;
        this.blobFiles = blobFiles;
        this.persistPosition = persistPosition;
        this.engine = RawEngine.open(directory);
        this.db = engine.db();
        this.cf = engine.messages();
        if (blobFiles) {
            RawEngine.useBlobFiles(db, cf);
        }
    }

    @Override
    public void createTopic(String topic) {
        topicIds.computeIfAbsent(topic, t -> (long) topicIds.size() + 1);
    }

    private long topicId(String topic) {
        Long id = topicIds.get(topic);
        if (id == null) {
            throw new IllegalArgumentException("no topic " + topic);
        }
        return id;
    }

    @Override
    public long produce(String topic, Payloads payloads, int count, int batch) throws RocksDBException {
        long topicId = topicId(topic);
        byte[] key = new byte[16];
        putLong(key, 0, topicId);
        int size = payloads.size();
        // Every payload has the same size, so one value buffer serves every full batch.
        byte[] value = new byte[4 + batch * (4 + size)];
        long start = System.nanoTime();
        try (WriteBatch wb = new WriteBatch()) {
            long id = 0;
            while (id < count) {
                int n = (int) Math.min(batch, count - id);
                if (layout == Layout.KEY_PER_MESSAGE) {
                    wb.clear();
                    for (int i = 0; i < n; i++) {
                        putLong(key, 8, id + i);
                        wb.put(cf, key, payloads.get(id + i));
                    }
                    db.write(walOnly, wb);
                } else {
                    byte[] v = n == batch ? value : new byte[4 + n * (4 + size)];
                    putInt(v, 0, n);
                    int pos = 4;
                    for (int i = 0; i < n; i++) {
                        putInt(v, pos, size);
                        System.arraycopy(payloads.get(id + i), 0, v, pos + 4, size);
                        pos += 4 + size;
                    }
                    putLong(key, 8, id);
                    db.put(cf, walOnly, key, v);
                }
                id += n;
            }
        }
        return System.nanoTime() - start;
    }

    @Override
    public long readAll(String topic, String reader, int count, int readBatch) throws RocksDBException {
        long topicId = topicId(topic);
        long start = System.nanoTime();
        long checksum;
        try (Cursor cursor = new Cursor(topicId)) {
            // readBatch per call, as a consumer handing out bounded chunks reads (and as our W4 does)
            checksum = 0;
            byte[] positionKey = lowerBound(topicId);
            while (cursor.read < count) {
                long before = cursor.read;
                checksum += cursor.read(Math.min(count, cursor.read + readBatch));
                if (cursor.read == before) {
                    throw new IllegalStateException("read " + cursor.read + " of " + count + " messages");
                }
                if (persistPosition) {
                    byte[] position = new byte[8];
                    putLong(position, 0, cursor.read);
                    db.put(engine.meta(), walOnly, positionKey, position);
                }
            }
        }
        long elapsed = System.nanoTime() - start;
        Blackhole.consume(checksum);
        return elapsed;
    }

    @Override
    public void dropTopic(String topic) throws RocksDBException {
        long topicId = topicId(topic);
        byte[] lower = lowerBound(topicId);
        byte[] upper = lowerBound(topicId + 1);
        db.deleteRange(cf, lower, upper);
        db.compactRange(cf, lower, upper);
    }

    @Override
    public long syncedProduce(String topic, Payloads payloads, int threads, int perThread) throws Exception {
        long topicId = topicId(topic);
        AtomicLong ids = new AtomicLong();
        return Parallel.run(threads, t -> {
            byte[] key = new byte[16];
            putLong(key, 0, topicId);
            byte[] payload = payloads.get(t);
            for (int i = 0; i < perThread; i++) {
                putLong(key, 8, ids.getAndIncrement());
                if (layout == Layout.KEY_PER_MESSAGE) {
                    db.put(cf, synced, key, payload);
                } else {
                    byte[] v = new byte[8 + payload.length];
                    putInt(v, 0, 1);
                    putInt(v, 4, payload.length);
                    System.arraycopy(payload, 0, v, 8, payload.length);
                    db.put(cf, synced, key, v);
                }
            }
        });
    }

    @Override
    public long fanOut(String topic, int count, int groups, int readBatch, int threads) throws Exception {
        long topicId = topicId(topic);
        return Parallel.run(threads, t -> {
            int mine = 0;
            for (int g = t; g < groups; g += threads) {
                mine++;
            }
            Cursor[] cursors = new Cursor[mine];
            try {
                for (int i = 0; i < mine; i++) {
                    cursors[i] = new Cursor(topicId);
                }
                long checksum = 0;
                int done = 0;
                while (done < mine) {
                    for (Cursor c : cursors) {
                        if (c.read >= count) {
                            continue;
                        }
                        long before = c.read;
                        checksum += c.read(Math.min(count, c.read + readBatch));
                        if (c.read >= count) {
                            done++;
                        } else if (c.read == before) {
                            throw new IllegalStateException("cursor stalled at " + c.read);
                        }
                    }
                }
                Blackhole.consume(checksum);
            } finally {
                for (Cursor c : cursors) {
                    if (c != null) {
                        c.close();
                    }
                }
            }
        });
    }

    /** One reader: a bounded iterator over a topic, kept open between calls. */
    private final class Cursor implements AutoCloseable {
        private final Slice lower;
        private final Slice upper;
        private final ReadOptions options;
        private final RocksIterator it;
        long read;

        Cursor(long topicId) {
            lower = new Slice(lowerBound(topicId));
            upper = new Slice(lowerBound(topicId + 1));
            // As our group cursors read (RocksStore's scan ranges): a catch-up scan reads each block once,
            // so filling the block cache with it only costs the insert and evicts what others read.
            options = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper).setFillCache(false);
            it = db.newIterator(cf, options);
            it.seekToFirst();
        }

        /** Reads on until {@code until} messages were read in total (a whole batch may overshoot). */
        long read(long until) throws RocksDBException {
            long checksum = 0;
            while (read < until && it.isValid()) {
                byte[] v = it.value();
                if (layout == Layout.KEY_PER_MESSAGE) {
                    checksum = Payloads.touch(checksum, v.length, v.length == 0 ? 0 : v[0]);
                    read++;
                } else {
                    int n = getInt(v, 0);
                    int pos = 4;
                    for (int i = 0; i < n; i++) {
                        int length = getInt(v, pos);
                        checksum = Payloads.touch(checksum, length, length == 0 ? 0 : v[pos + 4]);
                        pos += 4 + length;
                    }
                    read += n;
                }
                it.next();
            }
            it.status();
            return checksum;
        }

        @Override
        public void close() {
            it.close();
            options.close();
            upper.close();
            lower.close();
        }
    }

    @Override
    public java.util.Map<String, Object> storageState() {
        return RawEngine.storageState(db, cf);
    }

    @Override
    public String settings() {
        return "rocksdbjni " + RocksDB.rocksdbVersion() + ", RocksMQ's DBOptions/ColumnFamilyOptions (messages CF, LZ4), "
                + layout + (blobFiles ? ", messages CF setOptions enable_blob_files, min_blob_size="
                + RawEngine.BLOB_MIN_BYTES + ", no blob compression, blob GC on" : "")
                + ", WriteOptions sync=false (W3: sync=true, one put per message); reads: one iterator per consumer,"
                + " ReadOptions fillCache=false, readBatch messages per call"
                + (persistPosition ? ", W4: the position put (meta CF, WAL, no sync) after every read call" : "");
    }

    @Override
    public void close() {
        synced.close();
        walOnly.close();
        engine.close();
    }

    private static byte[] lowerBound(long topicId) {
        byte[] key = new byte[16];
        putLong(key, 0, topicId);
        return key;
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static int getInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }
}
