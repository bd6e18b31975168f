package io.rocksmq.api.internals;

import io.rocksmq.api.InvalidArgumentException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decoding the parts of a backend URI ({@code rocksmq:dir?durability=fsync},
 * {@code kafka://host:9092?partitions=3}). Thread-safe: stateless.
 */
public final class UriParameters {
    private UriParameters() {
    }

    /**
     * Percent-decodes a raw URI part as UTF-8. A {@code '+'} stays a plus: this is a URI, not an HTML form
     * ({@link URLDecoder} alone would turn it into a space).
     *
     * @throws InvalidArgumentException if a percent-escape is malformed
     */
    public static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("malformed percent-escape in '" + raw + "'");
        }
    }

    /**
     * The parameters of a raw query ({@code a=1&b=x%20y}), decoded, in their order. A name without
     * {@code =} has the value {@code ""}; empty pieces ({@code a=1&&b=2}) are skipped; a repeated name keeps
     * its last value. Null or empty: none.
     *
     * @throws InvalidArgumentException if a percent-escape is malformed
     */
    public static Map<String, String> parse(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.put(name, value);
        }
        return out;
    }
}
