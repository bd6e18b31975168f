package io.rocksmq.core.client;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.MqClientProvider;
import io.rocksmq.core.Durability;
import io.rocksmq.core.RocksMqConfig;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

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
        String directory = decode(raw);
        if (directory.isEmpty()) {
            throw new InvalidArgumentException("the URI names no directory: " + uri);
        }
        RocksMqConfig.Builder config = RocksMqConfig.builder(Path.of(directory));
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (name.equals("durability")) {
                    config.durability(durability(value));
                } else {
                    throw new InvalidArgumentException("unknown parameter '" + name + "' in " + uri
                            + " (known: durability)");
                }
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

    /** Percent-decoding only ('+' stays '+': this is a path, not a form). */
    static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) != '%') {
                int end = raw.indexOf('%', i);
                end = end < 0 ? raw.length() : end;
                out.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
                continue;
            }
            int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
            if (lo < 0) {
                throw new InvalidArgumentException("malformed percent-escape in '" + raw + "'");
            }
            out.write(hi << 4 | lo);
            i += 2;
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
