package io.rocksmq.core.client;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.MqClientProvider;
import io.rocksmq.api.internals.Units;
import io.rocksmq.api.internals.UriParameters;
import io.rocksmq.core.Compression;
import io.rocksmq.core.Durability;
import io.rocksmq.core.RetentionPolicy;
import io.rocksmq.core.RocksMqConfig;

import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;

/**
 * Opens the embedded backend for {@link MqClient#open(String)}. URI form:
 * <pre>
 * rocksmq:&lt;directory&gt;[?setting=value&amp;...]
 * </pre>
 * for example {@code rocksmq:./data}, {@code rocksmq:/var/lib/app/mq?durability=fsync}, or
 * {@code rocksmq:///var/lib/app/mq?writeBufferBytes=16MiB&retentionTime=2h}. The directory may be
 * percent-encoded (as {@link Path#toUri()} writes it; {@link MqClient#open(Path)} does that for you).
 * Every {@link RocksMqConfig.Builder} setting can be given by its name: {@code durability} (wal, fsync),
 * {@code compression} (none, lz4, zstd, ...), {@code readOnly} (true, false), the sizes
 * {@code blockCacheBytes}, {@code writeBufferBytes}, {@code maxBatchEntryBytes},
 * {@code retentionBytes}, {@code maxRetentionBytes}, {@code retentionSegmentBytes} (4096, 64MiB, 1GiB;
 * retention limits also {@code unlimited}), and the times {@code retentionTime}, {@code maxRetentionTime},
 * {@code retentionInterval} (250ms, 10s, 2h, 7d, PT10S; retention limits also {@code unlimited}). Unknown
 * parameters and bad values are rejected, so a typo never silently falls back to a default.
 *
 * <p>Thread-safe: stateless.
 */
public final class RocksMqClientProvider implements MqClientProvider {
    public static final String SCHEME = "rocksmq";

    @Override
    public boolean supports(URI uri) {
        return uri != null && SCHEME.equalsIgnoreCase(uri.getScheme());
    }

    /**
     * @throws InvalidArgumentException                 if the URI has no directory or an unknown parameter
     * @throws io.rocksmq.api.QueueAlreadyOpenException if the directory is already open
     */
    @Override
    public MqClient open(URI uri) {
        if (!supports(uri)) {
            throw new InvalidArgumentException("not a " + SCHEME + ": URI: " + uri);
        }
        String raw = uri.getRawSchemeSpecificPart();
        String rawQuery = null;
        int q = raw.indexOf('?');
        if (q >= 0) {
            rawQuery = raw.substring(q + 1);
            raw = raw.substring(0, q);
        }
        String directory = UriParameters.decode(raw);
        if (directory.isEmpty()) {
            throw new InvalidArgumentException("the URI names no directory: " + uri);
        }
        RocksMqConfig.Builder config = RocksMqConfig.builder(Path.of(directory));
        for (Map.Entry<String, String> p : UriParameters.parse(rawQuery).entrySet()) {
            BiConsumer<RocksMqConfig.Builder, String> setting = SETTINGS.get(p.getKey());
            if (setting == null) {
                throw new InvalidArgumentException("unknown parameter '" + p.getKey() + "' in " + uri
                        + " (known: " + String.join(", ", new TreeSet<>(SETTINGS.keySet())) + ")");
            }
            try {
                setting.accept(config, p.getValue());
            } catch (InvalidArgumentException e) {
                throw new InvalidArgumentException("parameter '" + p.getKey() + "' in " + uri + ": " + e.getMessage());
            }
        }
        return RocksMqClient.open(config.build());
    }

    /** Every builder setting by name, with how its value is read. */
    private static final Map<String, BiConsumer<RocksMqConfig.Builder, String>> SETTINGS = Map.ofEntries(
            Map.entry("durability", (b, v) -> b.durability(constant(Durability.class, v))),
            Map.entry("compression", (b, v) -> b.compression(constant(Compression.class, v))),
            Map.entry("readOnly", (b, v) -> b.readOnly(bool(v))),
            Map.entry("blockCacheBytes", (b, v) -> b.blockCacheBytes(Units.bytes(v))),
            Map.entry("writeBufferBytes", (b, v) -> b.writeBufferBytes(Units.bytes(v))),
            Map.entry("maxBatchEntryBytes", (b, v) -> b.maxBatchEntryBytes(Math.toIntExact(Units.bytes(v)))),
            Map.entry("retentionSegmentBytes", (b, v) -> b.retentionSegmentBytes(Units.bytes(v))),
            Map.entry("retentionBytes", (b, v) -> b.retentionBytes(limit(v, Units::bytes))),
            Map.entry("maxRetentionBytes", (b, v) -> b.maxRetentionBytes(limit(v, Units::bytes))),
            Map.entry("retentionTime", (b, v) -> b.retentionTime(limit(v, t -> Units.duration(t).toMillis()))),
            Map.entry("maxRetentionTime", (b, v) -> b.maxRetentionTime(limit(v, t -> Units.duration(t).toMillis()))),
            Map.entry("retentionInterval", (b, v) -> b.retentionInterval(Units.duration(v))));

    private static <E extends Enum<E>> E constant(Class<E> type, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("'" + value + "' is not one of "
                    + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
        }
    }

    private static boolean bool(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "" -> true;
            case "false" -> false;
            default -> throw new InvalidArgumentException("'" + value + "' is not true or false");
        };
    }

    /** A retention limit: {@code unlimited} (or -1), else what {@code parse} reads. */
    private static long limit(String value, ToLongFunction<String> parse) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        return v.equals("unlimited") || v.equals("-1") ? RetentionPolicy.UNLIMITED : parse.applyAsLong(v);
    }
}
