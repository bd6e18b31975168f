package io.rocksmq.remote;

/**
 * A subscription as a server describes it ({@link RemoteMqClient#describeSubscriptions}).
 *
 * <p>Thread-safe (immutable).
 *
 * @param name     the subscription name
 * @param lag      messages stored after its position
 * @param position the offset of the first message not yet acknowledged (a SHARED subscription: its ack
 *                 floor); -1 if the server did not say
 */
public record RemoteSubscription(String name, long lag, long position) {
}
