package io.rocksmq.testkit.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One real Kafka broker shared by every test class of a test run that registers this extension: started
 * by the first of them, stopped (and its directory deleted) when the whole test run ends, since it lives
 * in JUnit's root store. Each test class also gets plain Kafka clients on it ({@link #raw()}, and an
 * {@link #admin()} closed after the class). Tests that stop or restart a broker start their own instead
 * ({@link #testBroker}).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SharedKafkaBroker KAFKA = new SharedKafkaBroker();
 * ... MqClient.open("kafka://" + KAFKA.bootstrapServers()) ... KAFKA.admin().listTopics() ...
 * }</pre>
 *
 * <p>The broker does not auto-create topics ({@code auto.create.topics.enable=false}), the setting the Kafka
 * backend recommends, so that a deleted topic stays deleted.
 *
 * <p>Thread-safe once {@code beforeAll} ran.
 */
public final class SharedKafkaBroker implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedKafkaBroker.class);
    private volatile String bootstrapServers;
    private volatile RawKafka raw;
    private volatile Admin admin;

    @Override
    public void beforeAll(ExtensionContext context) {
        Running running = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Running.class, k -> Running.start(), Running.class);
        bootstrapServers = running.broker.bootstrapServers();
        raw = new RawKafka(bootstrapServers);
        admin = raw.admin();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Admin a = admin;
        admin = null;
        if (a != null) {
            a.close();
        }
    }

    /** {@code host:port} of the broker. */
    public String bootstrapServers() {
        return started(bootstrapServers);
    }

    /** Plain Kafka clients on the broker. */
    public RawKafka raw() {
        return started(raw);
    }

    /** An admin client on the broker for the running test class; closed after it. */
    public Admin admin() {
        return started(admin);
    }

    private static <T> T started(T value) {
        if (value == null) {
            throw new IllegalStateException("the shared broker is started in beforeAll; register the extension on a static field");
        }
        return value;
    }

    /**
     * A broker of the same settings for a test that stops or restarts it (not auto-creating topics, 512 MiB
     * heap). Needs {@code kafka_2.13} and {@code kafka-server} on the class path, as {@link KafkaBroker}.
     */
    public static KafkaBroker.Builder testBroker(Path dir) {
        return KafkaBroker.builder(dir).heap("512m").property("auto.create.topics.enable", "false");
    }

    /** Deletes a broker's directory (no-op if it does not exist). */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The broker and its directory; JUnit closes it when the root context ends. */
    private static final class Running implements AutoCloseable {
        private final Path directory;
        private final KafkaBroker broker;

        private Running(Path directory, KafkaBroker broker) {
            this.directory = directory;
            this.broker = broker;
        }

        static Running start() {
            try {
                Path dir = Files.createTempDirectory("rocksmq-kafka-shared-broker");
                return new Running(dir, testBroker(dir).start());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                broker.close();
            } finally {
                deleteRecursively(directory);
            }
        }
    }
}
