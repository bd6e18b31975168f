package io.rocksmq.core;

import java.util.Map;

/**
 * A message read from a topic.
 *
 * <p>Thread-safe (immutable, but the payload array is handed out as is: treat it as read-only).
 * Equality of the payload is by array identity, as for any record holding an array.
 *
 * @param id          the message id, strictly increasing per topic
 * @param payload     the bytes as produced
 * @param properties  the properties as produced (immutable)
 * @param publishTime epoch milliseconds at which the queue accepted the batch; never decreases within a topic
 */
public record ConsumerMessage(long id, byte[] payload, Map<String, String> properties, long publishTime) {
}
