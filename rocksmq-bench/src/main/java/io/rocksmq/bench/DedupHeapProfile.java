package io.rocksmq.bench;

import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.RocksMqConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The heap the deduplication window holds per one-off id: {@code n} ids, each a fresh UUID, produced in
 * batches of 100 (all within the default 2-minute window), the heap after {@code System.gc()} before and
 * after, divided by {@code n}. Form {@code colon}: {@code <uuid>:0} (the sequence form: a producer entry
 * per prefix); {@code dash}: {@code <uuid>-0} (hashed). A diagnostic, not a harness workload.
 *
 * <pre>
 * java -Xmx1g -cp 'rocksmq-bench/target/classes:rocksmq-bench/target/lib/*' io.rocksmq.bench.DedupHeapProfile 300000 colon
 * </pre>
 *
 * <p>Not thread-safe: a main.
 */
public final class DedupHeapProfile {
    private DedupHeapProfile() {
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        boolean colon = args.length < 2 || args[1].equals("colon");
        Path dir = Files.createTempDirectory("rocksmq-dedup-heap");
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).build())) {
            mq.createTopic("t");
            mq.produce("t", List.of(ProducerMessage.of(new byte[1]).withDeduplicationId("warm:0")));
            long before = usedAfterGc();
            for (int sent = 0; sent < n; sent += 100) {
                List<ProducerMessage> batch = new ArrayList<>(100);
                for (int i = 0; i < 100; i++) {
                    batch.add(ProducerMessage.of(new byte[1]).withDeduplicationId(UUID.randomUUID() + (colon ? ":0" : "-0")));
                }
                mq.produce("t", batch);
            }
            long after = usedAfterGc();
            System.out.printf("ids <uuid>%s: %.0f bytes of heap per id held%n", colon ? ":0" : "-0", (after - before) / (double) n);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
