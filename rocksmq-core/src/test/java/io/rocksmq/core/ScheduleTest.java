package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.ScheduleNotFoundException;
import io.rocksmq.api.TopicNotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Scheduled delivery through the public API, on a clock the test moves: a message appears at its time
 * (not before), in due-time order with its id given then; cancel before and after; restart; topic destroy;
 * deduplication and time-to-live of scheduled messages; errors.
 */
class ScheduleTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    private RocksMq open() {
        return RocksMq.open(RocksMqConfig.builder(dir).clock(clock).retentionInterval(Duration.ZERO)
                .defaultRetention(RetentionPolicy.KEEP_ALL).build());
    }

    private static ProducerMessage msg(String payload) {
        return ProducerMessage.of(payload.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> texts(List<ConsumerMessage> messages) {
        return messages.stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList();
    }

    /** Moves the clock and wakes the waiter (its park is measured in real time). */
    private void advance(RocksMq mq, long millis) {
        clock.advance(millis);
        mq.schedulerForTest().wake();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void aScheduledMessageAppearsAtItsTimeInDueOrderWithItsIdGivenThen() throws Exception {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            mq.produce("t", List.of(msg("before")));
            List<ScheduleHandle> handles = mq.schedule("t", List.of(
                    msg("at +3s").withDeliverAfter(Duration.ofSeconds(3)),
                    msg("at +1s").withDeliverAt(Instant.ofEpochMilli(T0 + 1_000)),
                    msg("at +2s").withDeliverAfter(Duration.ofSeconds(2))), Durability.WAL);
            assertThat(handles).extracting(ScheduleHandle::dueAtMillis).containsExactly(T0 + 3_000, T0 + 1_000, T0 + 2_000);
            mq.produce("t", List.of(msg("after")));
            assertThat(mq.admin().scheduledCount("t")).isEqualTo(3);
            assertThat(mq.admin().scheduled("t", 10)).extracting(s -> new String(s.message().payload(), StandardCharsets.UTF_8))
                    .containsExactly("at +1s", "at +2s", "at +3s");

            assertThat(texts(mq.consume("t", "g", 10))).containsExactly("before", "after");
            advance(mq, 2_000);
            await(() -> mq.admin().scheduledCount("t") == 1);
            List<ConsumerMessage> got = mq.consume("t", "g", 10);
            assertThat(texts(got)).containsExactly("at +1s", "at +2s");
            assertThat(got.get(0).id()).isGreaterThan(mq.messageIdAtOrAfter("t", 0) + 1); // after "after"
            assertThat(got.get(1).id()).isEqualTo(got.get(0).id() + 1);
            advance(mq, 1_000);
            await(() -> mq.admin().scheduledCount("t") == 0);
            assertThat(texts(mq.consume("t", "g", 10))).containsExactly("at +3s");
            assertThat(texts(mq.read("t", 0, 10))).containsExactly("before", "after", "at +1s", "at +2s", "at +3s");
        }
    }

    @Test
    void anEarlierMessageWakesTheWaiterParkedForALaterOne() throws Exception {
        try (RocksMq mq = RocksMq.open(dir)) { // real clock: the waiter parks for the hour-later message
            mq.createTopic("t");
            mq.schedule("t", msg("in an hour").withDeliverAfter(Duration.ofHours(1)));
            Thread.sleep(50); // let the waiter park for the hour
            mq.schedule("t", msg("now").withDeliverAfter(Duration.ZERO));
            await(() -> mq.latestMessageId("t") >= 0);
            assertThat(texts(mq.read("t", 0, 10))).containsExactly("now");
            assertThat(mq.admin().scheduledCount("t")).isEqualTo(1);
        }
    }

    @Test
    void cancelBeforeItsTimeMeansItNeverAppearsAndAfterItsTimeIsATypedError() throws Exception {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            ScheduleHandle cancelled = mq.schedule("t", msg("cancelled").withDeliverAfter(Duration.ofSeconds(1)));
            ScheduleHandle delivered = mq.schedule("t", msg("delivered").withDeliverAfter(Duration.ofSeconds(1)));
            mq.cancelScheduled(cancelled);
            assertThatThrownBy(() -> mq.cancelScheduled(cancelled)).isInstanceOf(ScheduleNotFoundException.class);
            advance(mq, 1_000);
            await(() -> mq.admin().scheduledCount("t") == 0);
            assertThat(texts(mq.read("t", 0, 10))).containsExactly("delivered");
            long latest = mq.latestMessageId("t");
            assertThatThrownBy(() -> mq.cancelScheduled(delivered)).isInstanceOf(ScheduleNotFoundException.class)
                    .hasMessageContaining(delivered.token());
            assertThat(mq.latestMessageId("t")).isEqualTo(latest);
        }
    }

    @Test
    void oneMessageOfSeveralDueTogetherCanBeCancelledAndTheOthersStillAppear() throws Exception {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            Instant at = Instant.ofEpochMilli(T0 + 1_000);
            List<ScheduleHandle> h = mq.schedule("t", List.of(msg("a").withDeliverAt(at), msg("b").withDeliverAt(at),
                    msg("c").withDeliverAt(at)), Durability.WAL);
            assertThat(mq.admin().scheduled("t", 10)).extracting(ScheduledMessage::handle).containsExactlyElementsOf(h);
            mq.cancelScheduled(h.get(1));
            assertThatThrownBy(() -> mq.cancelScheduled(h.get(1))).isInstanceOf(ScheduleNotFoundException.class);
            assertThat(mq.admin().scheduledCount("t")).isEqualTo(2);
            assertThat(mq.admin().scheduled("t", 10)).extracting(ScheduledMessage::handle).containsExactly(h.get(0), h.get(2));
            advance(mq, 1_000);
            await(() -> mq.admin().scheduledCount("t") == 0);
            assertThat(texts(mq.read("t", 0, 10))).containsExactly("a", "c");
            assertThatThrownBy(() -> mq.cancelScheduled(h.get(2))).isInstanceOf(ScheduleNotFoundException.class);
        }
    }

    @Test
    void aSharedGroupGetsAScheduledMessageLikeAnyOtherOnceItIsDue() throws Exception {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.createSharedGroup("t", "workers", SharedGroupOptions.DEFAULTS);
            SharedGroup workers = mq.sharedGroup("t", "workers");
            mq.schedule("t", msg("job").withDeliverAfter(Duration.ofMinutes(5)));
            assertThat(workers.acquire(10, Duration.ZERO)).isEmpty();
            advance(mq, 300_000);
            await(() -> mq.admin().scheduledCount("t") == 0);
            List<SharedGroup.Delivery> got = workers.acquire(10, Duration.ZERO);
            assertThat(got).extracting(d -> new String(d.message().payload(), StandardCharsets.UTF_8)).containsExactly("job");
            workers.ack(got.get(0));
        }
    }

    @Test
    void messagesThatFellDueWhileClosedAppearRightAfterOpenInDueOrderAndLaterOnesStillWait() throws Exception {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.schedule("t", List.of(msg("+2s").withDeliverAfter(Duration.ofSeconds(2)),
                    msg("+1s").withDeliverAfter(Duration.ofSeconds(1)),
                    msg("+1h").withDeliverAfter(Duration.ofHours(1))), Durability.FSYNC);
        }
        clock.advance(5_000);
        try (RocksMq mq = open()) {
            await(() -> mq.admin().scheduledCount("t") == 1);
            assertThat(texts(mq.read("t", 0, 10))).containsExactly("+1s", "+2s");
            ScheduleHandle later = mq.admin().scheduled("t", 10).get(0).handle();
            assertThat(later.dueAtMillis()).isEqualTo(T0 + 3_600_000);
            // A handle from before the restart still names it (its text form too).
            mq.cancelScheduled(ScheduleHandle.parse("t", later.token()));
            assertThat(mq.admin().scheduledCount("t")).isZero();
        }
    }

    @Test
    void destroyingTheTopicDropsItsScheduleAndAReCreatedTopicGetsNothingOfIt() throws Exception {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            ScheduleHandle h = mq.schedule("t", msg("doomed").withDeliverAfter(Duration.ofSeconds(1)));
            mq.destroyTopic("t");
            mq.createTopic("t");
            assertThat(mq.admin().scheduledCount("t")).isZero();
            assertThatThrownBy(() -> mq.cancelScheduled(h)).isInstanceOf(ScheduleNotFoundException.class);
            mq.schedule("t", msg("sentinel").withDeliverAfter(Duration.ofSeconds(2)));
            advance(mq, 2_000);
            await(() -> mq.admin().scheduledCount("t") == 0);
            assertThat(texts(mq.read("t", 0, 10))).containsExactly("sentinel");
            assertThat(rawScheduleEntries(mq)).isZero();
        }
    }

    private static int rawScheduleEntries(RocksMq mq) {
        int n = 0;
        RocksStore store = mq.store();
        try (RocksStore.Range r = store.range(store.meta(), new byte[] {ScheduleLayout.META_SCHEDULE, ScheduleLayout.DUE},
                new byte[] {ScheduleLayout.META_SCHEDULE + 1})) {
            for (r.it.seekToFirst(); r.it.isValid(); r.it.next()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aDuplicateIdIsDroppedWhenItAppearsAndTheTimeToLiveCountsFromThen() throws Exception {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.schedule("t", List.of(
                    msg("one").withDeduplicationId("d").withDeliverAfter(Duration.ofHours(2)),
                    msg("copy").withDeduplicationId("d").withDeliverAfter(Duration.ofHours(2)),
                    msg("ttl 1h").withTtl(Duration.ofHours(1)).withDeliverAfter(Duration.ofHours(2))), Durability.WAL);
            advance(mq, 7_200_000);
            await(() -> mq.admin().scheduledCount("t") == 0);
            // Counted from the schedule, the ttl would have ended an hour before the message appeared.
            assertThat(texts(mq.read("t", 0, 10))).containsExactly("one", "ttl 1h");
            clock.advance(3_600_000);
            assertThat(texts(mq.read("t", 0, 10))).containsExactly("one");
        }
    }

    @Test
    void badInputIsATypedErrorAndStoresNothing() {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            assertThatThrownBy(() -> mq.produce("t", List.of(msg("x").withDeliverAfter(Duration.ofSeconds(1)))))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("schedule");
            assertThatThrownBy(() -> mq.schedule("t", List.of(msg("due").withDeliverAfter(Duration.ofSeconds(1)),
                    msg("no time")), Durability.WAL)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> mq.schedule("missing", msg("x").withDeliverAfter(Duration.ofSeconds(1))))
                    .isInstanceOf(TopicNotFoundException.class);
            assertThatThrownBy(() -> msg("x").withDeliverAfter(Duration.ofSeconds(-1)))
                    .isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> msg("x").withDeliverAt(Instant.EPOCH)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> ScheduleHandle.parse("t", "nope")).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> mq.cancelScheduled(new ScheduleHandle("t", T0, 1)))
                    .isInstanceOf(ScheduleNotFoundException.class);
            assertThat(mq.admin().scheduledCount("t")).isZero();
            assertThat(mq.latestMessageId("t")).isEqualTo(-1);
        }
    }

    @Test
    void aReadOnlyOpenListsTheScheduleAndMovesNothing() throws Exception {
        try (RocksMq mq = open()) {
            mq.createTopic("t");
            mq.schedule("t", msg("x").withDeliverAfter(Duration.ofSeconds(1)));
        }
        clock.advance(5_000);
        try (RocksMq ro = RocksMq.open(RocksMqConfig.builder(dir).clock(clock).readOnly(true).build())) {
            assertThat(ro.admin().scheduledCount("t")).isEqualTo(1);
            assertThat(ro.latestMessageId("t")).isEqualTo(-1);
            assertThatThrownBy(() -> ro.schedule("t", msg("y").withDeliverAfter(Duration.ofSeconds(1))))
                    .isInstanceOf(io.rocksmq.api.ReadOnlyQueueException.class);
        }
        List<String> seen = new ArrayList<>();
        try (RocksMq mq = open()) {
            await(() -> mq.admin().scheduledCount("t") == 0);
            seen.addAll(texts(mq.read("t", 0, 10)));
        }
        assertThat(seen).containsExactly("x");
    }
}
