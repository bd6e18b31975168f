package io.rocksmq.api;

/**
 * An operation of one consumer-group type was called on a group of the other: a stream operation
 * (consume, seek) on a shared group, or a shared one (acquire, ack, release) on a stream group. Nothing
 * was changed. Thread-safe (immutable).
 */
public class WrongGroupTypeException extends RocksMqException {
    private static final long serialVersionUID = 1L;

    public WrongGroupTypeException(String topic, String group, boolean shared) {
        super("consumer group '" + group + "' on topic '" + topic + "' is a " + (shared ? "shared" : "stream")
                + " group; this operation needs a " + (shared ? "stream" : "shared") + " group");
    }
}
