package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;

import java.time.Duration;

/**
 * Retention settings of a topic: how long and how much data it keeps. Times are in milliseconds,
 * sizes in stored bytes (see {@link TopicStats#retainedBytes()}); {@link #UNLIMITED} ({@code -1})
 * disables a limit.
 *
 * <ul>
 *   <li>{@code retentionTime}, {@code retentionBytes}: data that <em>every</em> consumer group of the
 *       topic has consumed past is kept this long and up to this size, then deleted oldest first. A
 *       topic without any group has consumed nothing: its data is kept until a hard cap applies.</li>
 *   <li>{@code maxRetentionTime}, {@code maxRetentionBytes}: hard caps that apply to all data, read or
 *       not. A group that had not read what a cap deleted is moved to the earliest retained message and
 *       the skipped messages are counted ({@link RocksMq#skippedMessages}).</li>
 * </ul>
 * A message is deleted as soon as any enabled rule says so.
 *
 * <p>As a per-topic override ({@link QueueAdmin#setRetention}), a field may also be {@link #INHERIT}
 * ({@code -2}): that setting follows the queue's configured default ({@link RocksMqConfig#defaultRetention()}).
 *
 * <p>Thread-safe (immutable).
 *
 * @param retentionTime     milliseconds consumed data is kept, or -1
 * @param retentionBytes    stored bytes of consumed data kept, or -1
 * @param maxRetentionTime  milliseconds any data is kept, or -1
 * @param maxRetentionBytes stored bytes of data kept, or -1
 */
public record RetentionPolicy(long retentionTime, long retentionBytes, long maxRetentionTime, long maxRetentionBytes) {
    /** Disables a limit. */
    public static final long UNLIMITED = -1;
    /** In a per-topic override: use the queue's default for this setting. */
    public static final long INHERIT = -2;
    /** Every limit disabled: keep everything forever. */
    public static final RetentionPolicy KEEP_ALL = new RetentionPolicy(UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED);
    /** An override that changes nothing: every setting follows the queue's default. */
    public static final RetentionPolicy INHERIT_ALL = new RetentionPolicy(INHERIT, INHERIT, INHERIT, INHERIT);

    /**
     * @throws InvalidArgumentException if a value is below {@link #INHERIT}
     */
    public RetentionPolicy {
        check("retentionTime", retentionTime);
        check("retentionBytes", retentionBytes);
        check("maxRetentionTime", maxRetentionTime);
        check("maxRetentionBytes", maxRetentionBytes);
    }

    private static void check(String name, long value) {
        if (value < INHERIT) {
            throw new InvalidArgumentException(name + " must be >= 0, -1 (unlimited) or -2 (inherit), was " + value);
        }
    }

    public RetentionPolicy withRetentionTime(long millis) {
        return new RetentionPolicy(millis, retentionBytes, maxRetentionTime, maxRetentionBytes);
    }

    public RetentionPolicy withRetentionTime(Duration time) {
        return withRetentionTime(time.toMillis());
    }

    public RetentionPolicy withRetentionBytes(long bytes) {
        return new RetentionPolicy(retentionTime, bytes, maxRetentionTime, maxRetentionBytes);
    }

    public RetentionPolicy withMaxRetentionTime(long millis) {
        return new RetentionPolicy(retentionTime, retentionBytes, millis, maxRetentionBytes);
    }

    public RetentionPolicy withMaxRetentionTime(Duration time) {
        return withMaxRetentionTime(time.toMillis());
    }

    public RetentionPolicy withMaxRetentionBytes(long bytes) {
        return new RetentionPolicy(retentionTime, retentionBytes, maxRetentionTime, bytes);
    }

    /** True if some field is {@link #INHERIT}. */
    public boolean inherits() {
        return retentionTime == INHERIT || retentionBytes == INHERIT || maxRetentionTime == INHERIT
                || maxRetentionBytes == INHERIT;
    }

    /** This policy with every {@link #INHERIT} field taken from {@code defaults}. */
    public RetentionPolicy resolve(RetentionPolicy defaults) {
        return new RetentionPolicy(
                retentionTime == INHERIT ? defaults.retentionTime : retentionTime,
                retentionBytes == INHERIT ? defaults.retentionBytes : retentionBytes,
                maxRetentionTime == INHERIT ? defaults.maxRetentionTime : maxRetentionTime,
                maxRetentionBytes == INHERIT ? defaults.maxRetentionBytes : maxRetentionBytes);
    }

    /** True if at least one limit is enabled (after resolving). */
    boolean limitsAnything() {
        return retentionTime >= 0 || retentionBytes >= 0 || maxRetentionTime >= 0 || maxRetentionBytes >= 0;
    }
}
