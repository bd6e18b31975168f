package io.rocksmq.api.internals;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.Message;

import java.time.Duration;
import java.util.List;

/**
 * A {@link Consumer} whose poll can also be bounded by payload bytes: the server's subscription session
 * takes no more than a client granted, or than its own budget, whatever the message sizes.
 *
 * <p>Thread-safe as the consumer is.
 */
public interface BytePoll {
    /**
     * As {@link Consumer#poll(int, Duration)}, and at most {@code maxBytes} payload bytes
     * ({@link ReceiveBuffer#sizeOf}), but always the first message, however large.
     *
     * @throws io.rocksmq.api.InvalidArgumentException if {@code maxMessages} or {@code maxBytes} is not
     *                                                  positive, or the timeout is null or negative
     */
    List<Message> poll(int maxMessages, long maxBytes, Duration timeout);
}
