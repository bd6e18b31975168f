package io.rocksmq.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * One real {@link RocksMq} per jcstress JVM, in a temporary directory removed at exit. Opening RocksDB
 * per test state would cost milliseconds, so states share it and use fresh group names instead.
 *
 * <p>Thread-safe.
 */
final class SharedQueue {
    static final String TOPIC = "stress";
    /** Messages produced at start: a new group always has something to consume. */
    static final int BACKLOG = 16;
    static final RocksMq MQ;
    private static final AtomicLong NAMES = new AtomicLong();

    static {
        try {
            Path dir = Files.createTempDirectory("rocksmq-jcstress");
            MQ = RocksMq.open(dir);
            MQ.createTopic(TOPIC);
            for (int i = 0; i < BACKLOG; i++) {
                MQ.produce(TOPIC, List.of(ProducerMessage.of(new byte[] {(byte) i})));
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                MQ.close();
                delete(dir);
            }));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SharedQueue() {
    }

    static String newGroupName() {
        return "g" + NAMES.incrementAndGet();
    }

    /** The live group object behind a name (package-private view, for "signalled after removal" checks). */
    static ConsumerGroup group(String name) {
        return MQ.topicsForTest().get(TOPIC).group(name);
    }

    static long startId() {
        return MQ.topicsForTest().get(TOPIC).startId();
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp directory
        }
    }
}
