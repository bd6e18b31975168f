package io.rocksmq.api.internals;

/** Checks of UTF-16 text that must survive a trip through UTF-8. Thread-safe: stateless. */
public final class Utf16 {
    private Utf16() {
    }

    /**
     * The index of the first unpaired surrogate in {@code s}, or -1 if there is none. UTF-8 cannot encode an
     * unpaired surrogate: Java's encoder writes {@code '?'} instead, so such text would come back changed.
     */
    public static int unpairedSurrogate(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
