package io.rocksmq.core;

import io.rocksmq.stress.StackDump;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An interrupted consumer's {@code await} returns instead of spinning until its deadline (park
 * returns at once while the interrupt status is set), and keeps the status for the caller.
 */
class AwaitInterruptTest {
    @TempDir
    Path dir;

    @Test
    void interruptedAwaitReturnsAndKeepsTheStatus() throws Exception {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            ConsumerRegistration reg = mq.registerConsumer("t", "g");
            AtomicReference<AwaitResult> result = new AtomicReference<>();
            AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
            Thread consumer = new Thread(() -> {
                Thread.currentThread().interrupt();
                result.set(reg.await(Duration.ofDays(1)));
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }, "interrupted-consumer");
            consumer.start();
            consumer.join(Duration.ofSeconds(60).toMillis());
            assertThat(consumer.isAlive()).as("await still running:\n%s", StackDump.of(consumer)).isFalse();
            assertThat(result.get()).isEqualTo(AwaitResult.TIMED_OUT);
            assertThat(stillInterrupted.get()).isTrue();
        }
    }
}
