package io.rocksmq.kafka;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.MqClientProvider;
import io.rocksmq.api.internals.UriParameters;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * Opens the Kafka backend for {@link MqClient#open(String)}. URI form:
 * <pre>
 * kafka://host:port[,host:port...][/][?option=value&amp;...]
 * </pre>
 * for example {@code kafka://localhost:9092} or
 * {@code kafka://k1:9092,k2:9092?partitions=6&replicationFactor=3&security.protocol=SSL}.
 *
 * <p>Options (the {@link KafkaOptions.Builder} methods of the same name): {@code partitions},
 * {@code replicationFactor}, {@code retentionMs}, {@code retentionBytes}, {@code logAppendTime}
 * ({@code true|false}), {@code requestTimeoutMs}, {@code connectionTimeoutMs},
 * {@code subscriptionCheckIntervalMs}, {@code commitMode} ({@code sync|async}). A name containing a dot is
 * a Kafka client setting passed through ({@link KafkaOptions.Builder#clientProperty}). Any other name is
 * rejected, so a typo never silently falls back to a default. Values may be percent-encoded.
 *
 * <p>Thread-safe: stateless.
 */
public final class KafkaMqClientProvider implements MqClientProvider {
    public static final String SCHEME = "kafka";

    @Override
    public boolean supports(URI uri) {
        return uri != null && SCHEME.equalsIgnoreCase(uri.getScheme());
    }

    /**
     * @throws InvalidArgumentException        if the URI names no servers, has a user, a path or an unknown
     *                                         option, or a value is malformed
     * @throws io.rocksmq.api.StorageException if the cluster does not answer within the connection timeout
     */
    @Override
    public MqClient open(URI uri) {
        return KafkaMqClient.open(options(uri));
    }

    /** The options a {@code kafka://} URI stands for; see the class javadoc. */
    public static KafkaOptions options(URI uri) {
        if (uri == null || !SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw new InvalidArgumentException("not a " + SCHEME + ":// URI: " + uri);
        }
        if (uri.isOpaque()) {
            throw new InvalidArgumentException("a Kafka URI is kafka://host:port[,host:port...], got " + uri);
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new InvalidArgumentException("the URI names no Kafka servers: " + uri);
        }
        if (authority.contains("@")) {
            throw new InvalidArgumentException("credentials do not go in a Kafka URI's authority; pass them as"
                    + " client properties (sasl.jaas.config=...): " + uri);
        }
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            throw new InvalidArgumentException("a Kafka URI has no path, got '" + path + "' in " + uri);
        }
        if (uri.getRawFragment() != null) {
            throw new InvalidArgumentException("a Kafka URI has no fragment: " + uri);
        }
        KafkaOptions.Builder b = KafkaOptions.builder(UriParameters.decode(authority));
        UriParameters.parse(uri.getRawQuery()).forEach((name, value) -> apply(b, name, value, uri));
        return b.build();
    }

    private static void apply(KafkaOptions.Builder b, String name, String value, URI uri) {
        if (name.indexOf('.') >= 0) {
            b.clientProperty(name, value);
            return;
        }
        switch (name) {
            case "partitions" -> b.partitions(intValue(name, value));
            case "replicationFactor" -> {
                int rf = intValue(name, value);
                if (rf > Short.MAX_VALUE) {
                    throw new InvalidArgumentException("replicationFactor is too large: " + value);
                }
                b.replicationFactor((short) rf);
            }
            case "retentionMs" -> b.retentionMs(longValue(name, value));
            case "retentionBytes" -> b.retentionBytes(longValue(name, value));
            case "logAppendTime" -> b.logAppendTime(booleanValue(name, value));
            case "requestTimeoutMs" -> b.requestTimeout(Duration.ofMillis(longValue(name, value)));
            case "connectionTimeoutMs" -> b.connectionTimeout(Duration.ofMillis(longValue(name, value)));
            case "subscriptionCheckIntervalMs" -> b.subscriptionCheckInterval(Duration.ofMillis(longValue(name, value)));
            case "commitMode" -> {
                try {
                    b.commitMode(KafkaOptions.CommitMode.valueOf(value.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidArgumentException("commitMode must be sync or async, was '" + value + "'");
                }
            }
            default -> throw new InvalidArgumentException("unknown option '" + name + "' in " + uri
                    + " (known: partitions, replicationFactor, retentionMs, retentionBytes, logAppendTime,"
                    + " requestTimeoutMs, connectionTimeoutMs, subscriptionCheckIntervalMs, commitMode;"
                    + " names with a dot are Kafka client settings)");
        }
    }

    private static int intValue(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(name + " must be an integer, was '" + value + "'");
        }
    }

    private static long longValue(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(name + " must be an integer, was '" + value + "'");
        }
    }

    private static boolean booleanValue(String name, String value) {
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new InvalidArgumentException(name + " must be true or false, was '" + value + "'");
    }
}
