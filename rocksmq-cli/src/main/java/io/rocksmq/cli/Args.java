package io.rocksmq.cli;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.internals.Units;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Converters for option values: points in time, durations, message ids and {@code key=value} properties.
 *
 * <p>Thread-safe: stateless.
 */
final class Args {

    private Args() {
    }

    /**
     * A point in time as epoch milliseconds: {@code 2024-05-01T10:00:00Z}, {@code 2024-05-01T12:00}
     * (local time), {@code 2024-05-01} (local midnight), {@code 1714557600000} (epoch ms), or
     * {@code -10m} / {@code -2h} / {@code -1d} (that long ago).
     */
    static final class Time implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parseTime(value, Clock.systemDefaultZone());
        }
    }

    static long parseTime(String value, Clock clock) {
        String v = value.trim();
        if (v.startsWith("-")) {
            return clock.millis() - parseDuration(v.substring(1)).toMillis();
        }
        if (v.chars().allMatch(Character::isDigit) && !v.isEmpty()) {
            return Long.parseLong(v);
        }
        ZoneId zone = clock.getZone();
        try {
            return Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException notAnInstant) {
            try {
                return LocalDateTime.parse(v).atZone(zone).toInstant().toEpochMilli();
            } catch (DateTimeParseException notADateTime) {
                try {
                    return LocalDate.parse(v).atStartOfDay(zone).toInstant().toEpochMilli();
                } catch (DateTimeParseException notADate) {
                    throw new TypeConversionException("'" + value + "' is not a time: use 2024-05-01T10:00:00Z,"
                            + " 2024-05-01T12:00, 2024-05-01, epoch milliseconds, or -10m / -2h / -1d for 'ago'");
                }
            }
        }
    }

    /** A duration: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d} (or ISO-8601, PT10S). */
    static final class Span implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return parseDuration(value);
        }
    }

    static Duration parseDuration(String value) {
        try {
            return Units.duration(value);
        } catch (InvalidArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /**
     * A message id: {@code 42}, or {@code 0:42} as the client API prints a
     * {@link io.rocksmq.api.MessageId} (partition 0 is the only one an embedded queue has).
     */
    static final class Id implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parseId(value);
        }
    }

    static long parseId(String value) {
        String v = value.trim();
        int colon = v.indexOf(':');
        if (colon >= 0) {
            if (!v.substring(0, colon).equals("0")) {
                throw new TypeConversionException("'" + value + "' names partition " + v.substring(0, colon)
                        + "; an embedded queue has only partition 0");
            }
            v = v.substring(colon + 1);
        }
        try {
            long id = Long.parseLong(v);
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException notANumber) {
            // fall through to the one message below
        }
        throw new TypeConversionException("'" + value + "' is not a message id: use 42 or 0:42");
    }

    /** A size in bytes: {@code 1048576}, {@code 512KiB}, {@code 64MiB}, {@code 1GiB}, {@code 2TiB}. */
    static long parseSize(String value) {
        try {
            return Units.bytes(value);
        } catch (InvalidArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** A message property {@code key=value} (the value may contain '='; the key may not be empty). */
    static final class Property implements ITypeConverter<Map.Entry<String, String>> {
        @Override
        public Map.Entry<String, String> convert(String value) {
            int eq = value.indexOf('=');
            if (eq <= 0) {
                throw new TypeConversionException("'" + value + "' is not a property: use key=value");
            }
            return Map.entry(value.substring(0, eq), value.substring(eq + 1));
        }
    }
}
