package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A group's expired count does not depend on whether the retention expiry rule deleted the expired
 * messages before the group read them: retention counts, for each group it moves past them, the expired
 * messages the group had not read (a shared group: not finished), once.
 */
class RetentionExpiryCountTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    private RocksMq open(Path at) {
        return RocksMq.open(RocksMqConfig.builder(at).clock(clock).retentionInterval(Duration.ZERO).build());
    }

    private static ProducerMessage msg(String payload) {
        return ProducerMessage.of(payload.getBytes(StandardCharsets.UTF_8));
    }

    private static ProducerMessage expiring(String payload) {
        return msg(payload).withTtl(Duration.ofSeconds(1));
    }

    /** Three expired messages in two entries, then a live one; returns the live one's id. */
    private static long produceExpiredThenLive(RocksMq mq) {
        mq.produce("t", List.of(expiring("a"), expiring("b")));
        mq.produce("t", List.of(expiring("c")));
        return mq.produce("t", List.of(msg("live")))[0];
    }

    /** Consumes everything, with the retention pass before or after the read; returns the group's expired count. */
    private long expiredCount(Path at, boolean retentionFirst) {
        try (RocksMq mq = open(at)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            long live = produceExpiredThenLive(mq);
            clock.advance(2_000);
            if (retentionFirst) {
                mq.admin().runRetention();
                assertThat(mq.admin().topicStats("t").earliestId()).as("retention reclaimed them").isEqualTo(live);
            }
            assertThat(mq.consume("t", "g", 10)).extracting(ConsumerMessage::id).containsExactly(live);
            if (!retentionFirst) {
                mq.admin().runRetention();
            }
            assertThat(mq.admin().skippedMessages("t", "g")).isZero();
            return mq.admin().expiredMessages("t", "g");
        } finally {
            clock.set(T0);
        }
    }

    @Test
    void theCountIsTheSameWhetherRetentionOrTheReadCameFirst() {
        long retentionFirst = expiredCount(dir.resolve("retention-first"), true);
        long readFirst = expiredCount(dir.resolve("read-first"), false);
        assertThat(readFirst).isEqualTo(3);
        assertThat(retentionFirst).isEqualTo(readFirst);
    }

    @Test
    void aSecondPassOrARestartDoesNotCountThemAgain() {
        try (RocksMq mq = open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            produceExpiredThenLive(mq);
            clock.advance(2_000);
            mq.admin().runRetention();
            mq.admin().runRetention();
            assertThat(mq.admin().expiredMessages("t", "g")).isEqualTo(3);
            mq.produce("t", List.of(expiring("later")));
            clock.advance(2_000);
            mq.admin().runRetention(); // "live" now stops the rule: nothing more deleted or counted
            assertThat(mq.admin().expiredMessages("t", "g")).isEqualTo(3);
        }
        try (RocksMq mq = open(dir)) {
            mq.admin().runRetention();
            assertThat(mq.admin().expiredMessages("t", "g")).as("counted since open: nothing counted again").isZero();
            assertThat(mq.consume("t", "g", 10)).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                    .containsExactly("live");
            assertThat(mq.consume("t", "g", 10)).isEmpty();
            assertThat(mq.admin().expiredMessages("t", "g")).as("'later' expired behind 'live'").isEqualTo(1);
        }
    }

    @Test
    void aGroupThatHadReadPastThemCountsNothingMore() {
        try (RocksMq mq = open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "early");
            mq.createConsumerGroup("t", "halfway");
            mq.createConsumerGroup("t", "late");
            long live = produceExpiredThenLive(mq);
            assertThat(mq.consume("t", "early", 10)).hasSize(4); // read before they expired: delivered
            assertThat(mq.consume("t", "halfway", 2)).hasSize(2); // a, b delivered; c not read
            clock.advance(2_000);
            mq.admin().runRetention();
            assertThat(mq.admin().topicStats("t").earliestId()).isEqualTo(live);
            assertThat(mq.admin().expiredMessages("t", "early")).isZero();
            assertThat(mq.admin().expiredMessages("t", "halfway")).isEqualTo(1);
            assertThat(mq.admin().expiredMessages("t", "late")).isEqualTo(3);
        }
    }

    @Test
    void aSharedGroupCountsTheExpiredMessagesItHadNotFinished() {
        for (boolean retentionFirst : new boolean[] {true, false}) {
            try (RocksMq mq = open(dir.resolve("shared-" + retentionFirst))) {
                mq.createTopic("t");
                mq.createSharedGroup("t", "w", SharedGroupOptions.DEFAULTS);
                SharedGroup g = mq.sharedGroup("t", "w");
                long live = produceExpiredThenLive(mq);
                List<SharedGroup.Delivery> first = g.acquire(1, Duration.ZERO);
                g.ack(first.get(0)); // "a" delivered and finished: never expired for this group
                clock.advance(2_000);
                if (retentionFirst) {
                    mq.admin().runRetention();
                    assertThat(mq.admin().topicStats("t").earliestId()).isEqualTo(live);
                }
                assertThat(g.acquire(10, Duration.ZERO)).extracting(d -> d.message().id()).containsExactly(live);
                mq.admin().runRetention();
                assertThat(g.stats().expired()).as("retention first: " + retentionFirst).isEqualTo(2);
            } finally {
                clock.set(T0);
            }
        }
    }

    @Test
    void aMessageASharedGroupHoldsInFlightIsNotReclaimedUnderItsWorker() {
        for (boolean retentionFirst : new boolean[] {true, false}) {
            try (RocksMq mq = open(dir.resolve("in-flight-" + retentionFirst))) {
                mq.createTopic("t");
                mq.createSharedGroup("t", "w", SharedGroupOptions.DEFAULTS); // 30 s locks
                SharedGroup g = mq.sharedGroup("t", "w");
                long live = produceExpiredThenLive(mq);
                List<SharedGroup.Delivery> held = g.acquire(1, Duration.ZERO); // "a", then it expires in the worker's hands
                clock.advance(2_000);
                if (retentionFirst) {
                    mq.admin().runRetention();
                }
                g.ack(held.get(0)); // the worker finishes what it was given
                assertThat(g.acquire(10, Duration.ZERO)).extracting(d -> d.message().id()).containsExactly(live);
                mq.admin().runRetention();
                assertThat(g.stats().expired()).as("retention first: " + retentionFirst + "; 'a' was delivered")
                        .isEqualTo(2);
                assertThat(mq.admin().topicStats("t").earliestId()).isEqualTo(live);
            } finally {
                clock.set(T0);
            }
        }
    }

    @Test
    void aMessageWhoseLockLapsedIsReclaimedAndCountedAsAReadWouldHave() {
        for (boolean retentionFirst : new boolean[] {true, false}) {
            try (RocksMq mq = open(dir.resolve("lapsed-" + retentionFirst))) {
                mq.createTopic("t");
                mq.createSharedGroup("t", "w", SharedGroupOptions.DEFAULTS); // 30 s locks
                SharedGroup g = mq.sharedGroup("t", "w");
                long live = produceExpiredThenLive(mq);
                assertThat(g.acquire(1, Duration.ZERO)).hasSize(1); // "a", never finished
                clock.advance(31_000); // expired, and its lock lapsed: nobody can finish it any more
                if (retentionFirst) {
                    mq.admin().runRetention();
                    assertThat(mq.admin().topicStats("t").earliestId()).isEqualTo(live);
                }
                assertThat(g.acquire(10, Duration.ZERO)).extracting(d -> d.message().id()).containsExactly(live);
                mq.admin().runRetention();
                assertThat(g.stats().expired()).as("retention first: " + retentionFirst).isEqualTo(3);
            } finally {
                clock.set(T0);
            }
        }
    }

    /**
     * The expiry rule needs a shared group's in-flight messages (under its position lock) only when
     * something has expired. With nothing expired, a pass must finish while a consumer holds that lock
     * (it blocked on it, every pass, before); once something has expired it takes the lock and deletes.
     */
    @Test
    void aPassWithNothingExpiredTakesNoSharedGroupPositionLock() throws Exception {
        ExecutorService holder = Executors.newSingleThreadExecutor();
        ExecutorService passes = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        try (RocksMq mq = open(dir)) {
            try {
                mq.createTopic("t");
                mq.createSharedGroup("t", "w", SharedGroupOptions.DEFAULTS);
                long live = produceExpiredThenLive(mq); // not yet expired: the clock has not moved
                ConsumerGroup group = mq.topicsForTest().get("t").groups().stream()
                        .filter(g -> g.name().equals("w")).findFirst().orElseThrow();
                CountDownLatch locked = new CountDownLatch(1);
                holder.submit(() -> {
                    group.lockPosition();
                    try {
                        locked.countDown();
                        release.await();
                    } finally {
                        group.unlockPosition();
                    }
                    return null;
                });
                assertThat(locked.await(30, TimeUnit.SECONDS)).as("the holder took the position lock").isTrue();

                Future<Long> quiet = passes.submit(() -> mq.admin().runRetention());
                assertThat(quiet).as("a pass with nothing expired, while another thread holds the shared group's "
                        + "position lock").succeedsWithin(Duration.ofSeconds(30)).isEqualTo(0L);

                clock.advance(2_000);
                Future<Long> expiring = passes.submit(() -> mq.admin().runRetention());
                release.countDown();
                assertThat(expiring).as("a pass with three expired messages, once the lock is free")
                        .succeedsWithin(Duration.ofSeconds(30)).isEqualTo(3L);
                assertThat(mq.admin().topicStats("t").earliestId()).isEqualTo(live);
            } finally {
                release.countDown(); // before the close, which may need the lock
                holder.shutdown();
                passes.shutdown();
                assertThat(holder.awaitTermination(30, TimeUnit.SECONDS)).as("holder ended").isTrue();
                assertThat(passes.awaitTermination(30, TimeUnit.SECONDS)).as("passes ended").isTrue();
            }
        } finally {
            clock.set(T0);
        }
    }
}
