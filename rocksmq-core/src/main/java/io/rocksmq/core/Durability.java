package io.rocksmq.core;

/**
 * What "{@code produce} returned" guarantees. Set per queue ({@link RocksMqConfig.Builder#durability})
 * and overridable per call.
 */
public enum Durability {
    /**
     * The batch is in RocksDB's write-ahead log, handed to the operating system. It survives a crash of
     * the process (including {@code kill -9}); an operating-system crash or power loss may lose the
     * last writes. This is Milvus RocksMQ's behaviour and the default.
     */
    WAL,
    /**
     * As {@link #WAL}, and the write-ahead log has been fsynced before {@code produce} returns, so the
     * batch survives power loss. Concurrent producers are group-committed: one fsync covers every batch
     * written while the previous fsync ran. Consumers may see a batch before its fsync completes.
     */
    FSYNC
}
