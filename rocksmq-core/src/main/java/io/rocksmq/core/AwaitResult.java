package io.rocksmq.core;

/** Why {@link ConsumerRegistration#await} returned. */
public enum AwaitResult {
    /** Something happened since the previous await: messages may be available. Consume until empty. */
    SIGNALLED,
    /** The timeout elapsed with no signal. */
    TIMED_OUT,
    /** The consumer group (or its topic) was destroyed. Every later await returns this at once. */
    GROUP_DESTROYED,
    /** The queue was closed. Every later await returns this at once. */
    QUEUE_CLOSED,
    /** The registration itself was closed. Every later await returns this at once. */
    UNREGISTERED;

    /** True for the results that end the registration for good. */
    public boolean isTerminal() {
        return this == GROUP_DESTROYED || this == QUEUE_CLOSED || this == UNREGISTERED;
    }
}
