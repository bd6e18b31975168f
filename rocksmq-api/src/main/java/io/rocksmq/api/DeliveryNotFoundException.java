package io.rocksmq.api;

/**
 * A shared-subscription acknowledgement names a message the subscription does not hold for anyone:
 * the id was never delivered, or its delivery was already acknowledged, rejected or dead-lettered.
 * Nothing was changed. Thread-safe (immutable).
 */
public class DeliveryNotFoundException extends RocksMqException {
    private static final long serialVersionUID = 1L;
    private final long messageId;

    public DeliveryNotFoundException(String group, long messageId, String why) {
        super("no delivery of message " + messageId + " in shared group '" + group + "': " + why);
        this.messageId = messageId;
    }

    public long messageId() {
        return messageId;
    }
}
