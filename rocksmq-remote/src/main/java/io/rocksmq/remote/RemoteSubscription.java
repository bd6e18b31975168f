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
 * @param expired  expired messages the subscription moved past without their being delivered, since the
 *                 server's queue opened (a SHARED subscription: those it finished as expired); -1 if the
 *                 server did not say (servers before this field)
 */
public record RemoteSubscription(String name, long lag, long position, long expired) {

    /** A subscription from a server that does not report the expired count. */
    public RemoteSubscription(String name, long lag, long position) {
        this(name, lag, position, -1);
    }
}
