package io.rocksmq.server;

import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.MqClient;
import io.rocksmq.remote.RemoteMqClient;
import io.rocksmq.remote.RemoteSubscription;

/**
 * The contract suite's expired-count hook for the remote backend: the count the server reports for a
 * subscription in {@code ListSubscriptions} ({@link RemoteMqClient#describeSubscriptions}).
 *
 * <p>Thread-safe (stateless).
 */
final class RemoteExpiredCount {
    private RemoteExpiredCount() {
    }

    /**
     * The server's count for the subscription, or -1 if the server does not report one.
     *
     * @throws ConsumerGroupNotFoundException if the server lists no such subscription
     */
    static long of(MqClient client, String topic, String subscription) {
        return client.unwrap(RemoteMqClient.class).describeSubscriptions(topic).stream()
                .filter(s -> s.name().equals(subscription)).findFirst()
                .map(RemoteSubscription::expired)
                .orElseThrow(() -> new ConsumerGroupNotFoundException(topic, subscription));
    }
}
