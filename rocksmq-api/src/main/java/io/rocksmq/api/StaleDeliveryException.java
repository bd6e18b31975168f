package io.rocksmq.api;

/**
 * A shared-subscription acknowledgement answers a delivery that is no longer the current one: its lock
 * expired and the message went to another consumer (a later delivery attempt), or the delivery was
 * released. The fence that keeps a slow worker from acknowledging someone else's delivery; nothing was
 * changed. Thread-safe (immutable).
 */
public class StaleDeliveryException extends RocksMqException {
    private static final long serialVersionUID = 1L;
    private final long messageId;
    private final int attempt;
    private final int currentAttempt;

    public StaleDeliveryException(String group, long messageId, int attempt, int currentAttempt, String why) {
        super("delivery " + attempt + " of message " + messageId + " in shared group '" + group
                + "' is stale (current delivery " + currentAttempt + "): " + why);
        this.messageId = messageId;
        this.attempt = attempt;
        this.currentAttempt = currentAttempt;
    }

    public long messageId() {
        return messageId;
    }

    /** The delivery attempt the caller named. */
    public int attempt() {
        return attempt;
    }

    /** The message's latest delivery attempt. */
    public int currentAttempt() {
        return currentAttempt;
    }
}
