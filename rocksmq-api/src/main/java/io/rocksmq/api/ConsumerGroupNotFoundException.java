package io.rocksmq.api;

/** The consumer group (subscription) does not exist on that topic. Thread-safe (immutable). */
public class ConsumerGroupNotFoundException extends RocksMqException {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final String group;

    public ConsumerGroupNotFoundException(String topic, String group) {
        super("consumer group not found: '" + group + "' on topic '" + topic + "'");
        this.topic = topic;
        this.group = group;
    }

    public String topic() {
        return topic;
    }

    public String group() {
        return group;
    }
}
