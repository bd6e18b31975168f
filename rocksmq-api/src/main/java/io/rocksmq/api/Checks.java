package io.rocksmq.api;

/** Argument checks shared by the API types. Thread-safe: stateless. */
final class Checks {
    private Checks() {
    }

    static String name(String kind, String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidNameException(kind + " name must not be null or empty");
        }
        return name;
    }

    static int positive(String what, int value) {
        if (value <= 0) {
            throw new InvalidArgumentException(what + " must be positive, was " + value);
        }
        return value;
    }
}
