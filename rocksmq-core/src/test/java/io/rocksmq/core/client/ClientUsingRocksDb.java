package io.rocksmq.core.client;

import org.rocksdb.RocksDB;

/** Breaks a rule of {@code ArchitectureTest} on purpose: the client reaching past the engine to RocksDB. */
public final class ClientUsingRocksDb {
    private ClientUsingRocksDb() {
    }

    static Class<?> forbidden() {
        return RocksDB.class;
    }
}
