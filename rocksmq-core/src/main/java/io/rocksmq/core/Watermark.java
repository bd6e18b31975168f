package io.rocksmq.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The queue's own record of what it acknowledged, kept outside RocksDB so that a damaged or deleted
 * write-ahead log cannot take it along: file {@value #FILE} in the data directory, one line per topic
 * (internal id, first id, next id, name). At open, {@link RecoveryCheck} compares it with what RocksDB
 * recovered; any acknowledged id missing is a reported loss, never silent.
 *
 * <p>Written about once a second while anything changed, at {@code destroyTopic} and at close. Each
 * write first makes the write-ahead log durable up to the snapshot (through the queue's group
 * commit, so a failed fsync is never hidden), then replaces the file atomically (temporary file,
 * fsync, rename, directory fsync): the watermark never claims more than is on disk, so after power
 * loss too, anything below it that is missing was damaged or deleted, not merely unsynced.
 *
 * <p>Thread-safety: {@link #update()} is serialised by this object's monitor (the background thread,
 * destroyTopic and close may call it); {@link #close()} stops the thread once.
 */
final class Watermark implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Watermark.class);
    static final String FILE = "ROCKSMQ-WATERMARK";
    private static final String HEADER = "rocksmq-watermark 1";

    /** What one topic had acknowledged when the watermark was written. */
    record Entry(long topicId, String topic, long startId, long nextId) {
    }

    private final Path directory;
    private final Supplier<List<Entry>> snapshot;
    private final Runnable makeDurable;
    private final Duration period;
    private Thread thread;
    private volatile boolean stopped;
    /** The content last written; guarded by this. */
    private List<Entry> written;

    /**
     * @param snapshot    every live topic with the next id after its committed messages
     * @param makeDurable fsyncs the write-ahead log up to everything written so far; throws on failure
     */
    Watermark(Path directory, Supplier<List<Entry>> snapshot, Runnable makeDurable, Duration period) {
        this.directory = directory;
        this.snapshot = snapshot;
        this.makeDurable = makeDurable;
        this.period = period;
    }

    /** Starts the background writer. */
    void start() {
        thread = new Thread(this::run, "rocksmq-watermark");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!stopped) {
            try {
                TimeUnit.NANOSECONDS.sleep(period.toNanos());
            } catch (InterruptedException e) {
                return; // close() interrupts; it writes the final watermark itself
            }
            try {
                update();
            } catch (RuntimeException e) {
                LOG.warn("could not write the watermark in {} (tried again in {})", directory, period, e);
            }
        }
    }

    /** Writes the watermark if anything changed since the last write; makes the log durable first. */
    synchronized void update() {
        List<Entry> now = snapshot.get(); // taken before the fsync: everything in it is covered by it
        if (now.equals(written)) {
            return;
        }
        makeDurable.run();
        write(directory, now);
        written = now;
    }

    /** Stops the background writer; the caller writes the final watermark with {@link #update()}. */
    @Override
    public void close() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Replaces the file atomically and durably. */
    static void write(Path directory, List<Entry> entries) {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (Entry e : entries) {
            b.append(e.topicId()).append(' ').append(e.startId()).append(' ').append(e.nextId()).append(' ')
                    .append(Base64.getEncoder().encodeToString(e.topic().getBytes(StandardCharsets.UTF_8)))
                    .append('\n');
        }
        Path tmp = directory.resolve(FILE + ".tmp");
        Path target = directory.resolve(FILE);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException notSupported) {
                // some platforms cannot open a directory; the rename is then as durable as they allow
            }
        } catch (IOException e) {
            throw new io.rocksmq.api.StorageException("cannot write " + target, e.toString(), e);
        }
    }

    /**
     * The watermark in {@code directory} by topic id; empty when there is none (a queue from before
     * watermarks, or a new one). An unreadable file is logged and ignored: it can only hide a loss, never
     * invent one.
     */
    static Map<Long, Entry> read(Path directory) {
        Path file = directory.resolve(FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            LOG.warn("cannot read {}; losses of acknowledged messages cannot be checked: {}", file, e.toString());
            return Map.of();
        }
        Map<Long, Entry> entries = new HashMap<>();
        try {
            if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
                throw new IllegalArgumentException("unknown header");
            }
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(" ", -1);
                if (f.length != 4) {
                    throw new IllegalArgumentException("malformed line '" + line + "'");
                }
                long topicId = Long.parseLong(f[0]);
                entries.put(topicId, new Entry(topicId,
                        new String(Base64.getDecoder().decode(f[3]), StandardCharsets.UTF_8),
                        Long.parseLong(f[1]), Long.parseLong(f[2])));
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("{} is damaged ({}); losses of acknowledged messages cannot be checked", file, e.getMessage());
            return Map.of();
        }
        return entries;
    }

    /** The live topics as watermark entries, sorted by id (a stable content to compare). */
    static List<Entry> of(Iterable<Topic> topics) {
        List<Entry> entries = new ArrayList<>();
        for (Topic t : topics) {
            entries.add(new Entry(t.id(), t.name(), t.startId(), t.nextIdAfterCommitted()));
        }
        entries.sort((a, b) -> Long.compare(a.topicId(), b.topicId()));
        return entries;
    }
}
