package io.rocksmq.core.client;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.MqClientProvider;
import io.rocksmq.api.internals.UriParameters;
import io.rocksmq.core.Durability;
import io.rocksmq.core.RocksMqConfig;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Opens the embedded backend for {@link MqClient#open(String)}. URI form:
 * <pre>
 * rocksmq:&lt;directory&gt;[?durability=wal|fsync]
 * </pre>
 * for example {@code rocksmq:./data}, {@code rocksmq:/var/lib/app/mq?durability=fsync}, or
 * {@code rocksmq:///var/lib/app/mq}. The directory may be percent-encoded (as {@link Path#toUri()}
 * writes it). Unknown parameters are rejected, so a typo never silently falls back to a default.
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
            if (p.getKey().equals("durability")) {
                config.durability(durability(p.getValue()));
            } else {
                throw new InvalidArgumentException("unknown parameter '" + p.getKey() + "' in " + uri
                        + " (known: durability)");
            }
        }
        return RocksMqClient.open(config.build());
    }

    private static Durability durability(String value) {
        try {
            return Durability.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("durability must be wal or fsync, was '" + value + "'");
        }
    }
}
