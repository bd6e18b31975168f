package io.rocksmq.bench;

import java.util.Locale;

/** Whether a measured JVM ran on an otherwise idle machine or beside the background load. Thread-safe (immutable). */
public enum Load {
    /** Nothing else started by the harness runs. */
    IDLE,
    /** A {@link BackgroundLoad} process burns the configured threads at the configured duty cycle. */
    BUSY;

    /** The name used in results.json and in log file names. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The load whose {@link #id()} is {@code id}. */
    static Load byId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
