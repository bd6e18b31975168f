package io.rocksmq.bench;

import java.util.List;

/**
 * The systems the harness compares, each run in its own child JVM.
 *
 * <p>Thread-safe (immutable).
 */
public enum Peer {
    ROCKSMQ("rocksmq", "RocksMQ, Durability.WAL"),
    ROCKSMQ_FSYNC("rocksmq-fsync", "RocksMQ, Durability.FSYNC"),
    ROCKSMQ_SERVED("rocksmq-served", "RocksMQ served: rmq serve in its own JVM, rmq:// client over loopback"),
    /** The opt-in position commit interval (1 s): W4 and W7 only, where consume's position write costs. */
    ROCKSMQ_COMMIT_1S("rocksmq-commit1s", "RocksMQ, Durability.WAL, positionCommitInterval 1 s (opt-in)"),
    /** The BlobDB experiment (issue 19): batch values in blob files; W1, W2, W4 only. */
    ROCKSMQ_BLOB("rocksmq-blob", "RocksMQ, Durability.WAL, message batches in BlobDB blob files (experiment)"),
    ROCKSDB_KPM("rocksdb-kpm", "raw RocksDB, key per message"),
    ROCKSDB_VPB("rocksdb-vpb", "raw RocksDB, value per batch"),
    /**
     * {@link #ROCKSDB_VPB} whose W4 reader also writes its position after every call (as {@code consume}
     * does by default): the engine's limit for a consumer that resumes after a crash; W1 and W4 only.
     */
    ROCKSDB_VPB_POS("rocksdb-vpb-pos", "raw RocksDB, value per batch, reader persists its position per call"),
    /** The BlobDB experiment on the engine alone: {@link #ROCKSDB_VPB} with batch values in blob files. */
    ROCKSDB_VPB_BLOB("rocksdb-vpb-blob", "raw RocksDB, value per batch, BlobDB blob files (experiment)"),
    CHRONICLE("chronicle", "Chronicle Queue"),
    KAFKA("kafka", "Kafka, 1-node KRaft, acks=1"),
    ARTEMIS("artemis", "ActiveMQ Artemis, embedded, NIO journal, no sync"),
    ARTEMIS_FSYNC("artemis-fsync", "ActiveMQ Artemis, embedded, NIO journal, synced (its default)");

    /** JVM flags Chronicle Queue needs on Java 17 (BENCHMARKS.md), and its analytics switched off. */
    static final List<String> CHRONICLE_JVM_FLAGS = List.of(
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "-Dchronicle.analytics.disable=true",
            "-Dchronicle.announcer.disable=true");

    private final String id;
    private final String label;

    Peer(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /** The name used on the command line and in results. */
    public String id() {
        return id;
    }

    public String label() {
        return label;
    }

    /** Extra JVM flags the peer's child JVM needs. */
    List<String> jvmFlags() {
        return this == CHRONICLE ? CHRONICLE_JVM_FLAGS : List.of();
    }

    static Peer byId(String id) {
        for (Peer p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown peer '" + id + "'; known: " + List.of(values()).stream().map(Peer::id).toList());
    }

    /** Whether this peer is an experiment, run only when named in {@code --peers}. */
    public boolean experiment() {
        return this == ROCKSMQ_BLOB || this == ROCKSDB_VPB_BLOB || this == ROCKSDB_VPB_POS;
    }
}
