package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;

import java.time.Duration;

/**
 * A topic's message-level settings, persisted with the topic ({@link RocksMq#setMessageSettings}).
 *
 * @param deduplicationWindow how long a stored deduplication id makes later produces of the same id
 *                            duplicates ({@link ProducerMessage#deduplicationId()}); {@link Duration#ZERO}
 *                            turns deduplication off for the topic (ids are then ignored and not indexed)
 *
 * <p>Immutable and thread-safe.
 */
public record MessageSettings(Duration deduplicationWindow) {
    /** The default deduplication window: 2 minutes (as NATS JetStream's {@code duplicate_window}). */
    public static final Duration DEFAULT_DEDUPLICATION_WINDOW = Duration.ofMinutes(2);
    /** The longest deduplication window: ids are kept in the store for that long. */
    public static final Duration MAX_DEDUPLICATION_WINDOW = Duration.ofDays(7);
    /** The settings of a topic that never had any set. */
    public static final MessageSettings DEFAULT = new MessageSettings(DEFAULT_DEDUPLICATION_WINDOW);

    /**
     * @throws InvalidArgumentException if the window is null, negative or longer than
     *                                  {@link #MAX_DEDUPLICATION_WINDOW}
     */
    public MessageSettings {
        if (deduplicationWindow == null || deduplicationWindow.isNegative()
                || deduplicationWindow.compareTo(MAX_DEDUPLICATION_WINDOW) > 0) {
            throw new InvalidArgumentException("deduplication window must be between 0 and "
                    + MAX_DEDUPLICATION_WINDOW + ", was " + deduplicationWindow);
        }
    }

    /** These settings with another deduplication window. */
    public MessageSettings withDeduplicationWindow(Duration window) {
        return new MessageSettings(window);
    }
}
