package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Child-process main of {@link ScheduleCrashTest}: schedules messages falling due 0-200 ms later while the
 * queue's waiter moves earlier ones to the topic, until it is killed with SIGKILL.
 *
 * <p>Arguments: data directory, log file, seed, generation. Schedules batches of 1-4 messages (payload
 * {@code g<generation>-<n>}) with {@link Durability#FSYNC}; after each schedule returns it appends one line
 * per message, {@code S <payload>}, to the log and forces it to disk.
 */
public final class ScheduleCrashChild {
    static final String TOPIC = "scheduled";

    private ScheduleCrashChild() {
    }

    /** The payloads whose schedule was acknowledged (complete lines of the log). */
    static List<String> acknowledged(Path log) throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.exists(log)) {
            return out;
        }
        String text = Files.readString(log);
        int end = text.lastIndexOf('\n'); // a line without its newline was cut by the kill
        if (end < 0) {
            return out;
        }
        for (String line : text.substring(0, end).split("\n")) {
            out.add(line.substring(2));
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.exitWhenParentDies();
        Path dataDir = Path.of(args[0]);
        Path logFile = Path.of(args[1]);
        Random random = new Random(Long.parseLong(args[2]) * 1_000_003L + Integer.parseInt(args[3]));
        String generation = "g" + args[3] + "-";
        RocksMq mq = RocksMq.open(RocksMqConfig.builder(dataDir).build());
        if (!mq.topicExists(TOPIC)) {
            mq.createTopic(TOPIC);
        }
        System.out.println(ChildJvm.READY);
        System.out.flush();
        try (FileChannel log = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            for (long n = 0; ; ) {
                int count = 1 + random.nextInt(4);
                List<ProducerMessage> batch = new ArrayList<>(count);
                StringBuilder lines = new StringBuilder();
                for (int i = 0; i < count; i++, n++) {
                    String payload = generation + n;
                    batch.add(ProducerMessage.of(payload.getBytes(StandardCharsets.UTF_8))
                            .withDeliverAfter(Duration.ofMillis(random.nextInt(200))));
                    lines.append("S ").append(payload).append('\n');
                }
                mq.schedule(TOPIC, batch, Durability.FSYNC);
                log.write(ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)));
                log.force(false);
            }
        } catch (Exception e) {
            e.printStackTrace(); // the kill is under way
        }
    }
}
