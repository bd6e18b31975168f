package io.rocksmq.testkit;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.Message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Waiting for messages in tests, without sleeps: {@code List<Message> got = MqAwait.messages(consumer, 3,
 * Duration.ofSeconds(10));}. Thread-safe: stateless (the consumer is used by the calling thread only).
 */
public final class MqAwait {
    private MqAwait() {
    }

    /**
     * Receives exactly {@code count} messages (in delivery order, not acknowledged), waiting at most
     * {@code timeout} in all.
     *
     * @throws AssertionError if fewer arrived in time (the message says how many and which)
     */
    public static List<Message> messages(Consumer consumer, int count, Duration timeout) {
        List<Message> got = new ArrayList<>(count);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (got.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " messages on '" + consumer.topic() + "' within "
                        + timeout + ", got " + got.size() + ": " + got);
            }
            got.addAll(consumer.poll(count - got.size(), Duration.ofNanos(left)));
        }
        return got;
    }
}
