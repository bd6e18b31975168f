package io.rocksmq.core;

import java.time.Duration;

/**
 * The few queue operations the seed-bug races need, so that one race test can run against the real
 * {@link RocksMq} ({@link RocksMqHarness}) and against a deliberately naive, Milvus-like registry
 * ({@link NaiveRegistry}) and be shown to fail on the latter.
 *
 * <p>Implementations say their own thread-safety; the naive one is the point of the exercise.
 */
interface GroupRegistryHarness extends AutoCloseable {

    void createTopic(String topic);

    /** Creates the group; throws if it exists. */
    void createGroup(String topic, String group);

    /** Destroys the group; no-op if unknown. */
    void destroyGroup(String topic, String group);

    boolean groupExists(String topic, String group);

    /** Registers a consumer of the group for wake-ups. */
    Waiter register(String topic, String group);

    /** Wakes the group's consumer (the call a seek makes); a no-op for unknown groups. */
    void notifyGroup(String topic, String group);

    /** Appends one message and wakes the topic's consumers. */
    void produce(String topic);

    /** Takes up to {@code max} messages for the group; returns their ids in order. */
    long[] consume(String topic, String group, int max);

    @Override
    void close();

    /** A registered consumer's wake-up handle. */
    interface Waiter {
        AwaitResult await(Duration timeout);
    }
}
