package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;

import java.time.Duration;

/**
 * A topic's message-level settings, persisted with the topic ({@link QueueAdmin#setMessageSettings}).
 *
 * @param deduplicationWindow how long a stored deduplication id makes later produces of the same id
 *                            duplicates ({@link ProducerMessage#deduplicationId()}); {@link Duration#ZERO}
 *                            turns deduplication off for the topic (ids are then ignored and not indexed)
 * @param defaultTtl          how long after its publish time a message without an expiry of its own
 *                            expires ({@link ProducerMessage#withTtl}); {@link Duration#ZERO}: never. Applied
 *                            when messages are read, so a change applies to messages already stored too.
 *
 * <p>Immutable and thread-safe.
 */
public record MessageSettings(Duration deduplicationWindow, Duration defaultTtl) {
    /** The default deduplication window: 2 minutes (as NATS JetStream's {@code duplicate_window}). */
    public static final Duration DEFAULT_DEDUPLICATION_WINDOW = Duration.ofMinutes(2);
    /** The longest deduplication window: ids are kept in the store for that long. */
    public static final Duration MAX_DEDUPLICATION_WINDOW = Duration.ofDays(7);
    /** The longest default time-to-live: what a {@code long} of milliseconds holds (in effect, forever). */
    private static final Duration LONGEST_TTL = Duration.ofMillis(Long.MAX_VALUE);
    /** The settings of a topic that never had any set. */
    public static final MessageSettings DEFAULT = new MessageSettings(DEFAULT_DEDUPLICATION_WINDOW, Duration.ZERO);

    /**
     * @throws InvalidArgumentException if the window is null, negative or longer than
     *                                  {@link #MAX_DEDUPLICATION_WINDOW}, or the ttl is null, negative or
     *                                  longer than {@link Long#MAX_VALUE} milliseconds (it is stored in them)
     */
    public MessageSettings {
        if (deduplicationWindow == null || deduplicationWindow.isNegative()
                || deduplicationWindow.compareTo(MAX_DEDUPLICATION_WINDOW) > 0) {
            throw new InvalidArgumentException("deduplication window must be between 0 and "
                    + MAX_DEDUPLICATION_WINDOW + ", was " + deduplicationWindow);
        }
        if (defaultTtl == null || defaultTtl.isNegative() || defaultTtl.compareTo(LONGEST_TTL) > 0) {
            throw new InvalidArgumentException("default ttl must be 0 (none) or positive and at most "
                    + LONGEST_TTL.toMillis() + " ms, was " + defaultTtl);
        }
    }

    /** These settings with another deduplication window. */
    public MessageSettings withDeduplicationWindow(Duration window) {
        return new MessageSettings(window, defaultTtl);
    }

    /** These settings with another default time-to-live ({@link Duration#ZERO}: none). */
    public MessageSettings withDefaultTtl(Duration ttl) {
        return new MessageSettings(deduplicationWindow, ttl);
    }
}
