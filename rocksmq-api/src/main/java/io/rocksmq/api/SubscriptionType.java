package io.rocksmq.api;

/**
 * How the consumers of a subscription share its messages, chosen when the subscription is created.
 *
 * <ul>
 *   <li>{@link #EXCLUSIVE}: a stream. One consumer at a time reads in order; the subscription keeps one
 *       position, the first message not acknowledged.</li>
 *   <li>{@link #SHARED}: a work queue. Any number of consumers, in one client or several; each message goes
 *       to one of them, locked for {@link SharedSubscription#lockDuration()}, and is acknowledged,
 *       released ({@link Consumer#release}), rejected ({@link Consumer#reject}) or redelivered when its
 *       lock expires; after {@link SharedSubscription#maxDeliveries()} it is dead-lettered. Order is not
 *       kept across consumers.</li>
 * </ul>
 */
public enum SubscriptionType {
    EXCLUSIVE,
    SHARED
}
