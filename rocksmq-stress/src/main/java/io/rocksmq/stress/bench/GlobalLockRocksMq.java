package io.rocksmq.stress.bench;

import io.rocksmq.core.ConsumerRegistration;
import io.rocksmq.core.RocksMq;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The baseline the benchmark compares against: the same queue, made safe the straightforward way, with
 * one global lock around every registry operation and every notify (what Milvus's fixes converge
 * to, a lock shared by notify and destroy). Only for {@link ChurnBenchmark}.
 *
 * <p>Thread-safe: everything runs under {@link #lock}.
 */
final class GlobalLockRocksMq {
    private final RocksMq mq;
    /** Guards every call below. */
    private final ReentrantLock lock = new ReentrantLock();

    GlobalLockRocksMq(RocksMq mq) {
        this.mq = mq;
    }

    void createConsumerGroup(String topic, String group) {
        lock.lock();
        try {
            mq.createConsumerGroup(topic, group);
        } finally {
            lock.unlock();
        }
    }

    void destroyConsumerGroup(String topic, String group) {
        lock.lock();
        try {
            mq.destroyConsumerGroup(topic, group);
        } finally {
            lock.unlock();
        }
    }

    ConsumerRegistration registerConsumer(String topic, String group) {
        lock.lock();
        try {
            return mq.registerConsumer(topic, group);
        } finally {
            lock.unlock();
        }
    }

    void notifyGroup(String topic, String group) {
        lock.lock();
        try {
            mq.notifyGroup(topic, group);
        } finally {
            lock.unlock();
        }
    }
}
