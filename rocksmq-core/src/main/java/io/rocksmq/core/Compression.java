package io.rocksmq.core;

/** Block compression for stored messages. */
public enum Compression {
    /** No compression: the least CPU, the most disk. */
    NONE,
    /** LZ4: cheap, usually halves text-like payloads. The default. */
    LZ4,
    /** Zstandard: the smallest files, the most CPU at flush and compaction. */
    ZSTD
}
