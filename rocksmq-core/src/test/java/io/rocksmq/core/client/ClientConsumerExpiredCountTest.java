package io.rocksmq.core.client;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.RocksMqConfig;
import io.rocksmq.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded client consumer's expired messages are counted in the group's expired count when its
 * commit moves the group's position past them, once: not when they are only read, not again when
 * retention moved the group past them first, and not at all when a seek moved it past them.
 */
@Timeout(60)
class ClientConsumerExpiredCountTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private RocksMq mq;
    private RocksMqClient client;

    @BeforeEach
    void open() {
        mq = RocksMq.open(RocksMqConfig.builder(dir).clock(clock).retentionInterval(Duration.ZERO).build());
        client = RocksMqClient.wrap(mq);
        mq.createTopic("t");
    }

    @AfterEach
    void close() {
        client.close();
        mq.close();
    }

    private static ProducerMessage msg(String payload) {
        return ProducerMessage.of(payload.getBytes(StandardCharsets.UTF_8));
    }

    private static ProducerMessage expiring(String payload) {
        return msg(payload).withTtl(Duration.ofSeconds(1));
    }

    /** "live-0", two expired, "live-1", one expired, "live-2"; the clock is then past the expiry. */
    private void produceMixed() {
        mq.produce("t", List.of(msg("live-0"), expiring("x1"), expiring("x2")));
        mq.produce("t", List.of(msg("live-1"), expiring("x3"), msg("live-2")));
        clock.advance(2_000);
    }

    private Consumer subscribe() {
        return client.subscribe(ConsumerOptions.builder("t", "g")
                .initialPosition(SubscriptionInitialPosition.EARLIEST).build());
    }

    private static List<Message> receive(Consumer c, int n) {
        List<Message> out = new ArrayList<>();
        while (out.size() < n) {
            Optional<Message> m = c.receive(Duration.ofSeconds(10));
            assertThat(m).as("message %d of %d", out.size() + 1, n).isPresent();
            out.add(m.get());
        }
        return out;
    }

    private long expired() {
        return mq.admin().expiredMessages("t", "g");
    }

    private static List<String> texts(List<Message> ms) {
        return ms.stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void countedWhenTheCommitMovesThePositionPastThemNotWhenRead() {
        produceMixed();
        try (Consumer c = subscribe()) {
            List<Message> got = receive(c, 3);
            assertThat(texts(got)).containsExactly("live-0", "live-1", "live-2");
            assertThat(expired()).as("read, not acknowledged").isZero();
            c.ack(got.get(0).id()); // the position moves to live-1, past x1 and x2
            assertThat(expired()).isEqualTo(2);
            c.ack(got.get(2).id()); // out of order: live-1 still holds the position
            assertThat(expired()).isEqualTo(2);
            c.ack(got.get(1).id()); // past x3
            assertThat(expired()).isEqualTo(3);
            assertThat(mq.position("t", "g")).isEqualTo(got.get(2).id().offset() + 1);
        }
        assertThat(expired()).isEqualTo(3);
    }

    @Test
    void aConsumerClosedBeforeItsCommitCountsNothingAndTheNextOneCountsThemOnce() {
        produceMixed();
        try (Consumer c = subscribe()) {
            receive(c, 3);
        }
        assertThat(expired()).isZero();
        try (Consumer c = subscribe()) {
            List<Message> got = receive(c, 3);
            c.ackCumulative(got.get(2).id());
        }
        assertThat(expired()).isEqualTo(3);
    }

    @Test
    void notCountedAgainWhenRetentionMovedTheGroupPastThemFirst() {
        mq.produce("t", List.of(expiring("x1"), expiring("x2")));
        mq.produce("t", List.of(msg("live")));
        clock.advance(2_000);
        try (Consumer c = subscribe()) {
            List<Message> got = receive(c, 1);
            assertThat(texts(got)).containsExactly("live");
            assertThat(expired()).isZero();
            mq.admin().runRetention(); // deletes x1 and x2, moves the group past them and counts them
            assertThat(mq.admin().topicStats("t").earliestId()).isEqualTo(got.get(0).id().offset());
            assertThat(expired()).isEqualTo(2);
            c.ack(got.get(0).id());
            assertThat(expired()).as("the commit moves past nothing retention had not").isEqualTo(2);
        }
    }

    @Test
    void aSeekPastThemCountsNothingAndForgetsWhatWasRead() {
        produceMixed();
        try (Consumer c = subscribe()) {
            List<Message> got = receive(c, 3);
            MessageId live2 = got.get(2).id();
            c.seek(live2, true); // past x1..x3 by a seek
            List<Message> again = receive(c, 1);
            assertThat(texts(again)).containsExactly("live-2");
            c.ack(again.get(0).id());
            assertThat(expired()).isZero();
            assertThat(mq.position("t", "g")).isEqualTo(live2.offset() + 1);
        }
    }

    @Test
    void aSeekBackReadsThemAgainAndTheyAreCountedOnceOnCommit() {
        produceMixed();
        try (Consumer c = subscribe()) {
            List<Message> got = receive(c, 3);
            c.seek(got.get(0).id(), true);
            List<Message> again = receive(c, 3);
            assertThat(texts(again)).containsExactly("live-0", "live-1", "live-2");
            c.ackCumulative(again.get(2).id());
            assertThat(expired()).isEqualTo(3);
        }
    }

    @Test
    void trailingExpiredMessagesAreCountedWhenALaterMessageIsCommitted() {
        mq.produce("t", List.of(msg("live-0"), expiring("x1")));
        clock.advance(2_000);
        try (Consumer c = subscribe()) {
            List<Message> first = receive(c, 1);
            c.ack(first.get(0).id()); // the position stops before x1: nothing after it was read yet
            assertThat(expired()).isZero();
            assertThat(c.receive(Duration.ofMillis(200))).isEmpty(); // reads past x1 again, keeps it once
            mq.produce("t", List.of(msg("live-1")));
            List<Message> second = receive(c, 1);
            assertThat(texts(second)).containsExactly("live-1");
            c.ack(second.get(0).id());
            assertThat(expired()).isEqualTo(1);
        }
    }
}
