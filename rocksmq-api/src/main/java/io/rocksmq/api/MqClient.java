package io.rocksmq.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Entry point of the client API: producers, consumers and topic administration, on any backend.
 *
 * <pre>{@code
 * try (MqClient client = MqClient.open("rocksmq:./data");
 *      Producer producer = client.createProducer(ProducerOptions.of("orders"));
 *      Consumer consumer = client.subscribe(ConsumerOptions.builder("orders", "billing")
 *              .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
 *     producer.send("hello".getBytes(StandardCharsets.UTF_8));
 *     consumer.receive(Duration.ofSeconds(1)).ifPresent(m -> consumer.ack(m.id()));
 * }
 * }</pre>
 *
 * <p>Topics are created on first use by {@link #createProducer} and {@link #subscribe}, or explicitly.
 *
 * <p>Thread-safe: one client is meant to be shared by the whole application.
 */
public interface MqClient extends AutoCloseable {

    /**
     * Opens a client on the backend that handles {@code uri}, found among the
     * {@link MqClientProvider}s on the class path ({@link ServiceLoader}, thread context class loader
     * first). URIs: {@code rocksmq:<directory>} (embedded, {@code rocksmq-core}), for example
     * {@code rocksmq:./data}; {@code kafka://host:9092,host2:9092?key=value} (Kafka backend).
     *
     * @throws InvalidArgumentException if the URI is null or malformed, or no backend on the class path handles it
     * @throws RocksMqException         (a subclass) if the backend cannot be opened
     */
    static MqClient open(String uri) {
        return open0(uri);
    }

    /**
     * Opens the embedded backend ({@code rocksmq-core} on the class path) on this data directory, with
     * default settings: the same as {@code open("rocksmq://" + path)} with the path encoded, so
     * directories with spaces or other URI-special characters work. For settings, use a
     * {@code rocksmq:} URI with parameters (see {@code RocksMqClientProvider}).
     *
     * @throws InvalidArgumentException if the directory is null or no embedded backend is on the class path
     */
    static MqClient open(Path directory) {
        if (directory == null) {
            throw new InvalidArgumentException("directory must not be null");
        }
        return open0("rocksmq://" + directory.toAbsolutePath().toUri().getRawPath());
    }

    private static MqClient open0(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new InvalidArgumentException("client URI must not be null or blank");
        }
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new InvalidArgumentException("malformed client URI '" + uri + "': " + e.getMessage());
        }
        if (parsed.getScheme() == null) {
            throw new InvalidArgumentException("client URI '" + uri + "' has no scheme (rocksmq:, kafka://)");
        }
        List<ClassLoader> loaders = new ArrayList<>(2);
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            loaders.add(context);
        }
        loaders.add(MqClient.class.getClassLoader());
        List<Throwable> broken = new ArrayList<>();
        for (ClassLoader loader : loaders) {
            Iterator<MqClientProvider> providers = ServiceLoader.load(MqClientProvider.class, loader).iterator();
            while (true) {
                MqClientProvider provider;
                try {
                    if (!providers.hasNext()) {
                        break;
                    }
                    provider = providers.next();
                } catch (ServiceConfigurationError e) {
                    // One backend that cannot load (missing dependency) must not hide the others.
                    broken.add(e);
                    continue;
                }
                if (provider.supports(parsed)) {
                    return provider.open(parsed);
                }
            }
        }
        InvalidArgumentException none = new InvalidArgumentException("no backend on the class path handles '"
                + parsed.getScheme() + ":' URIs (add rocksmq-core for rocksmq:, the Kafka backend for kafka:)");
        broken.forEach(none::addSuppressed);
        throw none;
    }

    /**
     * Creates a producer, creating its topic if it does not exist.
     *
     * @throws InvalidArgumentException if the options are null
     * @throws InvalidNameException     if the backend rejects the topic name
     * @throws QueueClosedException     if the client is closed
     */
    Producer createProducer(ProducerOptions options);

    /**
     * A producer with default options; see {@link #createProducer(ProducerOptions)}.
     *
     * @throws InvalidNameException if the topic is null, empty or rejected by the backend
     */
    default Producer createProducer(String topic) {
        return createProducer(ProducerOptions.of(topic));
    }

    /**
     * Opens a consumer of a subscription, creating the topic and the subscription if they do not exist.
     * A new subscription starts at {@link ConsumerOptions#initialPosition()}, fixed before this method
     * returns; an existing one resumes at its persisted position.
     *
     * @throws InvalidArgumentException    if the options are null
     * @throws InvalidNameException        if the backend rejects the topic or subscription name
     * @throws SubscriptionInUseException  if the EXCLUSIVE subscription already has an open consumer on this
     *                                     client (a SHARED one may have any number)
     * @throws WrongGroupTypeException     if the subscription exists with the other {@link SubscriptionType}
     * @throws QueueClosedException        if the client is closed
     */
    Consumer subscribe(ConsumerOptions options);

    /**
     * Creates a topic; does nothing if it exists.
     *
     * @throws InvalidNameException if the name is null, empty or rejected by the backend
     * @throws QueueClosedException if the client is closed
     */
    void createTopic(String topic);

    /**
     * Deletes a topic with its messages and subscriptions. Open producers of it then fail to send;
     * open consumers of it fail with {@link TopicNotFoundException}.
     *
     * @throws TopicNotFoundException if there is no such topic
     * @throws InvalidNameException   if the name is null or empty
     * @throws QueueClosedException   if the client is closed
     */
    void deleteTopic(String topic);

    /**
     * Names of all topics, sorted.
     *
     * @throws QueueClosedException if the client is closed
     */
    List<String> listTopics();

    /**
     * The subscriptions of a topic with their lag, sorted by name.
     *
     * @throws TopicNotFoundException if there is no such topic
     * @throws InvalidNameException   if the name is null or empty
     * @throws QueueClosedException   if the client is closed
     */
    List<SubscriptionInfo> listSubscriptions(String topic);

    /**
     * Deletes a subscription and its position; does nothing if it does not exist. An open consumer of it
     * fails with {@link ConsumerGroupNotFoundException}.
     *
     * @throws TopicNotFoundException if there is no such topic
     * @throws InvalidNameException   if a name is null or empty
     * @throws QueueClosedException   if the client is closed
     */
    void deleteSubscription(String topic, String subscription);

    /**
     * Closes every producer (sending what they hold) and consumer made by this client, then releases the
     * backend. Later calls throw {@link QueueClosedException}. Idempotent.
     */
    @Override
    void close();

    /**
     * The backend object of that type behind this client, for what the client API does not cover:
     * the embedded queue ({@code io.rocksmq.core.RocksMq}, for example to bind its metrics) or the
     * client itself. Like JDBC's {@code unwrap}.
     *
     * @throws InvalidArgumentException if this backend has nothing of that type
     */
    default <T> T unwrap(Class<T> type) {
        if (type != null && type.isInstance(this)) {
            return type.cast(this);
        }
        throw new InvalidArgumentException(getClass().getSimpleName() + " has no " + (type == null ? "null"
                : type.getName()) + " to unwrap");
    }
}
