package io.rocksmq.kafka;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per (topic, subscription), the expired records this client's consumers dropped without delivering
 * them, since the client opened ({@link KafkaMqClient#expiredMessages}). Kafka keeps no such count, so
 * it lives here, in the client's memory only: see {@link KafkaMqClient#expiredMessages} for what that
 * means after a restart and with several clients.
 *
 * <p>Thread-safe: a concurrent map of adders; a counter, once made, is never removed while the client
 * is open, so a consumer may keep the one it was given.
 */
final class ExpiredCounts {
    private record Key(String topic, String subscription) {
    }

    private final ConcurrentHashMap<Key, LongAdder> counts = new ConcurrentHashMap<>();

    /** The counter of a subscription, made on first use. */
    LongAdder of(String topic, String subscription) {
        return counts.computeIfAbsent(new Key(topic, subscription), k -> new LongAdder());
    }

    /** The count of a subscription: 0 if none of this client's consumers dropped an expired record of it. */
    long count(String topic, String subscription) {
        LongAdder a = counts.get(new Key(topic, subscription));
        return a == null ? 0 : a.sum();
    }
}
