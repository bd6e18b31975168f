package io.rocksmq.api;

/**
 * A cancel names a scheduled message that is no longer waiting: it was delivered (it fell due), cancelled
 * before, dropped with its topic, or never existed. Nothing was changed. Thread-safe (immutable).
 */
public class ScheduleNotFoundException extends RocksMqException {
    private static final long serialVersionUID = 1L;
    private final String token;

    public ScheduleNotFoundException(String topic, String token) {
        super("no scheduled message " + token + " waiting on topic '" + topic
                + "' (delivered, cancelled, or dropped with its topic)");
        this.token = token;
    }

    /** The handle the cancel named. */
    public String token() {
        return token;
    }
}
