package io.rocksmq.api;

/**
 * Where a NEW subscription starts. An existing subscription always resumes at its persisted position,
 * whatever the consumer asks for. Thread-safe (immutable).
 */
public enum SubscriptionInitialPosition {
    /** At the oldest message the topic still holds. */
    EARLIEST,
    /** After the newest message stored when {@link MqClient#subscribe} returns: only later messages are delivered. */
    LATEST
}
