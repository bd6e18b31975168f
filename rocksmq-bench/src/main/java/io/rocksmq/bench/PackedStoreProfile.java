package io.rocksmq.bench;

import io.rocksmq.core.PayloadBlock;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RetentionPolicy;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.RocksMqConfig;
import io.rocksmq.remote.Wire;
import io.rocksmq.remote.proto.PackedPayloads;
import io.rocksmq.remote.proto.ProduceRequest;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The server's side of a packed produce (W1's batch: 100 payloads of 100 bytes), in the calling thread:
 * parse the request's bytes, then store the batch, either as the server did before
 * {@link RocksMq#producePayloads} (a payload array and a {@link ProducerMessage} per message, then
 * {@link RocksMq#produce}: "old") or through it ("new"). Alternating rounds on fresh topics; prints the
 * thread's CPU and allocated bytes per message, which other processes of a busy machine disturb little.
 * A diagnostic beside the harness, not a harness workload.
 *
 * <pre>
 * mvn -q -pl rocksmq-bench -am package -DskipTests -Djcstress.skip=true
 * java -cp 'rocksmq-bench/target/classes:rocksmq-bench/target/lib/*' io.rocksmq.bench.PackedStoreProfile 10000 8
 * </pre>
 *
 * <p>Not thread-safe: a main.
 */
public final class PackedStoreProfile {
    private PackedStoreProfile() {
    }

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            byte[] p = new byte[100];
            p[0] = (byte) i;
            payloads.add(p);
        }
        byte[] request = ProduceRequest.newBuilder().setTopic("t").setPacked(Wire.packPayloads(payloads)).build()
                .toByteArray();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Path dir = Files.createTempDirectory("rocksmq-packed-store-profile");
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir)
                .defaultRetention(RetentionPolicy.KEEP_ALL.withMaxRetentionBytes(128L << 20)).build())) {
            for (int r = 0; r < rounds; r++) {
                for (boolean direct : new boolean[] {false, true}) {
                    String topic = (direct ? "new-" : "old-") + r;
                    mq.createTopic(topic);
                    long cpu = threads.getCurrentThreadCpuTime();
                    long bytes = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < batches; i++) {
                        PackedPayloads packed = ProduceRequest.parseFrom(request).getPacked();
                        if (direct) {
                            storeDirect(mq, topic, packed);
                        } else {
                            storeAsMessages(mq, topic, packed);
                        }
                    }
                    cpu = threads.getCurrentThreadCpuTime() - cpu;
                    bytes = threads.getCurrentThreadAllocatedBytes() - bytes;
                    double messages = batches * 100.0;
                    System.out.printf("round %d %s: %.3f µs/msg CPU, %.0f B/msg%n", r, direct ? "new" : "old",
                            cpu / 1000.0 / messages, bytes / messages);
                    mq.destroyTopic(topic);
                }
            }
        }
    }

    private static void storeDirect(RocksMq mq, String topic, PackedPayloads packed) {
        int[] sizes = new int[packed.getPayloadSizesCount()];
        for (int k = 0; k < sizes.length; k++) {
            sizes[k] = packed.getPayloadSizes(k);
        }
        mq.producePayloads(topic, new PayloadBlock(sizes, packed.getPayloads().asReadOnlyByteBuffer()));
    }

    /** The server's packed path before producePayloads. */
    private static void storeAsMessages(RocksMq mq, String topic, PackedPayloads packed) {
        int n = packed.getPayloadSizesCount();
        List<ProducerMessage> batch = new ArrayList<>(n);
        int at = 0;
        for (int k = 0; k < n; k++) {
            byte[] p = new byte[packed.getPayloadSizes(k)];
            packed.getPayloads().copyTo(p, at, 0, p.length);
            at += p.length;
            batch.add(new ProducerMessage(p, Map.of()));
        }
        mq.produce(topic, batch);
    }
}
