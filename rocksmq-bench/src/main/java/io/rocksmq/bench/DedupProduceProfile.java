package io.rocksmq.bench;

import io.rocksmq.core.Durability;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RetentionPolicy;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.RocksMqConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The cost of producer deduplication on W1's produce shape (100-byte messages, batches of 100, one
 * producer thread, WAL durability): the same number of messages produced with a fresh deduplication id
 * on every message and without, alternating rounds on separate topics of one queue, best round of each.
 * A diagnostic beside the harness, not a harness workload. Besides the wall-clock rate it prints the
 * rate per second of the producing thread's CPU time (the produce runs in the caller's thread), which
 * the other processes of a busy machine disturb much less than the wall clock, and per second of the
 * whole process's CPU time (which adds the collector's and RocksDB's threads); compare ratios.
 *
 * <p>A further argument {@code general} gives the ids another form ({@code producer-1/<n>}), which the
 * queue hashes one by one instead of keeping as runs of sequences.
 *
 * <p>A further argument {@code prebuilt} builds every round's messages (with their ids) before its clock
 * starts, in both modes: the ratio is then the queue's own work on an id (validation aside: the
 * message's constructor checks the id), without the application's building of the id string and the
 * message.
 *
 * <p>A further argument {@code sequences} gives the same ids as (prefix, sequence) instead of strings
 * ({@code RocksMq.produceWithSequenceIds}: messages without an id of their own, prefix {@code producer-1}
 * and one sequence each): no string per id, no parse, no per-message check.
 *
 * <p>A further argument {@code client} produces through the client API instead
 * ({@code RocksMqClient.wrap} of the queue): one application thread sends the messages with
 * {@code sendAsync} (batches of at most 100) and flushes; "dedup" is a producer with a
 * {@code producerName}, whose automatic ids ({@code name:epoch:<sequence>}) the producer numbers and
 * hands to the queue as (prefix, sequence), "plain" one without. The CPU rate is then per second of the
 * application thread and the producer's sender thread together (the produce runs in the sender).
 *
 * <pre>
 * mvn -q -pl rocksmq-bench -am -Djcstress.skip=true compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp rocksmq-bench/target/classes:$(cat /tmp/cp.txt) io.rocksmq.bench.DedupProduceProfile 500000 5
 * java -cp rocksmq-bench/target/classes:$(cat /tmp/cp.txt) io.rocksmq.bench.DedupProduceProfile 500000 5 prebuilt
 * java -cp rocksmq-bench/target/classes:$(cat /tmp/cp.txt) io.rocksmq.bench.DedupProduceProfile 500000 5 general
 * java -cp rocksmq-bench/target/classes:$(cat /tmp/cp.txt) io.rocksmq.bench.DedupProduceProfile 500000 5 client
 * java -cp rocksmq-bench/target/classes:$(cat /tmp/cp.txt) io.rocksmq.bench.DedupProduceProfile 500000 5 sequences
 * </pre>
 *
 * <p>Not thread-safe: a main.
 */
public final class DedupProduceProfile {
    private DedupProduceProfile() {
    }

    /**
     * 100 messages from number {@code first} on, with ids {@code producer-1:<n>} (the sequence form) if
     * {@code dedup}, or {@code producer-1/<n>} (another form) if {@code general} too.
     */
    private static List<ProducerMessage> batch(byte[] payload, int first, boolean dedup, boolean general) {
        List<ProducerMessage> batch = new ArrayList<>(100);
        String prefix = general ? "producer-1/" : "producer-1:";
        for (int i = 0; i < 100; i++) {
            ProducerMessage m = ProducerMessage.of(payload);
            batch.add(dedup ? m.withDeduplicationId(prefix + (first + i)) : m);
        }
        return batch;
    }

    /** One round through the client API: wall-clock rate, per app+sender thread CPU second, per process CPU second. */
    private static double[] throughClient(RocksMq mq, String topic, byte[] payload, int messages, boolean dedup,
                                          java.lang.management.ThreadMXBean threads,
                                          com.sun.management.OperatingSystemMXBean os) {
        try (io.rocksmq.core.client.RocksMqClient client = io.rocksmq.core.client.RocksMqClient.wrap(mq)) {
            io.rocksmq.api.ProducerOptions.Builder options = io.rocksmq.api.ProducerOptions.builder(topic)
                    .batchingMaxMessages(100);
            if (dedup) {
                options.producerName("producer-1");
            }
            try (io.rocksmq.api.Producer producer = client.createProducer(options.build())) {
                producer.send(payload); // the sender thread exists from here
                long sender = -1;
                for (long id : threads.getAllThreadIds()) {
                    java.lang.management.ThreadInfo info = threads.getThreadInfo(id);
                    if (info != null && info.getThreadName().equals("rocksmq-producer-" + topic)) {
                        sender = id;
                    }
                }
                long start = System.nanoTime();
                long startCpu = threads.getCurrentThreadCpuTime() + threads.getThreadCpuTime(sender);
                long startProcess = os.getProcessCpuTime();
                io.rocksmq.api.OutgoingMessage m = io.rocksmq.api.OutgoingMessage.of(payload);
                for (int i = 1; i < messages; i++) {
                    producer.sendAsync(m);
                }
                producer.flush();
                long cpu = threads.getCurrentThreadCpuTime() + threads.getThreadCpuTime(sender) - startCpu;
                return new double[] {messages / ((System.nanoTime() - start) / 1e9), messages / (cpu / 1e9),
                        messages / ((os.getProcessCpuTime() - startProcess) / 1e9)};
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> flags = List.of(args).subList(Math.min(2, args.length), args.length);
        boolean prebuilt = flags.contains("prebuilt");
        boolean general = flags.contains("general");
        boolean client = flags.contains("client");
        boolean sequences = flags.contains("sequences");
        Path dir = Files.createTempDirectory("rocksmq-dedup-profile");
        byte[] payload = new byte[100];
        new SplittableRandom(7).nextBytes(payload);
        double bestPlain = 0;
        double bestDedup = 0;
        double bestPlainCpu = 0;
        double bestDedupCpu = 0;
        double bestPlainProcess = 0;
        double bestDedupProcess = 0;
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).defaultRetention(RetentionPolicy.KEEP_ALL).build())) {
            for (int r = 0; r < rounds; r++) {
                for (boolean dedup : new boolean[] {false, true}) {
                    String topic = (dedup ? "dedup-" : "plain-") + r;
                    mq.createTopic(topic);
                    if (client) {
                        double[] r3 = throughClient(mq, topic, payload, messages, dedup, threads, os);
                        System.out.printf("round %d %-6s %,.0f msgs/s (%,.0f per app+sender thread CPU second, %,.0f per process CPU second)%n",
                                r, dedup ? "dedup" : "plain", r3[0], r3[1], r3[2]);
                        if (dedup) {
                            bestDedup = Math.max(bestDedup, r3[0]);
                            bestDedupCpu = Math.max(bestDedupCpu, r3[1]);
                            bestDedupProcess = Math.max(bestDedupProcess, r3[2]);
                        } else {
                            bestPlain = Math.max(bestPlain, r3[0]);
                            bestPlainCpu = Math.max(bestPlainCpu, r3[1]);
                            bestPlainProcess = Math.max(bestPlainProcess, r3[2]);
                        }
                        continue;
                    }
                    List<List<ProducerMessage>> built = new ArrayList<>();
                    for (int sent = 0; prebuilt && sent < messages; sent += 100) {
                        built.add(batch(payload, sent, dedup, general));
                    }
                    long start = System.nanoTime();
                    long startCpu = threads.getCurrentThreadCpuTime();
                    long startProcess = os.getProcessCpuTime();
                    for (int sent = 0; sent < messages; sent += 100) {
                        if (sequences && dedup) {
                            long[] seqs = new long[100];
                            for (int i = 0; i < 100; i++) {
                                seqs[i] = sent + i;
                            }
                            mq.produceWithSequenceIds(topic, batch(payload, sent, false, false), "producer-1", seqs,
                                    Durability.WAL);
                            continue;
                        }
                        mq.produce(topic, prebuilt ? built.get(sent / 100) : batch(payload, sent, dedup, general));
                    }
                    double rate = messages / ((System.nanoTime() - start) / 1e9);
                    double cpuRate = messages / ((threads.getCurrentThreadCpuTime() - startCpu) / 1e9);
                    double processRate = messages / ((os.getProcessCpuTime() - startProcess) / 1e9);
                    System.out.printf("round %d %-6s %,.0f msgs/s (%,.0f per thread CPU second, %,.0f per process CPU second)%n",
                            r, dedup ? "dedup" : "plain", rate, cpuRate, processRate);
                    if (dedup) {
                        bestDedup = Math.max(bestDedup, rate);
                        bestDedupCpu = Math.max(bestDedupCpu, cpuRate);
                        bestDedupProcess = Math.max(bestDedupProcess, processRate);
                    } else {
                        bestPlain = Math.max(bestPlain, rate);
                        bestPlainCpu = Math.max(bestPlainCpu, cpuRate);
                        bestPlainProcess = Math.max(bestPlainProcess, processRate);
                    }
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        if (client) {
            System.out.println("through the client API: automatic ids (producerName) against none; thread CPU = app + sender");
        } else if (sequences) {
            System.out.println("ids given as (producer-1, <n>) to produceWithSequenceIds, no strings");
        } else {
            System.out.printf("%s, ids %s%n", prebuilt ? "messages built before the clock starts" : "messages built in the timed loop",
                    general ? "producer-1/<n> (not the sequence form: hashed)" : "producer-1:<n> (the sequence form: runs)");
        }
        System.out.printf("best: plain %,.0f msgs/s, dedup %,.0f msgs/s, ratio %.2f%n", bestPlain, bestDedup,
                bestDedup / bestPlain);
        System.out.printf("best per thread CPU second: plain %,.0f, dedup %,.0f, ratio %.2f%n", bestPlainCpu, bestDedupCpu,
                bestDedupCpu / bestPlainCpu);
        System.out.printf("best per process CPU second: plain %,.0f, dedup %,.0f, ratio %.2f%n", bestPlainProcess,
                bestDedupProcess, bestDedupProcess / bestPlainProcess);
    }
}
