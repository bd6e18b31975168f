package io.rocksmq.testkit;

import io.rocksmq.api.MqClient;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Gives a test a fresh embedded queue: an {@link MqClient} parameter is resolved to a client on a new
 * temporary directory, closed and deleted when the test (or, for {@code @BeforeAll} parameters, the
 * class) finishes. Every parameter of one test method, including those of its {@code @BeforeEach}
 * methods, gets the same client.
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedMqExtension.class)
 * class OrderServiceTest {
 *     @Test
 *     void publishesAnEvent(MqClient client) { ... }
 * }
 * }</pre>
 *
 * The client is opened with {@code MqClient.open("rocksmq:<dir>")}, so the test's class path needs
 * {@code rocksmq-core} (the testkit itself does not depend on it).
 *
 * <p>Thread-safe: stateless; per-test state lives in JUnit's extension store.
 */
public final class EmbeddedMqExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(EmbeddedMqExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == MqClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        return store.getOrComputeIfAbsent(EmbeddedQueue.class, k -> EmbeddedQueue.open(), EmbeddedQueue.class).client;
    }

    /** One client and its directory; JUnit closes AutoCloseable store values when the owning context ends. */
    private static final class EmbeddedQueue implements AutoCloseable {
        private final Path directory;
        private final MqClient client;

        private EmbeddedQueue(Path directory, MqClient client) {
            this.directory = directory;
            this.client = client;
        }

        static EmbeddedQueue open() {
            Path dir;
            try {
                dir = Files.createTempDirectory("rocksmq-test-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                // toUri() percent-encodes, so any directory name makes a valid URI.
                return new EmbeddedQueue(dir, MqClient.open("rocksmq:" + dir.toUri().getRawPath()));
            } catch (RuntimeException e) {
                deleteQuietly(dir, e);
                throw new ParameterResolutionException("cannot open an embedded queue in " + dir
                        + " (is rocksmq-core on the test class path?)", e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                client.close();
            } finally {
                delete(directory);
            }
        }

        private static void deleteQuietly(Path dir, Exception failure) {
            try {
                delete(dir);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }

        private static void delete(Path dir) throws IOException {
            if (!Files.exists(dir)) {
                return;
            }
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
    }
}
