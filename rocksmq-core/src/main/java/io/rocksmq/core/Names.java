package io.rocksmq.core;

import io.rocksmq.api.InvalidNameException;

/** Validation of topic and consumer-group names. Thread-safe: stateless. */
final class Names {
    static final int MAX_LENGTH = 255;

    private Names() {
    }

    /**
     * Accepts 1 to 255 characters with no control characters and no unpaired surrogates (so every name
     * round-trips through UTF-8); anything else is an {@link InvalidNameException}.
     */
    static String check(String kind, String name) {
        if (name == null) {
            throw new InvalidNameException(kind + " name must not be null");
        }
        int n = name.length();
        if (n == 0 || n > MAX_LENGTH) {
            throw new InvalidNameException(kind + " name must be 1 to " + MAX_LENGTH + " characters, was " + n);
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidNameException(kind + " name contains control character U+"
                        + String.format("%04X", (int) c) + " at index " + i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidNameException(kind + " name contains an unpaired surrogate at index " + i);
            }
        }
        return name;
    }

    /** Checks a topic name and a consumer-group name. */
    static void checkTopicAndGroup(String topic, String group) {
        check("topic", topic);
        check("consumer group", group);
    }
}
