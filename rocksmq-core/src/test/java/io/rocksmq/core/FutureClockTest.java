package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A clock that was far ahead for a moment stamps only the messages produced in that moment. */
class FutureClockTest {
    private static final long T = 1_700_000_000_000L;
    private static final long TEN_YEARS = Duration.ofDays(3650).toMillis();

    @TempDir
    Path tmp;

    private static List<ProducerMessage> one() {
        return List.of(ProducerMessage.of(new byte[] {1}));
    }

    @Test
    void publishTimesComeBackWithTheClockAndStayWithinOneMinuteOfItEvenAfterRestart() {
        MutableClock clock = new MutableClock(T);
        Path dir = tmp.resolve("q");
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).clock(clock).build())) {
            mq.createTopic("t");
            mq.produce("t", one());                       // 0 at T
            clock.set(T + TEN_YEARS);
            mq.produce("t", one());                       // 1: the clock said so
            clock.set(T + 1_000);
            mq.produce("t", one());                       // 2: the clock came back
            clock.set(T + 2_000);
            mq.produce("t", one());                       // 3
            List<ConsumerMessage> got = mq.read("t", 0, 10);
            assertThat(got.get(0).publishTime()).isEqualTo(T);
            assertThat(got.get(1).publishTime()).isEqualTo(T + TEN_YEARS);
            assertThat(got.get(2).publishTime()).isEqualTo(T + 1_000 + Topic.MAX_PUBLISH_LEAD_MILLIS);
            // within the lead, times still never go back
            assertThat(got.get(3).publishTime()).isEqualTo(T + 1_000 + Topic.MAX_PUBLISH_LEAD_MILLIS);
        }
        clock.set(T + 3_000);
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).clock(clock).build())) {
            mq.produce("t", one());                       // 4: after a restart, too
            clock.set(T + 120_000);
            mq.produce("t", one());                       // 5: the clock passed the lead: its own time
            List<ConsumerMessage> got = mq.read("t", 4, 10);
            assertThat(got.get(0).publishTime()).isEqualTo(T + 1_000 + Topic.MAX_PUBLISH_LEAD_MILLIS);
            assertThat(got.get(1).publishTime()).isEqualTo(T + 120_000);
            // and time search finds messages produced after the clock came back
            assertThat(mq.messageIdAtOrAfter("t", T + 100_000)).isEqualTo(5L);
        }
    }

    @Test
    void aQueueReopenedWithTheClockBehindItsLastPublishTimeStampsNewMessagesNearTheClock() {
        MutableClock clock = new MutableClock(T + TEN_YEARS);
        Path dir = tmp.resolve("q");
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).clock(clock).build())) {
            mq.createTopic("t");
            mq.produce("t", one());
        }
        clock.set(T);
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).clock(clock).build())) {
            long id = mq.produce("t", one())[0];
            assertThat(mq.read("t", id, 1).get(0).publishTime()).isEqualTo(T + Topic.MAX_PUBLISH_LEAD_MILLIS);
        }
    }
}
