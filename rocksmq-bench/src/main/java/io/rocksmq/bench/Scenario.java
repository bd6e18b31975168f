package io.rocksmq.bench;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.rocksmq.bench.Peer.ARTEMIS;
import static io.rocksmq.bench.Peer.ARTEMIS_FSYNC;
import static io.rocksmq.bench.Peer.CHRONICLE;
import static io.rocksmq.bench.Peer.KAFKA;
import static io.rocksmq.bench.Peer.ROCKSDB_KPM;
import static io.rocksmq.bench.Peer.ROCKSDB_VPB;
import static io.rocksmq.bench.Peer.ROCKSDB_VPB_BLOB;
import static io.rocksmq.bench.Peer.ROCKSDB_VPB_POS;
import static io.rocksmq.bench.Peer.ROCKSMQ;
import static io.rocksmq.bench.Peer.ROCKSMQ_BLOB;
import static io.rocksmq.bench.Peer.ROCKSMQ_COMMIT_1S;
import static io.rocksmq.bench.Peer.ROCKSMQ_FSYNC;
import static io.rocksmq.bench.Peer.ROCKSMQ_SERVED;

/**
 * What one child JVM runs: a warm-up of the workload at full size, then the measured workload(s).
 * W1 and W4 share a child because W4 reads back the topic W1 wrote. The sizes per {@link Mode} are
 * here, in one place; BENCHMARKS.md defines the full ones.
 *
 * <p>Thread-safe (immutable).
 */
public enum Scenario {
    /** W1 (produce, 100 B, batches of 100) then W4 (one group reads it back, 1,000 per call). */
    PRODUCE_READ(List.of("W1", "W4"), EnumSet.of(ROCKSMQ, ROCKSMQ_FSYNC, ROCKSMQ_SERVED, ROCKSMQ_COMMIT_1S, ROCKSMQ_BLOB,
            ROCKSDB_KPM, ROCKSDB_VPB, ROCKSDB_VPB_BLOB, ROCKSDB_VPB_POS, CHRONICLE, KAFKA, ARTEMIS)),
    /** W2: as W1 with 1 KiB payloads. */
    PRODUCE_1K(List.of("W2"), EnumSet.of(ROCKSMQ, ROCKSMQ_FSYNC, ROCKSMQ_BLOB, ROCKSDB_KPM, ROCKSDB_VPB, ROCKSDB_VPB_BLOB,
            CHRONICLE, KAFKA, ARTEMIS)),
    /** W3: fsync before produce returns, batch 1, 1 and 16 producer threads. */
    SYNCED(List.of("W3-1t", "W3-16t"), EnumSet.of(ROCKSMQ_FSYNC, ROCKSDB_KPM, ARTEMIS_FSYNC)),
    /** W5: single messages at a fixed rate, one blocked consumer, produce-to-receipt latency. */
    LATENCY(List.of("W5"), EnumSet.of(ROCKSMQ, ROCKSMQ_SERVED, CHRONICLE, KAFKA, ARTEMIS)),
    /** W6: W1 with and without a thread churning consumer groups on the same topic. */
    CHURN(List.of("W6"), EnumSet.of(ROCKSMQ)),
    /** W7: one topic, 100 groups each consuming everything. */
    FAN_OUT(List.of("W7"), EnumSet.of(ROCKSMQ, ROCKSMQ_COMMIT_1S, ROCKSDB_KPM, ROCKSDB_VPB, CHRONICLE)),
    /** W8: 10,000 topics x 10 groups, open time after restart and heap used. */
    RESTART(List.of("W8"), EnumSet.of(ROCKSMQ)),
    /** W9: the work queue, 4 workers sharing one subscription, every message acknowledged on its own. */
    WORK_QUEUE(List.of("W9"), EnumSet.of(ROCKSMQ, KAFKA, ARTEMIS));

    private final List<String> workloads;
    private final Set<Peer> peers;

    Scenario(List<String> workloads, Set<Peer> peers) {
        this.workloads = workloads;
        this.peers = peers;
    }

    /** The workload ids this scenario reports. */
    public List<String> workloads() {
        return workloads;
    }

    /** The peers that implement it. */
    public Set<Peer> peers() {
        return peers;
    }

    /** True if any of the requested workload ids (e.g. "W3") is reported by this scenario. */
    boolean reportsAny(Set<String> requested) {
        for (String w : workloads) {
            String base = w.contains("-") ? w.substring(0, w.indexOf('-')) : w;
            if (requested.contains(w) || requested.contains(base)) {
                return true;
            }
        }
        return false;
    }

    /** True if the busy-machine mode runs it again under load: those reporting W1, W4 or W5 (BENCHMARKS.md). */
    boolean hasBusyMode() {
        return this == PRODUCE_READ || this == LATENCY;
    }

    /** The parameters handed to the child, by mode. */
    Map<String, String> parameters(Mode mode) {
        Map<String, String> p = new LinkedHashMap<>();
        int scale = switch (mode) {
            case FULL -> 100;
            case QUICK -> 10;
            case SMOKE -> 1;
        };
        switch (this) {
            case PRODUCE_READ -> {
                p.put("count", String.valueOf(mode == Mode.FULL ? 2_000_000 : 20_000 * scale));
                p.put("payload", "100");
                p.put("batch", "100");
                p.put("readBatch", "1000");
                p.put("readPasses", mode == Mode.FULL ? "5" : "1");
            }
            case PRODUCE_1K -> {
                p.put("count", String.valueOf(mode == Mode.FULL ? 2_000_000 : 5_000 * scale));
                p.put("payload", "1024");
                p.put("batch", "100");
            }
            case SYNCED -> {
                p.put("count1", String.valueOf(mode == Mode.FULL ? 20_000 : 50 * scale));
                p.put("threads", "16");
                p.put("perThread", String.valueOf(mode == Mode.FULL ? 2_000 : 10 * scale));
                p.put("payload", "100");
            }
            case LATENCY -> {
                p.put("rate", "10000");
                p.put("count", String.valueOf(mode == Mode.FULL ? 300_000 : 1_000 * scale));
                p.put("warmup", String.valueOf(mode == Mode.FULL ? 50_000 : 500 * scale));
                p.put("payload", "100");
            }
            case CHURN -> {
                p.put("count", String.valueOf(mode == Mode.FULL ? 2_000_000 : 20_000 * scale));
                p.put("payload", "100");
                p.put("batch", "100");
            }
            case FAN_OUT -> {
                p.put("count", String.valueOf(mode == Mode.FULL ? 200_000 : 2_000 * scale));
                p.put("groups", "100");
                p.put("payload", "100");
                p.put("batch", "100");
                p.put("readBatch", "1000");
                p.put("threads", String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors())));
                p.put("warmPasses", mode == Mode.FULL ? "3" : "1");
                p.put("passes", mode == Mode.FULL ? "5" : "1");
            }
            case RESTART -> {
                p.put("topics", String.valueOf(mode == Mode.FULL ? 10_000 : 100 * scale));
                p.put("groups", "10");
            }
            case WORK_QUEUE -> {
                p.put("count", String.valueOf(mode == Mode.FULL ? 1_000_000 : 2_000 * scale));
                // Kafka confirms each share-group acknowledgement with a round trip (~1 k acks/s on 2 cores):
                // the 1 M would take 20 minutes there, so Kafka is measured on fewer messages.
                p.put("kafkaCount", String.valueOf(mode == Mode.FULL ? 50_000 : 1_000 * scale));
                p.put("warmup", String.valueOf(mode == Mode.FULL ? 100_000 : 500 * scale));
                p.put("workers", "4");
                p.put("poll", "100");
                // a worker dies holding a message: how long after the lock duration another gets it
                p.put("lockMillis", "1000"); // the least the test Kafka broker allows
                p.put("redeliveryRounds", mode == Mode.SMOKE ? "2" : "5");
                p.put("payload", "100");
            }
            default -> throw new AssertionError(this);
        }
        // Kafka needs 20-30 s under load to reach full speed (BENCHMARKS.md).
        p.put("kafkaWarmSeconds", mode == Mode.FULL ? "25" : mode == Mode.QUICK ? "5" : "2");
        return p;
    }
}
