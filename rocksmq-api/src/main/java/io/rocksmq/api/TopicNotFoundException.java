package io.rocksmq.api;

/** The named topic does not exist (never created, or destroyed). Thread-safe (immutable). */
public class TopicNotFoundException extends RocksMqException {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public TopicNotFoundException(String topic) {
        super("topic not found: '" + topic + "'");
        this.topic = topic;
    }

    /** The name that was looked up. */
    public String topic() {
        return topic;
    }
}
