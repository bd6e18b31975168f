package io.rocksmq.api.internals;

import io.rocksmq.api.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AckRingTest {

    /** Reads {@code ids} and delivers all of them. */
    private static AckRing delivered(long start, long... ids) {
        AckRing ring = new AckRing(start);
        for (long id : ids) {
            ring.read(id);
        }
        for (long id : ids) {
            ring.delivered(id);
        }
        return ring;
    }

    @Test
    void thePositionMovesOverTheContiguousAcknowledgedPrefixOnlyAcrossGaps() {
        AckRing ring = delivered(10, 10, 11, 13, 17, 18); // gaps, as Kafka's compaction leaves them
        assertThat(ring.next()).isEqualTo(19);
        assertThat(ring.position()).isEqualTo(10);
        assertThat(ring.ack(11)).as("out of order: marked, position stays").isFalse();
        assertThat(ring.position()).isEqualTo(10);
        assertThat(ring.ack(12)).as("a gap: never read").isFalse();
        assertThat(ring.ack(10)).isTrue();
        assertThat(ring.position()).as("over 10 and the earlier-acked 11").isEqualTo(13);
        assertThat(ring.ackUpTo(17)).isTrue();
        assertThat(ring.position()).isEqualTo(18);
        assertThat(ring.ackUpTo(18)).isTrue();
        assertThat(ring.position()).isEqualTo(19);
        assertThatThrownBy(() -> ring.read(5)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRepeatedAcknowledgementChangesNothing() {
        AckRing ring = delivered(0, 0, 1, 2);
        assertThat(ring.ack(1)).isFalse();
        assertThat(ring.ack(1)).as("repeat of an out-of-order ack").isFalse();
        assertThat(ring.unacknowledged()).isEqualTo(2);
        assertThat(ring.ack(0)).isTrue();
        assertThat(ring.ack(0)).as("repeat after it left the ring").isFalse();
        assertThat(ring.ackUpTo(1)).isFalse();
        assertThat(ring.position()).isEqualTo(2);
    }

    @Test
    void anIdReadAheadButNotDeliveredCannotBeAcknowledged() {
        AckRing ring = new AckRing(0);
        for (long id = 0; id < 5; id++) {
            ring.read(id);
        }
        ring.delivered(0);
        ring.delivered(1);
        assertThatThrownBy(() -> ring.ack(3)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("not delivered");
        assertThatThrownBy(() -> ring.ackUpTo(4)).isInstanceOf(InvalidArgumentException.class);
        assertThat(ring.position()).as("nothing acknowledged by the refused calls").isEqualTo(0);
        assertThat(ring.ack(99)).as("never read: no effect").isFalse();
        assertThat(ring.ackUpTo(99)).as("never read: covers the delivered ones only").isTrue();
        assertThat(ring.position()).isEqualTo(2);
    }

    @Test
    void afterAResetIdsDeliveredBeforeItAreIgnoredUntilDeliveredAgain() {
        AckRing ring = delivered(0, 0, 1, 2, 3);
        ring.reset(1); // a seek back to 1
        ring.read(1);
        ring.read(2);
        assertThat(ring.ack(2)).as("delivered before the seek, read again but not delivered again").isFalse();
        assertThat(ring.ackUpTo(3)).isFalse();
        assertThat(ring.position()).isEqualTo(1);
        ring.delivered(1);
        assertThat(ring.ackUpTo(3)).as("covers what was delivered since the seek").isTrue();
        assertThat(ring.position()).isEqualTo(2);
        ring.read(4);
        assertThatThrownBy(() -> ring.ack(4)).as("read ahead, never delivered").isInstanceOf(InvalidArgumentException.class);
    }

    /** A plain model: read ids with a state each, the last delivered since the reset, the newest ever delivered. */
    @Test
    void agreesWithASimpleModelOnRandomHistories() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            AckRing ring = new AckRing(0);
            TreeMap<Long, Boolean> model = new TreeMap<>(); // read and not yet dropped → acknowledged?
            long next = 0;
            long lastDelivered = Long.MIN_VALUE;
            long maxDelivered = Long.MIN_VALUE;
            for (int step = 0; step < 400; step++) {
                String at = "seed " + seed + " round " + round + " step " + step;
                int op = random.nextInt(12);
                if (op < 3) {
                    long id = next + (random.nextInt(4) == 0 ? random.nextInt(50) : 0); // gaps happen
                    ring.read(id);
                    model.put(id, false);
                    next = id + 1;
                } else if (op < 6) {
                    Long undelivered = model.higherKey(lastDelivered);
                    if (undelivered != null) {
                        ring.delivered(undelivered);
                        lastDelivered = undelivered;
                        maxDelivered = Math.max(maxDelivered, undelivered);
                    }
                } else if (op < 11) {
                    boolean cumulative = op == 10;
                    long id = next - random.nextInt(30) + random.nextInt(5);
                    if (id > maxDelivered && id < next) {
                        long fid = id;
                        assertThatThrownBy(() -> {
                            if (cumulative) {
                                ring.ackUpTo(fid);
                            } else {
                                ring.ack(fid);
                            }
                        }).as(at).isInstanceOf(InvalidArgumentException.class);
                    } else if (cumulative) {
                        ring.ackUpTo(id);
                        for (Map.Entry<Long, Boolean> e : model.headMap(Math.min(id, lastDelivered), true).entrySet()) {
                            e.setValue(true);
                        }
                    } else {
                        ring.ack(id);
                        if (id <= lastDelivered && model.containsKey(id)) {
                            model.put(id, true);
                        }
                    }
                } else if (random.nextInt(10) == 0) {
                    next = Math.max(0, next - random.nextInt(40));
                    ring.reset(next);
                    model.clear();
                    lastDelivered = Long.MIN_VALUE;
                }
                while (!model.isEmpty() && model.firstEntry().getValue()) {
                    model.pollFirstEntry();
                }
                long expected = model.isEmpty() ? next : model.firstKey();
                assertThat(ring.position()).as(at).isEqualTo(expected);
                assertThat(ring.unacknowledged()).as(at).isEqualTo((int) model.values().stream().filter(a -> !a).count());
            }
        }
    }
}
