package io.rocksmq.core;

/**
 * What "{@code produce} returned" guarantees. Set per queue ({@link RocksMqConfig.Builder#durability})
 * and overridable per call.
 *
 * <p>Both levels write a produce (messages and id counter) as one atomic batch to RocksDB's
 * write-ahead log (WAL). Consumer positions and admin changes (topics, groups, seeks) go through the
 * same log after the data they refer to, without an fsync of their own: they survive a process crash;
 * after an operating-system crash or power loss they may roll back, but a position never survives
 * without the messages it moved past (what survives of the log is always a prefix). Any fsync, such as
 * an {@link #FSYNC} produce or {@link RocksMq#close()}, makes everything written before it durable.
 *
 * <p>There is no in-memory level: see the project's docs/durability.md for why.
 */
public enum Durability {
    /**
     * The batch is in the WAL, handed to the operating system, before {@code produce} returns. It
     * survives a crash of the process ({@code kill -9}, JVM crash, OOM kill). An operating-system crash
     * or power loss may lose the most recent writes, always a suffix: if a message survives, every
     * message produced before it, to any topic, survives too; ids of lost messages may be given again.
     * This is Milvus RocksMQ's behaviour and the default.
     */
    WAL,
    /**
     * As {@link #WAL}, and the WAL has been fsynced before {@code produce} returns, so the batch also
     * survives an operating-system crash or power loss (on a disk that honours flushes). Concurrent
     * producers are group-committed: one fsync covers every batch written before it started.
     * Consumers may see a batch before its fsync completes. If an fsync fails, the produces waiting
     * for it fail with a {@code StorageException} (their batch is readable but may not survive a
     * crash), and so does every later FSYNC produce until the queue is reopened.
     */
    FSYNC
}
