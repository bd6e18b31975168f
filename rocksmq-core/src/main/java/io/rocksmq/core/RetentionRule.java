package io.rocksmq.core;

/**
 * The four retention rules, in the order deleted messages are attributed to them: a message that
 * several rules would delete counts for the first one (the consumed-data rules before the hard caps,
 * so that a hard cap is blamed only for what the ordinary rules would have kept).
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
    MAX_RETENTION_BYTES;

    static final int COUNT = values().length;

    /** True for the hard caps, which may delete messages a group has not read. */
    boolean isHardCap() {
        return this == MAX_RETENTION_TIME || this == MAX_RETENTION_BYTES;
    }
}
