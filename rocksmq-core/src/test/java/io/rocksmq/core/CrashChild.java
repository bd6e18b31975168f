package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Child-process main of the crash test ({@link CrashHarness}): a workload that is killed with SIGKILL
 * at a random moment and must leave a queue that keeps every promise it made.
 *
 * <p>Arguments: data directory, log directory, durability, seed, generation. It opens the queue,
 * creates {@link #TOPICS} topics with the groups {@code auto} and {@code manual} on each (idempotent),
 * prints {@value ChildJvm#READY}, then runs until killed:
 * <ul>
 *   <li>{@link #PRODUCERS} producer threads, each producing batches of 1-4 random payloads to random
 *       topics with the given durability, and after each produce returns appending
 *       {@code P topic id crc32 length} per message to its own log;</li>
 *   <li>per topic, an {@code auto} consumer using {@code consume} (position committed by the queue
 *       before consume returns): logs {@code I topic group position max} once, then
 *       {@code C topic group first count end crc} after every non-empty consume;</li>
 *   <li>per topic, a {@code manual} consumer using {@code read}, then {@code seek} to commit (the
 *       at-least-once pattern): logs {@code I ...} once, {@code C ...} after each read and
 *       {@code S topic group end} after each seek returned.</li>
 * </ul>
 * Every log line is appended with one write and forced to disk ({@code FileChannel.force}) before the
 * thread does anything else, so the log is a lower bound of what the queue acknowledged. A line
 * without its newline was cut by the kill and is ignored by the reader.
 */
public final class CrashChild {
    static final int TOPICS = 3;
    static final int PRODUCERS = 4;
    static final String AUTO = "auto";
    static final String MANUAL = "manual";
    static final int MAX_PAYLOAD = 256;

    private CrashChild() {
    }

    static String topic(int i) {
        return "t" + i;
    }

    static Path producerLog(Path logDir, int generation, int producer) {
        return logDir.resolve("g" + generation + "-p" + producer + ".log");
    }

    static Path consumerLog(Path logDir, int generation, String topic, String group) {
        return logDir.resolve("g" + generation + "-" + topic + "-" + group + ".log");
    }

    /** CRC-32 of a payload, as logged. */
    static int crc(byte[] payload) {
        CRC32 c = new CRC32();
        c.update(payload);
        return (int) c.getValue();
    }

    /** Running checksum over consumed (id, payload crc) pairs, as logged in C lines. */
    static long mix(long acc, long id, int payloadCrc) {
        long h = acc * 0x9E3779B97F4A7C15L + id;
        return h * 31 + payloadCrc;
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.exitWhenParentDies();
        Path dataDir = Path.of(args[0]);
        Path logDir = Path.of(args[1]);
        Durability durability = Durability.valueOf(args[2]);
        long seed = Long.parseLong(args[3]);
        int generation = Integer.parseInt(args[4]);
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            System.err.println("FATAL in " + t.getName());
            e.printStackTrace();
            System.err.flush();
            Runtime.getRuntime().halt(3);
        });

        RocksMq mq = RocksMq.open(RocksMqConfig.builder(dataDir).durability(durability).build());
        for (int t = 0; t < TOPICS; t++) {
            mq.createTopic(topic(t));
            for (String g : List.of(AUTO, MANUAL)) {
                if (!mq.consumerGroupExists(topic(t), g)) {
                    mq.createConsumerGroup(topic(t), g);
                }
            }
        }
        System.out.println(ChildJvm.READY);
        System.out.flush();

        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            Random random = new Random(seed * 1_000_003L + generation * 101L + p);
            Path log = producerLog(logDir, generation, p);
            threads.add(new Thread(() -> produce(mq, durability, random, log), "producer-" + p));
        }
        for (int t = 0; t < TOPICS; t++) {
            String topic = topic(t);
            Random random = new Random(seed * 7_000_003L + generation * 103L + t);
            int autoMax = 1 + random.nextInt(40);
            int manualMax = 1 + random.nextInt(40);
            threads.add(new Thread(() -> consumeAuto(mq, topic, autoMax,
                    consumerLog(logDir, generation, topic, AUTO)), "auto-" + topic));
            threads.add(new Thread(() -> consumeManual(mq, topic, manualMax,
                    consumerLog(logDir, generation, topic, MANUAL)), "manual-" + topic));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
    }

    private static void produce(RocksMq mq, Durability durability, Random random, Path logFile) {
        try (FileChannel log = open(logFile)) {
            while (true) {
                String topic = topic(random.nextInt(TOPICS));
                int n = 1 + random.nextInt(4);
                List<ProducerMessage> batch = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    byte[] payload = new byte[random.nextInt(MAX_PAYLOAD + 1)];
                    random.nextBytes(payload);
                    batch.add(ProducerMessage.of(payload));
                }
                long[] ids = mq.produce(topic, batch, durability);
                StringBuilder lines = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    byte[] payload = batch.get(i).payload();
                    lines.append("P ").append(topic).append(' ').append(ids[i]).append(' ')
                            .append(crc(payload)).append(' ').append(payload.length).append('\n');
                }
                append(log, lines.toString());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void consumeAuto(RocksMq mq, String topic, int max, Path logFile) {
        try (FileChannel log = open(logFile);
             ConsumerRegistration reg = mq.registerConsumer(topic, AUTO)) {
            append(log, "I " + topic + ' ' + AUTO + ' ' + mq.position(topic, AUTO) + ' ' + max + '\n');
            while (true) {
                List<ConsumerMessage> got = mq.consume(topic, AUTO, max);
                if (got.isEmpty()) {
                    reg.await(Duration.ofMillis(200));
                    continue;
                }
                append(log, consumedLine(topic, AUTO, got));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void consumeManual(RocksMq mq, String topic, int max, Path logFile) {
        try (FileChannel log = open(logFile);
             ConsumerRegistration reg = mq.registerConsumer(topic, MANUAL)) {
            long position = mq.position(topic, MANUAL);
            append(log, "I " + topic + ' ' + MANUAL + ' ' + position + ' ' + max + '\n');
            while (true) {
                List<ConsumerMessage> got = mq.read(topic, position, max);
                if (got.isEmpty()) {
                    reg.await(Duration.ofMillis(200));
                    continue;
                }
                append(log, consumedLine(topic, MANUAL, got));
                position = got.get(got.size() - 1).id() + 1;
                mq.seek(topic, MANUAL, position);
                append(log, "S " + topic + ' ' + MANUAL + ' ' + position + '\n');
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String consumedLine(String topic, String group, List<ConsumerMessage> got) {
        long acc = 0;
        for (ConsumerMessage m : got) {
            acc = mix(acc, m.id(), crc(m.payload()));
        }
        long first = got.get(0).id();
        long end = got.get(got.size() - 1).id() + 1;
        return "C " + topic + ' ' + group + ' ' + first + ' ' + got.size() + ' ' + end + ' ' + acc + '\n';
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    private static void append(FileChannel log, String lines) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(lines.getBytes(StandardCharsets.US_ASCII));
        while (buf.hasRemaining()) {
            log.write(buf);
        }
        log.force(false);
    }
}
