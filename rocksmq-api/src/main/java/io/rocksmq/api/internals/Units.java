package io.rocksmq.api.internals;

import io.rocksmq.api.InvalidArgumentException;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes and durations as people write them in URIs and on command lines: {@code 64MiB}, {@code 1GiB},
 * {@code 4096}; {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 7d} or ISO-8601 {@code PT10S}.
 * Thread-safe: stateless.
 */
public final class Units {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,18})\\s*(b|kib|mib|gib|tib|)");
    private static final Pattern SPAN = Pattern.compile("(\\d{1,15})(ms|s|m|h|d)");

    private Units() {
    }

    /**
     * Bytes from {@code 4096}, {@code 512KiB}, {@code 64MiB}, {@code 1GiB}, {@code 2TiB} (case ignored).
     *
     * @throws InvalidArgumentException if the value is not such a size or does not fit a long
     */
    public static long bytes(String value) {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new InvalidArgumentException("'" + value + "' is not a size: use bytes, or 512KiB, 64MiB, 1GiB");
        }
        int shift = switch (m.group(2)) {
            case "", "b" -> 0;
            case "kib" -> 10;
            case "mib" -> 20;
            case "gib" -> 30;
            default -> 40;
        };
        long n = Long.parseLong(m.group(1));
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new InvalidArgumentException("'" + value + "' is too large");
        }
        return n << shift;
    }

    /**
     * A duration from {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 7d} or ISO-8601
     * ({@code PT10S}).
     *
     * @throws InvalidArgumentException if the value is neither
     */
    public static Duration duration(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        Matcher m = SPAN.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(value.trim());
        } catch (DateTimeParseException notIso) {
            throw new InvalidArgumentException("'" + value + "' is not a duration: use 250ms, 10s, 5m, 2h, 7d or PT10S");
        }
    }
}
