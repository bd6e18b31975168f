package io.rocksmq.core;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.IndexType;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.SstPartitionerFixedPrefixFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How RocksDB is tuned for the queue: the options of its three column families, each with the reason it
 * is set. {@link RocksStore} opens the database with them and closes them after it.
 *
 * <p>Thread-safe: stateless.
 */
final class StoreOptions {
    /** The MANIFEST is rewritten from the live state once it grows past this. */
    static final long MAX_MANIFEST_BYTES = 16L << 20;

    /** Message keys start with the topic id: compaction output is split into files of one topic each. */
    static final int TOPIC_PREFIX_BYTES = 8;
    /** Level 1 of the message family holds this many write buffers before it moves down. */
    static final int LEVEL_BASE_WRITE_BUFFERS = 4;
    /** Level-0 files of the message family at which writes slow down, and stop, until compaction catches up. */
    static final int LEVEL0_SLOWDOWN_FILES = 8;
    static final int LEVEL0_STOP_FILES = 12;
    static final long META_WRITE_BUFFER_BYTES = 8L << 20;
    /** Target size of a data block of the messages column family. */
    static final int MESSAGE_BLOCK_BYTES = 64 * 1024;
    /**
     * RocksDB's {@code block_size_deviation} for messages: a block is closed before an entry that would
     * take it past {@link #MESSAGE_BLOCK_BYTES} once it is more than (100 - this)% full. 99 is the
     * largest value that keeps the rule (100 turns it off).
     */
    static final int MESSAGE_BLOCK_SIZE_DEVIATION = 99;

    private StoreOptions() {
    }

    /**
     * The descriptors of the default, {@code messages} and {@code meta} column families, in that order.
     * Every native object created is added to {@code opened}, to be closed after the database.
     */
    static List<ColumnFamilyDescriptor> columnFamilies(RocksMqConfig config, LRUCache cache, List<AutoCloseable> opened) {
        BlockBasedTableConfig messageTable = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setBlockSize(MESSAGE_BLOCK_BYTES)
                // A data block holds at least one entry, so a big message makes a block as big as
                // itself. Two settings keep other topics' reads out of it (issue 13 item 5): the
                // index records each block's first key, so a seek whose target sorts before a
                // block's first key (or past the read's upper bound) stops at the index without
                // reading the block; and a block more than 1% full is closed before an entry that
                // would overflow it, so a big entry shares its block with at most ~650 bytes of
                // smaller ones instead of up to 90% of a block of other topics' entries.
                .setIndexType(IndexType.kBinarySearchWithFirstKey)
                .setBlockSizeDeviation(MESSAGE_BLOCK_SIZE_DEVIATION);
        ColumnFamilyOptions messageOptions = RocksStore.track(opened, new ColumnFamilyOptions()
                .setWriteBufferSize(config.writeBufferBytes())
                .setMaxWriteBufferNumber(4)
                // Files no bigger than a memtable: retention drops whole files of a topic's deleted
                // prefix, so the file straddling the cut (the part it cannot drop) stays small.
                .setTargetFileSizeBase(config.writeBufferBytes())
                // Files of one topic each below level 0: a memtable flush mixes every topic, and
                // a file that mixes topics is never wholly below one topic's cut, so with many
                // topics no file could be dropped (the key starts with the 8-byte topic id).
                .setSstPartitionerFactory(RocksStore.track(opened, new SstPartitionerFixedPrefixFactory(TOPIC_PREFIX_BYTES)))
                // Level 0 files mix every topic, so each level-0 compaction rewrites all of level 1:
                // keep level 1 small (static level sizes from 4 write buffers) and stall writers
                // earlier than RocksDB's 20/36 files, which bounds both the level-0 files that
                // cannot be dropped and the size of that rewrite (measured: MultiTopicDiskBoundTest).
                .setLevelCompactionDynamicLevelBytes(false)
                .setMaxBytesForLevelBase(LEVEL_BASE_WRITE_BUFFERS * config.writeBufferBytes())
                .setLevel0SlowdownWritesTrigger(LEVEL0_SLOWDOWN_FILES)
                .setLevel0StopWritesTrigger(LEVEL0_STOP_FILES)
                .setCompressionType(compressionOf(config.compression()))
                .setTableFormatConfig(messageTable));

        BloomFilter metaFilter = RocksStore.track(opened, new BloomFilter(10));
        BlockBasedTableConfig metaTable = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setBlockSize(4 * 1024)
                .setFilterPolicy(metaFilter);
        ColumnFamilyOptions metaOptions = RocksStore.track(opened, new ColumnFamilyOptions()
                .setWriteBufferSize(META_WRITE_BUFFER_BYTES)
                .setTableFormatConfig(metaTable));
        ColumnFamilyOptions defaultOptions = RocksStore.track(opened, new ColumnFamilyOptions());

        return List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaultOptions),
                new ColumnFamilyDescriptor(bytes(StorageLayout.MESSAGES_CF), messageOptions),
                new ColumnFamilyDescriptor(bytes(StorageLayout.META_CF), metaOptions));
    }

    private static CompressionType compressionOf(Compression c) {
        return switch (c) {
            case NONE -> CompressionType.NO_COMPRESSION;
            case LZ4 -> CompressionType.LZ4_COMPRESSION;
            case ZSTD -> CompressionType.ZSTD_COMPRESSION;
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
