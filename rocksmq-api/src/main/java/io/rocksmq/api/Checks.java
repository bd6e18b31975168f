package io.rocksmq.api;

import io.rocksmq.api.internals.Utf16;

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

    static long positive(String what, long value) {
        if (value <= 0) {
            throw new InvalidArgumentException(what + " must be positive, was " + value);
        }
        return value;
    }

    /**
     * Rejects an unpaired surrogate: UTF-8 cannot encode one, and every backend stores text as UTF-8, so it
     * would come back as {@code '?'} — a silent change of the data.
     */
    static String wellFormed(String what, String s) {
        int i = Utf16.unpairedSurrogate(s);
        if (i >= 0) {
            throw new InvalidArgumentException(what + " holds an unpaired surrogate (U+"
                    + Integer.toHexString(s.charAt(i)).toUpperCase(java.util.Locale.ROOT) + ") at index " + i
                    + ", which UTF-8 cannot store");
        }
        return s;
    }
}
