package io.rocksmq.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@link GroupRegistryHarness} over a real {@link RocksMq} opened in a directory the test owns.
 *
 * <p>Thread-safe, as {@link RocksMq} is.
 */
final class RocksMqHarness implements GroupRegistryHarness {
    private static final List<ProducerMessage> ONE = List.of(ProducerMessage.of(new byte[] {1}));

    private final RocksMq mq;

    RocksMqHarness(Path dir) {
        this.mq = RocksMq.open(dir);
    }

    RocksMq mq() {
        return mq;
    }

    @Override
    public void createTopic(String topic) {
        mq.createTopic(topic);
    }

    @Override
    public void createGroup(String topic, String group) {
        mq.createConsumerGroup(topic, group);
    }

    @Override
    public void destroyGroup(String topic, String group) {
        mq.destroyConsumerGroup(topic, group);
    }

    @Override
    public boolean groupExists(String topic, String group) {
        return mq.consumerGroupExists(topic, group);
    }

    @Override
    public Waiter register(String topic, String group) {
        ConsumerRegistration r = mq.registerConsumer(topic, group);
        return r::await;
    }

    @Override
    public void notifyGroup(String topic, String group) {
        mq.notifyGroup(topic, group);
    }

    @Override
    public void produce(String topic) {
        mq.produce(topic, ONE);
    }

    @Override
    public long[] consume(String topic, String group, int max) {
        List<ConsumerMessage> got = mq.consume(topic, group, max);
        long[] ids = new long[got.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = got.get(i).id();
        }
        return ids;
    }

    @Override
    public void close() {
        mq.close();
    }

    @Override
    public String toString() {
        return "RocksMq";
    }
}
