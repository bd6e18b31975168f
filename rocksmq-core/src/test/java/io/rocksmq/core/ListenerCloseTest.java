package io.rocksmq.core;

import io.rocksmq.api.QueueClosedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Closing the queue from inside one of its callbacks closes it; nothing waits for itself. */
class ListenerCloseTest {
    /** Not a timing assertion: a deadlock would otherwise hang the build. */
    private static final Duration HANG = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void closeFromOnProduceClosesTheQueueAndTheProduceReturns() {
        RocksMq mq = RocksMq.open(tmp.resolve("q"));
        mq.createTopic("t");
        AtomicReference<Throwable> failed = new AtomicReference<>();
        mq.listener(new QueueListener() {
            @Override
            public void onProduce(String topic, List<ProducerMessage> messages, long nanos) {
                try {
                    mq.close();
                } catch (Throwable e) {
                    failed.set(e);
                }
            }
        });
        long[] ids = assertTimeoutPreemptively(HANG,
                () -> mq.produce("t", List.of(ProducerMessage.of(new byte[] {1}))));
        assertThat(ids).containsExactly(0L);
        assertThat(failed.get()).isNull();
        assertThat(mq.isOpen()).isFalse();
        assertTimeoutPreemptively(HANG, mq::close); // another close returns too
        assertThatThrownBy(() -> mq.produce("t", List.of(ProducerMessage.of(new byte[] {2}))))
                .isInstanceOf(QueueClosedException.class);
        try (RocksMq again = RocksMq.open(tmp.resolve("q"))) {
            assertThat(again.latestMessageId("t")).isEqualTo(0L);
        }
    }

    @Test
    void closeFromOnConsumeClosesTheQueueAndTheConsumeReturns() {
        RocksMq mq = RocksMq.open(tmp.resolve("q"));
        mq.createTopic("t");
        mq.createConsumerGroup("t", "g");
        mq.produce("t", List.of(ProducerMessage.of(new byte[] {1})));
        mq.listener(new QueueListener() {
            @Override
            public void onConsume(String topic, String group, List<ConsumerMessage> messages, long nanos) {
                mq.close();
            }
        });
        List<ConsumerMessage> got = assertTimeoutPreemptively(HANG, () -> mq.consume("t", "g", 10));
        assertThat(got).hasSize(1);
        assertThat(mq.isOpen()).isFalse();
        try (RocksMq again = RocksMq.open(tmp.resolve("q"))) {
            assertThat(again.position("t", "g")).isEqualTo(1L);
        }
    }
}
