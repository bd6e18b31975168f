package io.rocksmq.kafka;

import io.rocksmq.api.InvalidNameException;
import io.rocksmq.api.internals.Utf16;

/**
 * Name checks, made before anything is sent to the cluster so that a bad name changes nothing.
 * Topics follow Kafka's rule (1 to 249 of {@code [a-zA-Z0-9._-]}, not {@code .} or {@code ..}), stricter
 * than the embedded backend's; subscription (consumer group) names follow the embedded backend's rule
 * (1 to 255 characters, no control characters, no unpaired surrogates), which Kafka accepts.
 *
 * <p>Thread-safe: stateless.
 */
final class KafkaNames {
    static final int MAX_TOPIC_LENGTH = 249;
    static final int MAX_SUBSCRIPTION_LENGTH = 255;

    private KafkaNames() {
    }

    static String topic(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidNameException("topic name must not be null or empty");
        }
        if (name.length() > MAX_TOPIC_LENGTH) {
            throw new InvalidNameException("a Kafka topic name has at most " + MAX_TOPIC_LENGTH
                    + " characters, was " + name.length());
        }
        if (name.equals(".") || name.equals("..")) {
            throw new InvalidNameException("Kafka does not allow the topic name '" + name + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!legal) {
                throw new InvalidNameException("a Kafka topic name may only hold ASCII letters, digits, '.', '_'"
                        + " and '-'; '" + name + "' has '" + c + "' at index " + i);
            }
        }
        return name;
    }

    static String subscription(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidNameException("subscription name must not be null or empty");
        }
        int n = name.length();
        if (n > MAX_SUBSCRIPTION_LENGTH) {
            throw new InvalidNameException("subscription name must be 1 to " + MAX_SUBSCRIPTION_LENGTH
                    + " characters, was " + n);
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidNameException("subscription name contains control character U+"
                        + String.format("%04X", (int) c) + " at index " + i);
            }
        }
        int bad = Utf16.unpairedSurrogate(name);
        if (bad >= 0) {
            throw new InvalidNameException("subscription name contains an unpaired surrogate at index " + bad);
        }
        return name;
    }
}
