package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;

import java.nio.file.Path;
import java.time.Clock;

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

    private final Path directory;
    private final long blockCacheBytes;
    private final long writeBufferBytes;
    private final Compression compression;
    private final Durability durability;
    private final int maxBatchEntryBytes;
    private final Clock clock;

    private RocksMqConfig(Builder b) {
        this.directory = b.directory;
        this.blockCacheBytes = b.blockCacheBytes;
        this.writeBufferBytes = b.writeBufferBytes;
        this.compression = b.compression;
        this.durability = b.durability;
        this.maxBatchEntryBytes = b.maxBatchEntryBytes;
        this.clock = b.clock;
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

    /** The clock that stamps publish times (injectable for tests). */
    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "RocksMqConfig{directory=" + directory + ", blockCacheBytes=" + blockCacheBytes
                + ", writeBufferBytes=" + writeBufferBytes + ", compression=" + compression
                + ", durability=" + durability + ", maxBatchEntryBytes=" + maxBatchEntryBytes + '}';
    }

    /** Fluent builder. Not thread-safe. */
    public static final class Builder {
        private final Path directory;
        private long blockCacheBytes = DEFAULT_BLOCK_CACHE_BYTES;
        private long writeBufferBytes = DEFAULT_WRITE_BUFFER_BYTES;
        private Compression compression = DEFAULT_COMPRESSION;
        private Durability durability = DEFAULT_DURABILITY;
        private int maxBatchEntryBytes = DEFAULT_MAX_BATCH_ENTRY_BYTES;
        private Clock clock = Clock.systemUTC();

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

        public Builder clock(Clock clock) {
            this.clock = clock;
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
            if (compression == null || durability == null || clock == null) {
                throw new InvalidArgumentException("compression, durability and clock must not be null");
            }
            return new RocksMqConfig(this);
        }
    }
}
