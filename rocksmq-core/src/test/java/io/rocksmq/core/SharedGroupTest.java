package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.LockExpiredException;
import io.rocksmq.api.ReadOnlyQueueException;
import io.rocksmq.api.StaleDeliveryException;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.api.WrongGroupTypeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.rocksmq.core.RocksMqTest.msgs;
import static io.rocksmq.core.RocksMqTest.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every operation and error of a shared group through the public API, with a clock the test moves. */
class SharedGroupTest {
    private static final Duration NOW = Duration.ZERO;
    private static final long LOCK = 30_000;

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(1_000_000);
    RocksMq mq;

    @BeforeEach
    void open() {
        mq = RocksMq.open(config());
        mq.createTopic("jobs");
        mq.createTopic("dlq");
    }

    @AfterEach
    void close() {
        mq.close();
    }

    private RocksMqConfig config() {
        return RocksMqConfig.builder(dir).clock(clock).retentionInterval(Duration.ZERO).build();
    }

    private void reopen() {
        mq.close();
        mq = RocksMq.open(config());
    }

    private SharedGroup group(SharedGroupOptions options) {
        mq.createSharedGroup("jobs", "w", options);
        return mq.sharedGroup("jobs", "w");
    }

    private static List<String> payloads(List<SharedGroup.Delivery> ds) {
        return ds.stream().map(d -> new String(d.message().payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void firstDeliveriesComeInIdOrderOnceEachAndAckedOnesNeverAgain() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS);
        long[] ids = mq.produce("jobs", msgs("a", "b", "c", "d"));
        List<SharedGroup.Delivery> first = g.acquire(2, NOW);
        List<SharedGroup.Delivery> second = g.acquire(10, NOW);
        assertThat(payloads(first)).containsExactly("a", "b");
        assertThat(payloads(second)).containsExactly("c", "d");
        assertThat(first.get(0).attempt()).isEqualTo(1);
        assertThat(first.get(0).lockDeadline()).isEqualTo(clock.millis() + LOCK);
        assertThat(g.acquire(10, NOW)).isEmpty();
        g.ack(second.get(0));                     // above the floor: recorded, floor stays
        assertThat(mq.position("jobs", "w")).isEqualTo(ids[0]);
        g.ack(first.get(0));
        g.ack(first.get(1));                      // floor moves past a, b and the acked c
        assertThat(mq.position("jobs", "w")).isEqualTo(ids[3]);
        clock.advance(LOCK);                      // d's lock expires: only d comes back
        List<SharedGroup.Delivery> again = g.acquire(10, NOW);
        assertThat(payloads(again)).containsExactly("d");
        assertThat(again.get(0).attempt()).isEqualTo(2);
        SharedGroup.Stats s = g.stats();
        assertThat(s.acquired()).isEqualTo(5);
        assertThat(s.acked()).isEqualTo(3);
        assertThat(s.expiredLocks()).isEqualTo(1);
        assertThat(s.redelivered()).isEqualTo(1);
        assertThat(s.inFlight()).isEqualTo(1);
    }

    /** A message holding the floor back (a stalled worker, a poison message) must not make memory grow per ack. */
    @Test
    void finishedMessagesAboveAStuckFloorCostRunsNotEntries() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS);
        List<ProducerMessage> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 2_001; i++) {
            batch.add(ProducerMessage.of(new byte[] {(byte) i}));
        }
        long[] ids = mq.produce("jobs", batch);
        SharedGroup.Delivery stuck = g.acquire(1, NOW).get(0);
        for (int round = 0; round < 20; round++) {
            List<SharedGroup.Delivery> got = g.acquire(100, NOW);
            for (int i = got.size() - 1; i >= 0; i--) { // out of order within each round
                g.ack(got.get(i));
            }
        }
        assertThat(mq.position("jobs", "w")).as("the floor is stuck").isEqualTo(ids[0]);
        SharedGroupState state = mq.topicsForTest().get("jobs").group("w").shared();
        assertThat(state.heldObjects()).as("one entry in flight and one run of finished ids").isEqualTo(2);
        reopen();
        state = mq.topicsForTest().get("jobs").group("w").shared();
        assertThat(state.heldObjects()).as("after a restart: the message available again, one run").isEqualTo(2);
        SharedGroup again = mq.sharedGroup("jobs", "w");
        SharedGroup.Delivery d = again.acquire(10, NOW).get(0);
        assertThat(d.id()).isEqualTo(stuck.id());
        assertThat(again.acquire(10, NOW)).as("nothing acked comes back").isEmpty();
        again.ack(d);
        assertThat(mq.position("jobs", "w")).as("the floor jumps past the run").isEqualTo(ids[2_000] + 1);
        assertThat(mq.topicsForTest().get("jobs").group("w").shared().heldObjects()).isZero();
    }

    /** Acquirers wait for messages or for room; an ack that makes no room wakes none of them. */
    @Test
    void anAckWakesWaitingAcquirersOnlyWhenItMakesRoomUnderMaxInFlight() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS.withMaxInFlight(2));
        mq.produce("jobs", msgs("a", "b", "c", "d"));
        try (ConsumerRegistration r = mq.registerConsumer("jobs", "w")) {
            List<SharedGroup.Delivery> first = g.acquire(1, NOW);
            r.await(NOW); // takes whatever was pending
            g.ack(first.get(0));                  // one locked of two: no room made, nobody woken
            assertThat(r.await(NOW)).isEqualTo(AwaitResult.TIMED_OUT);
            List<SharedGroup.Delivery> full = g.acquire(2, NOW);
            assertThat(full).hasSize(2);
            g.ack(full.get(0));                   // the group was full: the waiters may take one now
            assertThat(r.await(NOW)).isEqualTo(AwaitResult.SIGNALLED);
            g.reject(full.get(1));                // not full any more: no wake-up
            assertThat(r.await(NOW)).isEqualTo(AwaitResult.TIMED_OUT);
            SharedGroup.Delivery last = g.acquire(1, NOW).get(0);
            g.release(last, Duration.ZERO);       // a release always wakes: the message is available again
            assertThat(r.await(NOW)).isEqualTo(AwaitResult.SIGNALLED);
        }
    }

    @Test
    void anAckOfAnExpiredAndReacquiredDeliveryIsFencedOff() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS);
        mq.produce("jobs", msgs("a"));
        SharedGroup.Delivery slow = g.acquire(1, NOW).get(0);
        clock.advance(LOCK + 1);
        SharedGroup.Delivery fast = g.acquire(1, NOW).get(0);
        assertThat(fast.attempt()).isEqualTo(2);
        assertThatThrownBy(() -> g.ack(slow)).isInstanceOf(StaleDeliveryException.class);
        assertThatThrownBy(() -> g.release(slow)).isInstanceOf(StaleDeliveryException.class);
        assertThatThrownBy(() -> g.reject(slow)).isInstanceOf(StaleDeliveryException.class);
        assertThatThrownBy(() -> g.renew(slow)).isInstanceOf(StaleDeliveryException.class);
        assertThat(g.stats().inFlight()).isEqualTo(1);
        g.ack(fast);
        assertThat(g.stats().acked()).isEqualTo(1);
    }

    @Test
    void unknownFinishedOrNeverMadeDeliveriesAreNotFound() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS);
        long[] ids = mq.produce("jobs", msgs("a", "b"));
        assertThatThrownBy(() -> g.ack(ids[0], 1)).isInstanceOf(DeliveryNotFoundException.class);
        SharedGroup.Delivery d = g.acquire(1, NOW).get(0);
        assertThatThrownBy(() -> g.ack(d.id(), 2)).isInstanceOf(DeliveryNotFoundException.class);
        g.ack(d);
        assertThatThrownBy(() -> g.ack(d)).isInstanceOf(DeliveryNotFoundException.class);
        assertThatThrownBy(() -> g.ack(12345, 1)).isInstanceOf(DeliveryNotFoundException.class);
        assertThatThrownBy(() -> g.ack(null)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void anExpiredLockCanStillBeAckedUntilTakenButNotRenewedOrReleased() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS);
        mq.produce("jobs", msgs("a", "b"));
        List<SharedGroup.Delivery> ds = g.acquire(2, NOW);
        clock.advance(10_000);
        long renewed = g.renew(ds.get(0));
        assertThat(renewed).isEqualTo(clock.millis() + LOCK);
        clock.advance(LOCK - 10_000);             // b expired, a renewed still holds
        assertThatThrownBy(() -> g.renew(ds.get(1))).isInstanceOf(LockExpiredException.class);
        assertThatThrownBy(() -> g.release(ds.get(1))).isInstanceOf(LockExpiredException.class);
        g.ack(ds.get(1));                          // nobody took it since: accepted
        assertThat(g.acquire(10, NOW)).isEmpty();  // a still locked, b done
        clock.advance(10_000);
        assertThat(payloads(g.acquire(10, NOW))).containsExactly("a");
    }

    @Test
    void releaseRedeliversAtOnceOrAfterItsDelayAndFencesTheReleasedDelivery() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS.withRedeliveryBackoff(
                List.of(Duration.ofSeconds(1), Duration.ofSeconds(5))));
        mq.produce("jobs", msgs("a", "b"));
        List<SharedGroup.Delivery> ds = g.acquire(2, NOW);
        g.release(ds.get(0), Duration.ZERO);
        assertThatThrownBy(() -> g.ack(ds.get(0))).isInstanceOf(StaleDeliveryException.class);
        g.release(ds.get(1));                      // the group's delay after attempt 1: 1 s
        List<SharedGroup.Delivery> again = g.acquire(10, NOW);
        assertThat(payloads(again)).containsExactly("a");
        assertThat(g.stats().delayed()).isEqualTo(1);
        clock.advance(999);
        assertThat(g.acquire(10, NOW)).isEmpty();
        clock.advance(1);
        SharedGroup.Delivery b2 = g.acquire(10, NOW).get(0);
        assertThat(b2.attempt()).isEqualTo(2);
        g.release(b2);                             // after attempt 2: 5 s
        clock.advance(4_999);
        assertThat(g.acquire(10, NOW)).isEmpty();
        clock.advance(1);
        assertThat(g.acquire(10, NOW).get(0).attempt()).isEqualTo(3);
        assertThatThrownBy(() -> g.release(again.get(0), Duration.ofMillis(-1))).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void theDeliveryPastMaxDeliveriesIsDeadLetteredOnceWithItsOriginInOneWrite() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS.withMaxDeliveries(2).withDeadLetterTopic("dlq"));
        mq.createConsumerGroup("dlq", "ops");
        long[] ids = mq.produce("jobs", List.of(ProducerMessage.of("poison".getBytes(StandardCharsets.UTF_8),
                java.util.Map.of("k", "v"))));
        g.release(g.acquire(1, NOW).get(0));
        clock.advance(LOCK);                        // no wait: the release delay is 0
        SharedGroup.Delivery last = g.acquire(1, NOW).get(0);
        assertThat(last.attempt()).isEqualTo(2);
        clock.advance(LOCK);                        // the last allowed delivery expires
        assertThat(g.acquire(1, NOW)).isEmpty();    // dead-lettered instead of a 3rd delivery
        List<ConsumerMessage> dead = mq.consume("dlq", "ops", 10);
        assertThat(texts(dead)).containsExactly("poison");
        assertThat(dead.get(0).properties()).containsEntry("k", "v")
                .containsEntry(SharedGroupOptions.DEAD_LETTER_TOPIC_PROPERTY, "jobs")
                .containsEntry(SharedGroupOptions.DEAD_LETTER_ID_PROPERTY, Long.toString(ids[0]))
                .containsEntry(SharedGroupOptions.DEAD_LETTER_DELIVERIES_PROPERTY, "2");
        assertThat(g.stats().deadLettered()).isEqualTo(1);
        assertThat(mq.position("jobs", "w")).isEqualTo(ids[0] + 1);
        assertThatThrownBy(() -> g.ack(last)).isInstanceOf(DeliveryNotFoundException.class);
        reopen();
        assertThat(mq.sharedGroup("jobs", "w").stats().deadLettered()).isEqualTo(1);
        assertThat(mq.sharedGroup("jobs", "w").acquire(10, NOW)).isEmpty();
        assertThat(mq.consume("dlq", "ops", 10)).isEmpty();
    }

    @Test
    void releasingTheLastAllowedDeliveryDeadLettersAtOnce() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS.withMaxDeliveries(1).withDeadLetterTopic("dlq"));
        mq.produce("jobs", msgs("a"));
        g.release(g.acquire(1, NOW).get(0), Duration.ofHours(1));
        assertThat(texts(mq.read("dlq", 0, 10))).containsExactly("a");
        assertThat(g.stats().deadLettered()).isEqualTo(1);
    }

    @Test
    void rejectWithoutDeadLetterTopicArchivesAndCountsPersistently() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS);
        mq.produce("jobs", msgs("a", "b"));
        List<SharedGroup.Delivery> ds = g.acquire(2, NOW);
        g.reject(ds.get(1));
        assertThat(g.stats().rejected()).isEqualTo(1);
        assertThat(mq.read("dlq", 0, 10)).isEmpty();
        clock.advance(LOCK);
        assertThat(payloads(g.acquire(10, NOW))).containsExactly("a");
        reopen();
        SharedGroup again = mq.sharedGroup("jobs", "w");
        assertThat(again.stats().rejected()).isEqualTo(1);
        assertThat(payloads(again.acquire(10, NOW))).containsExactly("a");
    }

    @Test
    void aDestroyedDeadLetterTopicFallsBackToArchiving() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS.withDeadLetterTopic("dlq"));
        mq.produce("jobs", msgs("a"));
        mq.destroyTopic("dlq");
        g.reject(g.acquire(1, NOW).get(0));
        assertThat(g.stats().rejected()).isEqualTo(1);
        assertThat(g.stats().deadLettered()).isZero();
    }

    @Test
    void afterReopenEveryUnfinishedMessageIsAvailableWithItsCountKept() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS);
        long[] ids = mq.produce("jobs", msgs("a", "b", "c", "d"));
        List<SharedGroup.Delivery> ds = g.acquire(3, NOW);
        g.release(ds.get(1), Duration.ZERO);
        g.acquire(1, NOW);                         // b, attempt 2
        g.ack(ds.get(2));                          // c done above the floor
        reopen();
        SharedGroup r = mq.sharedGroup("jobs", "w");
        List<SharedGroup.Delivery> after = r.acquire(10, NOW);
        assertThat(payloads(after)).containsExactly("a", "b", "d");
        assertThat(after.stream().map(SharedGroup.Delivery::attempt).toList()).containsExactly(2, 3, 1);
        assertThat(mq.position("jobs", "w")).isEqualTo(ids[0]);
        after.forEach(r::ack);
        assertThat(mq.position("jobs", "w")).isEqualTo(ids[3] + 1);
        reopen();
        assertThat(mq.sharedGroup("jobs", "w").acquire(10, NOW)).isEmpty();
    }

    @Test
    void maxInFlightLimitsAcquireAndAnAckMakesRoomForAWaitingAcquirer() throws Exception {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS.withMaxInFlight(2));
        mq.produce("jobs", msgs("a", "b", "c"));
        List<SharedGroup.Delivery> ds = g.acquire(10, NOW);
        assertThat(ds).hasSize(2);
        CompletableFuture<List<SharedGroup.Delivery>> waiting =
                CompletableFuture.supplyAsync(() -> g.acquire(10, Duration.ofSeconds(30)));
        g.ack(ds.get(0));
        assertThat(payloads(waiting.get(30, TimeUnit.SECONDS))).containsExactly("c");
    }

    @Test
    void aWaitingAcquirerIsWokenByAProduce() throws Exception {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS);
        CompletableFuture<List<SharedGroup.Delivery>> waiting =
                CompletableFuture.supplyAsync(() -> g.acquire(10, Duration.ofSeconds(30)));
        mq.produce("jobs", msgs("a"));
        assertThat(payloads(waiting.get(30, TimeUnit.SECONDS))).containsExactly("a");
    }

    @Test
    void aWaitingAcquirerGetsTheMessageWhoseLockExpiresMeanwhile() throws Exception {
        mq.close();
        try (RocksMq real = RocksMq.open(dir)) { // the system clock: the wait must end by the lock's deadline
            real.createSharedGroup("jobs", "w", SharedGroupOptions.DEFAULTS.withLockDuration(Duration.ofMillis(200)));
            SharedGroup g = real.sharedGroup("jobs", "w");
            real.produce("jobs", msgs("a"));
            SharedGroup.Delivery stalled = g.acquire(1, NOW).get(0);
            List<SharedGroup.Delivery> got = g.acquire(1, Duration.ofSeconds(30));
            assertThat(got).hasSize(1);
            assertThat(got.get(0).attempt()).isEqualTo(2);
            assertThatThrownBy(() -> g.ack(stalled)).isInstanceOf(StaleDeliveryException.class);
        }
        mq = RocksMq.open(config());
    }

    @Test
    void destroyingTheGroupEndsAWaitingAcquireAndRecreatingStartsFresh() throws Exception {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS);
        mq.produce("jobs", msgs("a"));
        SharedGroup.Delivery d = g.acquire(1, NOW).get(0);
        CompletableFuture<List<SharedGroup.Delivery>> waiting =
                CompletableFuture.supplyAsync(() -> g.acquire(10, Duration.ofSeconds(30)));
        while (!waiting.isDone() && mq.topicsForTest().get("jobs").signal().registrationCount() == 0) {
            Thread.onSpinWait(); // until the acquirer waits (either way it must end with the group)
        }
        mq.destroyConsumerGroup("jobs", "w");
        assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(ConsumerGroupNotFoundException.class);
        assertThatThrownBy(() -> g.ack(d)).isInstanceOf(ConsumerGroupNotFoundException.class);
        mq.createSharedGroup("jobs", "w", SharedGroupOptions.DEFAULTS);
        assertThatThrownBy(() -> g.ack(d)).isInstanceOf(DeliveryNotFoundException.class);
        reopen(); // the old group's delivery count is gone from storage too
        assertThat(mq.sharedGroup("jobs", "w").acquire(10, NOW).get(0).attempt()).isEqualTo(1);
    }

    @Test
    void optionsAndGroupTypesAreValidated() {
        SharedGroupOptions d = SharedGroupOptions.DEFAULTS;
        assertThatThrownBy(() -> d.withLockDuration(Duration.ZERO)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> d.withLockDuration(null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> d.withMaxDeliveries(0)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> d.withMaxInFlight(0)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> d.withRedeliveryDelay(Duration.ofSeconds(-1))).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> d.withDeadLetterTopic("")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> mq.createSharedGroup("jobs", "w", null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> mq.createSharedGroup("jobs", "w", d.withDeadLetterTopic("jobs")))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> mq.createSharedGroup("jobs", "w", d.withDeadLetterTopic("nope")))
                .isInstanceOf(TopicNotFoundException.class);
        assertThatThrownBy(() -> mq.createSharedGroup("nope", "w", d)).isInstanceOf(TopicNotFoundException.class);
        assertThat(mq.consumerGroupExists("jobs", "w")).isFalse();
        mq.createSharedGroup("jobs", "w", d.withMaxDeliveries(SharedGroupOptions.UNLIMITED)
                .withDeadLetterTopic("dlq").withRedeliveryDelay(Duration.ofSeconds(3)));
        assertThatThrownBy(() -> mq.createSharedGroup("jobs", "w", d)).isInstanceOf(ConsumerGroupExistsException.class);
        assertThatThrownBy(() -> mq.createConsumerGroup("jobs", "w")).isInstanceOf(ConsumerGroupExistsException.class);
        assertThatThrownBy(() -> mq.consume("jobs", "w", 1)).isInstanceOf(WrongGroupTypeException.class);
        assertThatThrownBy(() -> mq.seek("jobs", "w", 0)).isInstanceOf(WrongGroupTypeException.class);
        mq.createConsumerGroup("jobs", "stream");
        assertThatThrownBy(() -> mq.sharedGroup("jobs", "stream")).isInstanceOf(WrongGroupTypeException.class);
        assertThatThrownBy(() -> mq.sharedGroup("jobs", "none")).isInstanceOf(ConsumerGroupNotFoundException.class);
        SharedGroup g = mq.sharedGroup("jobs", "w");
        assertThatThrownBy(() -> g.acquire(0, NOW)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> g.acquire(1, Duration.ofSeconds(-1))).isInstanceOf(InvalidArgumentException.class);
        reopen();
        assertThat(mq.sharedGroup("jobs", "w").options()).isEqualTo(d.withMaxDeliveries(SharedGroupOptions.UNLIMITED)
                .withDeadLetterTopic("dlq").withRedeliveryDelay(Duration.ofSeconds(3)));
        assertThat(mq.consumerGroups("jobs")).containsExactly("stream", "w");
    }

    @Test
    void retentionCountsEverythingBelowTheAckFloorAsConsumed() {
        mq.admin().setRetention("jobs", RetentionPolicy.KEEP_ALL.withRetentionTime(0));
        SharedGroup g = group(SharedGroupOptions.DEFAULTS);
        long[] ids = {mq.produce("jobs", msgs("a"))[0], mq.produce("jobs", msgs("b"))[0], mq.produce("jobs", msgs("c"))[0]};
        List<SharedGroup.Delivery> ds = g.acquire(3, NOW); // retention deletes whole produced batches
        g.ack(ds.get(0));
        g.ack(ds.get(2));
        clock.advance(1);
        mq.admin().runRetention();
        assertThat(mq.earliestMessageId("jobs")).isEqualTo(ids[1]);
        clock.advance(LOCK);
        assertThat(payloads(g.acquire(10, NOW))).containsExactly("b");
    }

    @Test
    void aHardCapSkipsTheFloorForwardAndCountsWhatWasUnfinished() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS);
        long[] ids = {mq.produce("jobs", msgs("a"))[0], mq.produce("jobs", msgs("b"))[0], mq.produce("jobs", msgs("c"))[0]};
        SharedGroup.Delivery a = g.acquire(1, NOW).get(0);
        g.release(g.acquire(1, NOW).get(0), Duration.ofHours(1)); // b waits for its redelivery
        clock.advance(10);
        mq.admin().setRetention("jobs", RetentionPolicy.KEEP_ALL.withMaxRetentionTime(1));
        mq.admin().runRetention();                                       // deletes a, b and c, read or not
        assertThat(mq.position("jobs", "w")).isEqualTo(ids[2] + 1);
        assertThat(mq.admin().skippedMessages("jobs", "w")).isEqualTo(3);
        assertThatThrownBy(() -> g.ack(a)).isInstanceOf(DeliveryNotFoundException.class);
        SharedGroup.Stats s = g.stats();
        assertThat(s.inFlight()).isZero();
        assertThat(s.delayed()).isZero();
        mq.admin().setRetention("jobs", RetentionPolicy.INHERIT_ALL);
        mq.produce("jobs", msgs("d"));
        clock.advance(2 * 3_600_000);
        assertThat(payloads(g.acquire(10, NOW))).containsExactly("d");
        reopen();                                                 // the records of a and b are gone too
        clock.advance(LOCK);
        assertThat(payloads(mq.sharedGroup("jobs", "w").acquire(10, NOW))).containsExactly("d");
    }

    @Test
    void expiredMessagesAreFinishedWithoutBeingDeliveredFreshOrAgain() {
        SharedGroup g = group(SharedGroupOptions.DEFAULTS);
        long[] ids = mq.produce("jobs", List.of(ProducerMessage.of(new byte[] {1}).withTtl(Duration.ofSeconds(1)),
                ProducerMessage.of(new byte[] {2}).withTtl(Duration.ofSeconds(1)), ProducerMessage.of(new byte[] {3})));
        g.release(g.acquire(1, NOW).get(0), Duration.ZERO);   // the first, delivered once
        clock.advance(1_000);
        List<SharedGroup.Delivery> got = g.acquire(10, NOW);  // both expired ones are skipped
        assertThat(got).extracting(SharedGroup.Delivery::id).containsExactly(ids[2]);
        assertThat(g.stats().expired()).isEqualTo(2);
        g.ack(got.get(0));
        assertThat(mq.position("jobs", "w")).isEqualTo(ids[2] + 1);
        reopen();
        clock.advance(LOCK);
        assertThat(mq.sharedGroup("jobs", "w").acquire(10, NOW)).isEmpty();
    }

    @Test
    void aReadOnlyQueueRefusesSharedGroupChanges() {
        group(SharedGroupOptions.DEFAULTS);
        mq.close();
        mq = RocksMq.open(RocksMqConfig.builder(dir).readOnly(true).build());
        assertThatThrownBy(() -> mq.createSharedGroup("jobs", "x", SharedGroupOptions.DEFAULTS))
                .isInstanceOf(ReadOnlyQueueException.class);
        SharedGroup g = mq.sharedGroup("jobs", "w");
        assertThatThrownBy(() -> g.acquire(1, NOW)).isInstanceOf(ReadOnlyQueueException.class);
        assertThat(g.stats().ackFloor()).isEqualTo(mq.position("jobs", "w"));
    }
}
