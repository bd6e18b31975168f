package io.rocksmq.core;

/**
 * The retention rules. Ordinals are persisted (the per-rule counts of the retention state), so a new
 * rule goes last; {@link #ATTRIBUTION} is the order deleted messages are attributed to them: a message
 * that several rules would delete counts for the first one (the consumed-data rules, then expiry,
 * before the hard caps, so that a hard cap is blamed only for what the other rules would have kept).
 *
 * <p>Thread-safe (immutable).
 */
enum RetentionRule {
    /** Consumed by every group and older than {@code retentionTime}. */
    RETENTION_TIME,
    /** Consumed by every group and beyond {@code retentionBytes} of consumed data. */
    RETENTION_BYTES,
    /** Older than {@code maxRetentionTime}, read or not. */
    MAX_RETENTION_TIME,
    /** Beyond {@code maxRetentionBytes} of retained data, read or not. */
    MAX_RETENTION_BYTES,
    /**
     * Every message of the entry has expired (its own expiry, or the topic's default time-to-live from
     * its publish time), read or not: it can never be delivered.
     */
    EXPIRED;

    static final int COUNT = values().length;

    /** Rules in the order deleted messages are attributed to them. */
    static final RetentionRule[] ATTRIBUTION = {RETENTION_TIME, RETENTION_BYTES, EXPIRED, MAX_RETENTION_TIME,
            MAX_RETENTION_BYTES};

    /** True for the hard caps, which may delete messages a group has not read. */
    boolean isHardCap() {
        return this == MAX_RETENTION_TIME || this == MAX_RETENTION_BYTES;
    }
}
