package io.rocksmq.api;

/** A consumer group of that name already exists on the topic. Thread-safe (immutable). */
public class ConsumerGroupExistsException extends RocksMqException {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final String group;

    public ConsumerGroupExistsException(String topic, String group) {
        super("consumer group already exists: '" + group + "' on topic '" + topic + "'");
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
