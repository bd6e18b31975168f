package io.rocksmq.api;

/**
 * A shared-subscription delivery's lock expired before the consumer released or renewed it: the message
 * is available to other consumers again (not yet taken by one: that would be a
 * {@link StaleDeliveryException}). An acknowledgement or reject of that delivery is still accepted until
 * another consumer takes it; a release or renew is not. Nothing was changed. Thread-safe (immutable).
 */
public class LockExpiredException extends RocksMqException {
    private static final long serialVersionUID = 1L;
    private final long messageId;

    public LockExpiredException(String group, long messageId, int attempt) {
        super("the lock of delivery " + attempt + " of message " + messageId + " in shared group '" + group
                + "' expired");
        this.messageId = messageId;
    }

    public long messageId() {
        return messageId;
    }
}
