package io.rocksmq.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scheduled message appearing on its topic is a produce to the queue's listener (metrics count it),
 * told on the scheduler's thread with no lock held; a listener that closes the queue from there does not
 * make the scheduler wait for itself.
 */
@Timeout(60)
class ScheduledMoveListenerTest {
    @TempDir
    Path dir;

    @Test
    void aMoveIsToldToTheListenerAsAProduce() throws Exception {
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).build())) {
            mq.createTopic("t");
            CompletableFuture<String> told = new CompletableFuture<>();
            mq.listener(new QueueListener() {
                @Override
                public void onProduce(String topic, List<ProducerMessage> messages, long nanos) {
                    if (messages.size() == 1 && new String(messages.get(0).payload()).equals("later")) {
                        told.complete(topic + " on " + Thread.currentThread().getName());
                    }
                }
            });
            mq.schedule("t", ProducerMessage.of("later".getBytes()).withDeliverAfter(Duration.ofMillis(50)));
            assertThat(told.get(20, TimeUnit.SECONDS)).isEqualTo("t on rocksmq-scheduler");
        }
    }

    @Test
    void aListenerMayCloseTheQueueFromTheSchedulersThread() throws Exception {
        RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).build());
        mq.createTopic("t");
        CompletableFuture<Void> closed = new CompletableFuture<>();
        mq.listener(new QueueListener() {
            @Override
            public void onProduce(String topic, List<ProducerMessage> messages, long nanos) {
                if (Thread.currentThread().getName().equals("rocksmq-scheduler")) {
                    mq.close(); // would join the scheduler's own thread
                    closed.complete(null);
                }
            }
        });
        mq.schedule("t", ProducerMessage.of("closes".getBytes()).withDeliverAfter(Duration.ofMillis(50)));
        closed.get(20, TimeUnit.SECONDS);
        try (RocksMq again = RocksMq.open(RocksMqConfig.builder(dir).build())) {
            assertThat(again.read("t", 0, 10)).hasSize(1); // moved once, and the queue reopens
            assertThat(again.admin().scheduledCount("t")).isZero();
        }
    }
}
