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
import java.util.function.Function;

/**
 * Gives a test a fresh embedded queue: an {@link MqClient} parameter is resolved to a client on a new
 * temporary directory, closed and deleted when the test (or, for {@code @BeforeAll} parameters, the
 * class) finishes; a {@code @}{@link QueueDirectory} {@link Path} parameter to that directory. Every
 * parameter of one test method, including those of its {@code @BeforeEach} methods, gets the same queue.
 * {@link MqAwait#messages} waits for messages without sleeps.
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedMqExtension.class)
 * class OrderServiceTest {
 *     @Test
 *     void publishesAnEvent(MqClient client, @QueueDirectory Path dir) { ... }
 * }
 * }</pre>
 *
 * By default the client is opened with {@link MqClient#open(Path)}, so the test's class path needs
 * {@code rocksmq-core} (the testkit itself does not depend on it). To choose settings (durability,
 * retention, a test clock), register the extension with an opener of your own:
 *
 * <pre>{@code
 * @RegisterExtension
 * static EmbeddedMqExtension mq = EmbeddedMqExtension.opening(dir ->
 *         RocksMqClient.open(RocksMqConfig.builder(dir).clock(testClock).build()));
 * }</pre>
 *
 * <p>Thread-safe: stateless; per-test state lives in JUnit's extension store.
 */
public final class EmbeddedMqExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(EmbeddedMqExtension.class);

    private final Function<Path, MqClient> opener;

    /** For {@code @ExtendWith}: queues with default settings. */
    public EmbeddedMqExtension() {
        this(MqClient::open);
    }

    private EmbeddedMqExtension(Function<Path, MqClient> opener) {
        this.opener = opener;
    }

    /**
     * For {@code @RegisterExtension}: each queue is opened by {@code opener} on its fresh directory (which
     * exists and is empty).
     */
    public static EmbeddedMqExtension opening(Function<Path, MqClient> opener) {
        if (opener == null) {
            throw new IllegalArgumentException("opener must not be null");
        }
        return new EmbeddedMqExtension(opener);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == MqClient.class || (type == Path.class && parameter.isAnnotated(QueueDirectory.class));
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        EmbeddedQueue queue = store.getOrComputeIfAbsent(EmbeddedQueue.class, k -> EmbeddedQueue.open(opener),
                EmbeddedQueue.class);
        return parameter.getParameter().getType() == Path.class ? queue.directory : queue.client;
    }

    /** One client and its directory; JUnit closes AutoCloseable store values when the owning context ends. */
    private static final class EmbeddedQueue implements AutoCloseable {
        private final Path directory;
        private final MqClient client;

        private EmbeddedQueue(Path directory, MqClient client) {
            this.directory = directory;
            this.client = client;
        }

        static EmbeddedQueue open(Function<Path, MqClient> opener) {
            Path dir;
            try {
                dir = Files.createTempDirectory("rocksmq-test-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                MqClient client = opener.apply(dir);
                if (client == null) {
                    throw new IllegalStateException("the opener returned no client");
                }
                return new EmbeddedQueue(dir, client);
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
