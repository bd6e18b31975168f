package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Child-process main of {@link DedupCrashTest}: producers with deduplication ids that are killed with
 * SIGKILL and, in the next generation, retry from before their last acknowledged message.
 *
 * <p>Arguments: data directory, log directory, seed, generation. Each of {@link #PRODUCERS} threads owns
 * the ids {@code p<thread>-<seq>}; it reads its log of earlier generations, starts again
 * {@link #RETRY_BACK} sequence numbers before the last one acknowledged (so it retries messages that
 * were acknowledged, and those whose produce the kill interrupted), and produces batches of 1-3
 * messages, payload = the id, each with its id as deduplication id. After each produce returns it appends
 * {@code A <seq> <messageId>} per message to its log and forces it to disk.
 */
public final class DedupCrashChild {
    static final String TOPIC = "dedup";
    static final int PRODUCERS = 3;
    static final int RETRY_BACK = 5;

    private DedupCrashChild() {
    }

    static Path log(Path logDir, int producer) {
        return logDir.resolve("p" + producer + ".log");
    }

    /**
     * Even producers use ids of the sequence form ({@code p0:17}, held as runs by {@link DedupRuns}),
     * odd ones another form ({@code p1-17}, hashed), so a crash is checked on both paths.
     */
    static String dedupId(int producer, long seq) {
        return "p" + producer + (producer % 2 == 0 ? ":" : "-") + seq;
    }

    /** The complete lines of a producer's log: {@code [seq, messageId]} pairs. */
    static List<long[]> acknowledged(Path log) throws IOException {
        List<long[]> out = new ArrayList<>();
        if (!Files.exists(log)) {
            return out;
        }
        String text = Files.readString(log);
        int end = text.lastIndexOf('\n'); // a line without its newline was cut by the kill
        if (end < 0) {
            return out;
        }
        for (String line : text.substring(0, end).split("\n")) {
            String[] f = line.split(" ");
            out.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.exitWhenParentDies();
        Path dataDir = Path.of(args[0]);
        Path logDir = Path.of(args[1]);
        long seed = Long.parseLong(args[2]);
        int generation = Integer.parseInt(args[3]);
        RocksMq mq = RocksMq.open(RocksMqConfig.builder(dataDir).build());
        if (!mq.topicExists(TOPIC)) {
            mq.createTopic(TOPIC);
        }
        System.out.println(ChildJvm.READY);
        System.out.flush();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int producer = p;
            Random random = new Random(seed * 1_000_003L + generation * 101L + p);
            threads.add(new Thread(() -> produce(mq, producer, random, log(logDir, producer)), "producer-" + p));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
    }

    private static void produce(RocksMq mq, int producer, Random random, Path logFile) {
        try {
            long last = -1;
            for (long[] a : acknowledged(logFile)) {
                last = Math.max(last, a[0]);
            }
            try (FileChannel log = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                for (long seq = Math.max(0, last + 1 - RETRY_BACK); ; ) {
                    int n = 1 + random.nextInt(3);
                    List<ProducerMessage> batch = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        String id = dedupId(producer, seq + i);
                        batch.add(ProducerMessage.of(id.getBytes(StandardCharsets.UTF_8)).withDeduplicationId(id));
                    }
                    long[] ids = mq.produce(TOPIC, batch);
                    StringBuilder lines = new StringBuilder();
                    for (int i = 0; i < n; i++) {
                        lines.append("A ").append(seq + i).append(' ').append(ids[i]).append('\n');
                    }
                    log.write(ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)));
                    log.force(false);
                    seq += n;
                }
            }
        } catch (Exception e) {
            // killed while writing, or the queue refused because the kill is under way
            e.printStackTrace();
        }
    }
}
