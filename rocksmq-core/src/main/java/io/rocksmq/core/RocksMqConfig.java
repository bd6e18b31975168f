package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Configuration of a {@link RocksMq}: built once with {@link #builder(Path)}, validated by
 * {@link Builder#build()}, immutable afterwards. Every default is a named constant below.
 *
 * <p>Thread-safe (immutable).
 */
public final class RocksMqConfig {
    /** Block cache shared by all column families: enough for a laptop. */
    public static final long DEFAULT_BLOCK_CACHE_BYTES = 64L << 20;
    /** Memtable size of the message column family; larger memtables mean fewer, bigger flushes. */
    public static final long DEFAULT_WRITE_BUFFER_BYTES = 64L << 20;
    public static final Compression DEFAULT_COMPRESSION = Compression.LZ4;
    public static final Durability DEFAULT_DURABILITY = Durability.WAL;
    /** A produced batch larger than this is stored as several entries (still in one atomic write). */
    public static final int DEFAULT_MAX_BATCH_ENTRY_BYTES = 1 << 20;
    /**
     * Largest message {@code produce} accepts by default: its payload plus the UTF-8 bytes of its
     * property keys and values (the client API's key included). A message is stored and read whole, so
     * every read of it holds that much heap.
     */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 << 20;
    /**
     * The most {@link Builder#maxMessageBytes(int)} may be set to: a stored batch is one Java array and
     * one RocksDB value, copied whole by each read, and with the default write buffer one such message
     * is already four memtables' worth.
     */
    public static final int MAX_MESSAGE_BYTES_LIMIT = 256 << 20;

    // Retention defaults (per topic; see RetentionPolicy). Sized for a laptop: a topic nobody reads
    // never takes more than DEFAULT_MAX_RETENTION_BYTES, and data every group has read goes away within
    // the hour. Data no group has read (or a topic without groups) is kept until a hard cap.
    /** Data every group has consumed is kept 1 hour (long enough to seek back after a mistake). */
    public static final long DEFAULT_RETENTION_TIME_MILLIS = Duration.ofHours(1).toMillis();
    /** ... and at most 64 MiB of it per topic. */
    public static final long DEFAULT_RETENTION_BYTES = 64L << 20;
    /** Hard cap: nothing, read or not, is kept longer than 7 days. */
    public static final long DEFAULT_MAX_RETENTION_TIME_MILLIS = Duration.ofDays(7).toMillis();
    /** Hard cap: no topic keeps more than 1 GiB, read or not. */
    public static final long DEFAULT_MAX_RETENTION_BYTES = 1L << 30;
    /** How often the background worker checks every topic (a topic over its byte cap is handled at once). */
    public static final Duration DEFAULT_RETENTION_INTERVAL = Duration.ofSeconds(10);
    /**
     * Granularity of the persisted retention index: one small record per this many bytes produced to a
     * topic; retention reads at most about this much to place a deletion exactly on an entry boundary.
     */
    public static final long DEFAULT_RETENTION_SEGMENT_BYTES = 1L << 20;

    private final Path directory;
    private final long blockCacheBytes;
    private final long writeBufferBytes;
    private final Compression compression;
    private final Durability durability;
    private final int maxBatchEntryBytes;
    private final int maxMessageBytes;
    private final Clock clock;
    private final RetentionPolicy defaultRetention;
    private final Duration retentionInterval;
    private final long retentionSegmentBytes;
    private final Duration positionCommitInterval;
    private final long positionCommitIntervalMillis;
    private final boolean readOnly;
    private final boolean follow;

    private RocksMqConfig(Builder b) {
        this.directory = b.directory;
        this.blockCacheBytes = b.blockCacheBytes;
        this.writeBufferBytes = b.writeBufferBytes;
        this.compression = b.compression;
        this.durability = b.durability;
        this.maxBatchEntryBytes = b.maxBatchEntryBytes;
        this.maxMessageBytes = b.maxMessageBytes;
        this.clock = b.clock;
        this.defaultRetention = new RetentionPolicy(b.retentionTime, b.retentionBytes, b.maxRetentionTime,
                b.maxRetentionBytes);
        this.retentionInterval = b.retentionInterval;
        this.retentionSegmentBytes = b.retentionSegmentBytes;
        this.positionCommitInterval = b.positionCommitInterval;
        this.positionCommitIntervalMillis = b.positionCommitInterval.getSeconds() >= Long.MAX_VALUE / 1000 - 1
                ? Long.MAX_VALUE : b.positionCommitInterval.toMillis();
        this.readOnly = b.readOnly || b.follow;
        this.follow = b.follow;
    }

    /** Starts a configuration for a queue stored in {@code directory} (created if missing). */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    public Path directory() {
        return directory;
    }

    public long blockCacheBytes() {
        return blockCacheBytes;
    }

    public long writeBufferBytes() {
        return writeBufferBytes;
    }

    public Compression compression() {
        return compression;
    }

    /** The durability of a {@code produce} call that does not name one. */
    public Durability durability() {
        return durability;
    }

    public int maxBatchEntryBytes() {
        return maxBatchEntryBytes;
    }

    /** The largest message {@code produce} accepts; see {@link #DEFAULT_MAX_MESSAGE_BYTES} for what is counted. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /**
     * Rejects a message larger than {@link #maxMessageBytes()}, as {@code produce} does: the check the
     * client API's producers make when a message is sent, so that one oversized message fails its own
     * send instead of the batch it would have been combined into.
     *
     * @throws InvalidArgumentException if the message is too large (or null)
     */
    public void checkMessageSize(ProducerMessage message) {
        if (message == null) {
            throw new InvalidArgumentException("message must not be null");
        }
        long bytes = BatchFormat.messageBytes(message);
        if (bytes > maxMessageBytes) {
            throw new InvalidArgumentException("message of " + bytes + " bytes (payload and properties) is larger than"
                    + " the queue's maximum of " + maxMessageBytes + " bytes (RocksMqConfig.maxMessageBytes)");
        }
    }

    /** The clock that stamps publish times and that time-based retention compares them to (injectable for tests). */
    public Clock clock() {
        return clock;
    }

    /** The retention settings of every topic without a per-topic override (no field is {@code INHERIT}). */
    public RetentionPolicy defaultRetention() {
        return defaultRetention;
    }

    /** Period of the background retention pass; {@link Duration#ZERO} means no background worker. */
    public Duration retentionInterval() {
        return retentionInterval;
    }

    public long retentionSegmentBytes() {
        return retentionSegmentBytes;
    }

    /**
     * How long a consumer group's position may stay ahead of the one in storage; see
     * {@link Builder#positionCommitInterval(Duration)}. {@link Duration#ZERO} (the default): every
     * {@code consume} persists the position before it returns.
     */
    public Duration positionCommitInterval() {
        return positionCommitInterval;
    }

    long positionCommitIntervalMillis() {
        return positionCommitIntervalMillis;
    }

    /**
     * Whether the queue is opened read-only: nothing in the directory is written (no repair, no
     * retention, no log file); every call that would change the queue throws
     * {@link io.rocksmq.api.ReadOnlyQueueException}. True for a {@link #follow() follower} too.
     */
    public boolean readOnly() {
        return readOnly;
    }

    /**
     * Whether the queue is opened as a follower of the process that has it open for writing (see
     * {@link Builder#follow(boolean)}): read-only, and its view moves forward only at
     * {@link RocksMq#refresh()}.
     */
    public boolean follow() {
        return follow;
    }

    @Override
    public String toString() {
        return "RocksMqConfig{directory=" + directory + ", blockCacheBytes=" + blockCacheBytes
                + ", writeBufferBytes=" + writeBufferBytes + ", compression=" + compression
                + ", durability=" + durability + ", maxBatchEntryBytes=" + maxBatchEntryBytes
                + ", maxMessageBytes=" + maxMessageBytes
                + ", defaultRetention=" + defaultRetention + ", retentionInterval=" + retentionInterval
                + ", retentionSegmentBytes=" + retentionSegmentBytes
                + ", positionCommitInterval=" + positionCommitInterval + ", readOnly=" + readOnly
                + ", follow=" + follow + '}';
    }

    /** Fluent builder. Not thread-safe. */
    public static final class Builder {
        private final Path directory;
        private long blockCacheBytes = DEFAULT_BLOCK_CACHE_BYTES;
        private long writeBufferBytes = DEFAULT_WRITE_BUFFER_BYTES;
        private Compression compression = DEFAULT_COMPRESSION;
        private Durability durability = DEFAULT_DURABILITY;
        private int maxBatchEntryBytes = DEFAULT_MAX_BATCH_ENTRY_BYTES;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private Clock clock = Clock.systemUTC();
        private long retentionTime = DEFAULT_RETENTION_TIME_MILLIS;
        private long retentionBytes = DEFAULT_RETENTION_BYTES;
        private long maxRetentionTime = DEFAULT_MAX_RETENTION_TIME_MILLIS;
        private long maxRetentionBytes = DEFAULT_MAX_RETENTION_BYTES;
        private Duration retentionInterval = DEFAULT_RETENTION_INTERVAL;
        private long retentionSegmentBytes = DEFAULT_RETENTION_SEGMENT_BYTES;
        private Duration positionCommitInterval = Duration.ZERO;
        private boolean readOnly;
        private boolean follow;

        private Builder(Path directory) {
            if (directory == null) {
                throw new InvalidArgumentException("data directory must not be null");
            }
            this.directory = directory;
        }

        public Builder blockCacheBytes(long bytes) {
            this.blockCacheBytes = bytes;
            return this;
        }

        public Builder writeBufferBytes(long bytes) {
            this.writeBufferBytes = bytes;
            return this;
        }

        public Builder compression(Compression compression) {
            this.compression = compression;
            return this;
        }

        public Builder durability(Durability durability) {
            this.durability = durability;
            return this;
        }

        public Builder maxBatchEntryBytes(int bytes) {
            this.maxBatchEntryBytes = bytes;
            return this;
        }

        /**
         * Opens the queue read-only (default false): the directory must hold a queue, nothing in it is
         * written, and calls that would change the queue throw {@link io.rocksmq.api.ReadOnlyQueueException}.
         * While open, a writer in another process cannot open the directory (and vice versa).
         */
        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /**
         * Opens the queue as a follower (default false): for inspecting a queue that another process has
         * open for writing, which a {@link #readOnly} open is refused. It attaches through RocksDB's
         * secondary instance (a private directory under the system temp dir for RocksDB's own files,
         * deleted at close) and takes no lock, so the writer keeps running and may also start or stop
         * meanwhile; it works as well on a directory nobody has open. Read-only: every call that would
         * change the queue throws {@link io.rocksmq.api.ReadOnlyQueueException}, and nothing in the
         * directory is written. Its view (topics, messages, latest ids, group positions, retention) is the
         * queue as it was at open, moved forward to what the writer has written by each
         * {@link RocksMq#refresh()}.
         */
        public Builder follow(boolean follow) {
            this.follow = follow;
            return this;
        }

        /**
         * The largest message {@code produce} accepts (payload plus property keys and values, UTF-8),
         * from 1 to {@link #MAX_MESSAGE_BYTES_LIMIT}; default {@link #DEFAULT_MAX_MESSAGE_BYTES}.
         */
        public Builder maxMessageBytes(int bytes) {
            this.maxMessageBytes = bytes;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Milliseconds data every group has consumed is kept; -1: no time limit on consumed data. */
        public Builder retentionTime(long millis) {
            this.retentionTime = millis;
            return this;
        }

        /** Stored bytes of consumed data a topic keeps; -1: no size limit on consumed data. */
        public Builder retentionBytes(long bytes) {
            this.retentionBytes = bytes;
            return this;
        }

        /** Hard cap: milliseconds any data is kept, consumed or not; -1: none. */
        public Builder maxRetentionTime(long millis) {
            this.maxRetentionTime = millis;
            return this;
        }

        /** Hard cap: stored bytes a topic keeps, consumed or not; -1: none. */
        public Builder maxRetentionBytes(long bytes) {
            this.maxRetentionBytes = bytes;
            return this;
        }

        /** Sets all four retention defaults at once (no field may be {@code INHERIT}). */
        public Builder defaultRetention(RetentionPolicy policy) {
            if (policy == null) {
                throw new InvalidArgumentException("retention policy must not be null");
            }
            this.retentionTime = policy.retentionTime();
            this.retentionBytes = policy.retentionBytes();
            this.maxRetentionTime = policy.maxRetentionTime();
            this.maxRetentionBytes = policy.maxRetentionBytes();
            return this;
        }

        /**
         * Period of the background retention pass; {@link Duration#ZERO} runs no worker (then only
         * {@link QueueAdmin#runRetention()} deletes anything).
         */
        public Builder retentionInterval(Duration interval) {
            this.retentionInterval = interval;
            return this;
        }

        /** Granularity of the retention index (see {@link #DEFAULT_RETENTION_SEGMENT_BYTES}). */
        public Builder retentionSegmentBytes(long bytes) {
            this.retentionSegmentBytes = bytes;
            return this;
        }

        /**
         * Lets {@code consume} skip the write of a group's position for up to {@code interval} (whole
         * milliseconds) after the last one. Off by default ({@link Duration#ZERO}): every consume that
         * moves the position persists it before returning, so a crash redelivers nothing a consume
         * returned.
         *
         * <p>With an interval {@code d > 0}, a consume writes the position only if the group's last write
         * was at least {@code d} earlier by {@link #clock(Clock)}, or if it delivers nothing (a group that
         * caught up is persisted at once); seek, the retention pass and {@link RocksMq#close()} write a
         * pending position too. <b>What this gives up:</b> after a crash (process killed, machine lost)
         * the group resumes at its last written position, so the messages returned by its consumes in
         * the {@code d} after that write are delivered again (at-least-once delivery, as before, with up
         * to {@code d} of duplicates instead of none). A follower sees positions as last written. What it
         * buys: one metadata write per interval instead of one per consume (BENCHMARKS.md, round two).
         *
         * @throws InvalidArgumentException at {@link #build()} if negative or null
         */
        public Builder positionCommitInterval(Duration interval) {
            this.positionCommitInterval = interval;
            return this;
        }

        /** Validates and freezes the configuration. */
        public RocksMqConfig build() {
            if (blockCacheBytes < 0) {
                throw new InvalidArgumentException("blockCacheBytes must be >= 0, was " + blockCacheBytes);
            }
            if (writeBufferBytes < (1 << 20)) {
                throw new InvalidArgumentException("writeBufferBytes must be >= 1 MiB, was " + writeBufferBytes);
            }
            if (maxBatchEntryBytes < 1024) {
                throw new InvalidArgumentException("maxBatchEntryBytes must be >= 1024, was " + maxBatchEntryBytes);
            }
            if (maxMessageBytes < 1 || maxMessageBytes > MAX_MESSAGE_BYTES_LIMIT) {
                throw new InvalidArgumentException("maxMessageBytes must be between 1 and " + MAX_MESSAGE_BYTES_LIMIT
                        + " (MAX_MESSAGE_BYTES_LIMIT), was " + maxMessageBytes);
            }
            if (compression == null || durability == null || clock == null) {
                throw new InvalidArgumentException("compression, durability and clock must not be null");
            }
            checkLimit("retentionTime", retentionTime);
            checkLimit("retentionBytes", retentionBytes);
            checkLimit("maxRetentionTime", maxRetentionTime);
            checkLimit("maxRetentionBytes", maxRetentionBytes);
            if (retentionInterval == null || retentionInterval.isNegative()) {
                throw new InvalidArgumentException("retentionInterval must be >= 0, was " + retentionInterval);
            }
            if (positionCommitInterval == null || positionCommitInterval.isNegative()) {
                throw new InvalidArgumentException("positionCommitInterval must be >= 0, was " + positionCommitInterval);
            }
            if (retentionSegmentBytes < 1024) {
                throw new InvalidArgumentException("retentionSegmentBytes must be >= 1024, was " + retentionSegmentBytes);
            }
            return new RocksMqConfig(this);
        }

        private static void checkLimit(String name, long value) {
            if (value < RetentionPolicy.UNLIMITED) {
                throw new InvalidArgumentException(name + " must be >= 0 or -1 (unlimited), was " + value);
            }
        }
    }
}
