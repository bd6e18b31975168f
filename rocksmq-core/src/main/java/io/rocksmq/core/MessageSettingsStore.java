package io.rocksmq.core;

import java.time.Duration;

/**
 * Reads and writes a topic's {@link MessageSettings} record ({@code 0x18 .. 0x00}, {@link StorageLayout})
 * and applies it to the topic's in-memory state.
 *
 * <p>Thread-safe: stateless; {@link #set} runs under the topic's admin lock, so two concurrent changes
 * of one topic's settings write and apply in the same order.
 */
final class MessageSettingsStore {
    private MessageSettingsStore() {
    }

    /** The topic's stored settings, or the defaults if it has none. */
    static MessageSettings load(RocksStore store, long topicId) {
        byte[] v = store.getMeta(MessageRecordLayout.messageSettingsKey(topicId));
        if (v == null) {
            return MessageSettings.DEFAULT;
        }
        long[] fields = MessageRecordLayout.decodeMessageSettings(v);
        return new MessageSettings(Duration.ofMillis(fields[0]), Duration.ofMillis(Math.max(0, fields[1])));
    }

    /** Persists the settings, then applies them; the caller entered the topic. */
    static void set(RocksStore store, Topic t, MessageSettings settings) {
        t.underAdminLock(() -> {
            store.putMeta(MessageRecordLayout.messageSettingsKey(t.id()),
                    MessageRecordLayout.messageSettingsValue(settings.deduplicationWindow().toMillis(),
                            settings.defaultTtl().isZero() ? -1 : settings.defaultTtl().toMillis()));
            t.deduplication().windowMillis(settings.deduplicationWindow().toMillis());
            t.defaultTtlMillis(settings.defaultTtl().toMillis());
            return null;
        });
    }

    /** The settings in force for the topic. */
    static MessageSettings current(Topic t) {
        return new MessageSettings(Duration.ofMillis(t.deduplication().windowMillis()),
                Duration.ofMillis(t.defaultTtlMillis()));
    }
}
