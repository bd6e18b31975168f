package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import io.rocksmq.testkit.process.ChildJvm;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Child-process main of {@link PositionCommitIntervalTest}: for each scenario, a queue of its own in
 * {@code <dir>/<scenario>} with ten messages {@code m0..m9} and one group that consumed some of them
 * under a position commit interval; then prints READY and waits to be killed with SIGKILL. The test
 * reopens each queue and checks where the group resumes.
 *
 * <p>Argument: the base directory.
 */
public final class PositionCommitChild {
    static final String TOPIC = "t";
    static final String GROUP = "g";
    static final long HOUR = 3_600_000;

    private PositionCommitChild() {
    }

    /** Scenario name, and the message the group must resume at after the kill. */
    enum Scenario {
        /** No interval (the default): every consume is persisted, nothing is redelivered. */
        DEFAULT("m5"),
        /** Interval 1 h: consumed 3 (written: the first since open), then 2 within the hour (not written). */
        WITHIN_INTERVAL("m3"),
        /** Interval 1 s: consumed 3 (written), 1 s later 2 (written: due), 0.5 s later 1 more (not written). */
        INTERVAL_ELAPSED("m5"),
        /** Interval 1 h: consumed 3 (written), the 7 others (not written), then a consume found nothing (written). */
        CAUGHT_UP(null),
        /** Interval 1 h: consumed 3 (written), 2 more (not written), then seek to 8 (written). */
        SEEK("m8");

        final String resumesAt;

        Scenario(String resumesAt) {
            this.resumesAt = resumesAt;
        }
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.exitWhenParentDies();
        Path base = Path.of(args[0]);
        List<RocksMq> open = new ArrayList<>(); // never closed: the parent kills this process
        for (Scenario s : Scenario.values()) {
            MutableClock clock = new MutableClock(1_000_000);
            RocksMq mq = open(base.resolve(s.name()), clock, s == Scenario.DEFAULT ? Duration.ZERO
                    : s == Scenario.INTERVAL_ELAPSED ? Duration.ofSeconds(1) : Duration.ofHours(1));
            open.add(mq);
            prepare(mq);
            consume(mq, 3);
            switch (s) {
                case DEFAULT, WITHIN_INTERVAL -> {
                    clock.advance(1);
                    consume(mq, 2);
                }
                case INTERVAL_ELAPSED -> {
                    clock.advance(1000);
                    consume(mq, 2);
                    clock.advance(500);
                    consume(mq, 1);
                }
                case CAUGHT_UP -> {
                    consume(mq, 7);
                    if (!mq.consume(TOPIC, GROUP, 10).isEmpty()) {
                        throw new IllegalStateException("expected nothing left");
                    }
                }
                case SEEK -> {
                    consume(mq, 2);
                    mq.seek(TOPIC, GROUP, mq.earliestMessageId(TOPIC) + 8);
                }
                default -> throw new IllegalStateException(s.name());
            }
        }
        System.out.println(ChildJvm.READY);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    static RocksMq open(Path dir, java.time.Clock clock, Duration interval) {
        return RocksMq.open(RocksMqConfig.builder(dir).clock(clock).positionCommitInterval(interval)
                .defaultRetention(RetentionPolicy.KEEP_ALL).retentionInterval(Duration.ZERO).build());
    }

    /** Creates the topic, ten messages m0..m9, and the group at the first. */
    static void prepare(RocksMq mq) {
        mq.createTopic(TOPIC);
        mq.createConsumerGroup(TOPIC, GROUP);
        List<ProducerMessage> ten = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ten.add(ProducerMessage.of(("m" + i).getBytes(StandardCharsets.UTF_8)));
        }
        mq.produce(TOPIC, ten, Durability.WAL);
    }

    static void consume(RocksMq mq, int n) {
        int got = mq.consume(TOPIC, GROUP, n).size();
        if (got != n) {
            throw new IllegalStateException("consumed " + got + " of " + n);
        }
    }

    /** The payload of the next message the group gets, or null if none. */
    static String next(RocksMq mq) {
        List<ConsumerMessage> m = mq.consume(TOPIC, GROUP, 1);
        return m.isEmpty() ? null : new String(m.get(0).payload(), StandardCharsets.UTF_8);
    }
}
