package io.rocksmq.api;

/**
 * A subscription of a topic and how far behind it is, from {@link MqClient#listSubscriptions}.
 *
 * <p>Thread-safe (immutable).
 *
 * @param topic the topic
 * @param name  the subscription name
 * @param lag   messages stored after the subscription's persisted position (not yet acknowledged)
 */
public record SubscriptionInfo(String topic, String name, long lag) {
}
