package io.rocksmq.api;

/**
 * The subscription already has an open consumer on this client: a subscription is consumed by one
 * consumer at a time. Close that consumer first. Thread-safe (immutable).
 */
public class SubscriptionInUseException extends RocksMqException {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final String subscription;

    public SubscriptionInUseException(String topic, String subscription) {
        super("subscription '" + subscription + "' on topic '" + topic + "' already has an open consumer");
        this.topic = topic;
        this.subscription = subscription;
    }

    public String topic() {
        return topic;
    }

    public String subscription() {
        return subscription;
    }
}
