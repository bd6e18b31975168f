package io.rocksmq.kafka;

import io.rocksmq.testkit.kafka.KafkaBroker;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One real Kafka broker shared by every test class of the module that registers this extension: started
 * by the first of them, stopped (and its directory deleted) when the whole test run ends, since it lives
 * in JUnit's root store. Tests that stop or restart a broker start their own instead.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SharedKafkaBroker KAFKA = new SharedKafkaBroker();
 * ... MqClient.open("kafka://" + KAFKA.bootstrapServers()) ...
 * }</pre>
 *
 * <p>The broker does not auto-create topics ({@code auto.create.topics.enable=false}), the setting the Kafka
 * backend recommends, so that a deleted topic stays deleted.
 *
 * <p>Thread-safe once {@code beforeAll} ran.
 */
final class SharedKafkaBroker implements BeforeAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedKafkaBroker.class);
    private volatile String bootstrapServers;

    @Override
    public void beforeAll(ExtensionContext context) {
        Running running = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Running.class, k -> Running.start(), Running.class);
        bootstrapServers = running.broker.bootstrapServers();
    }

    String bootstrapServers() {
        if (bootstrapServers == null) {
            throw new IllegalStateException("the shared broker is started in beforeAll; register the extension on a static field");
        }
        return bootstrapServers;
    }

    static KafkaBroker.Builder testBroker(Path dir) {
        return KafkaBroker.builder(dir).heap("512m").property("auto.create.topics.enable", "false");
    }

    static void deleteRecursively(Path dir) {
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
