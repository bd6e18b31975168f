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

    /**
     * Rejects an unpaired surrogate: UTF-8 cannot encode one, and every backend stores text as UTF-8, so it
     * would come back as {@code '?'} — a silent change of the data.
     */
    static String wellFormed(String what, String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidArgumentException(what + " holds an unpaired surrogate (U+"
                        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + ") at index " + i
                        + ", which UTF-8 cannot store");
            }
        }
        return s;
    }
}
