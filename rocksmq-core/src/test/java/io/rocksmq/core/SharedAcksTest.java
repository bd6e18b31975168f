package io.rocksmq.core;

import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.StaleDeliveryException;
import io.rocksmq.testkit.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.rocksmq.core.RocksMqTest.msgs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Group commit of acks ({@link SharedAcks}): acks queued while another holds the group's lock are committed
 * by the next ack in one write, each as if written alone (out of id order, duplicates and stale ones among
 * them), and survive a restart. The acks are queued by hand here, as acking threads would while the lock is
 * held, so the batch is exactly known; {@link SharedGroupHistoryTest} runs them concurrently.
 */
class SharedAcksTest {
    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(1_000_000);

    /** The real state, counting the group writes of acks and what they held. */
    static final class Counting extends SharedGroupState {
        final List<Integer> batches = new ArrayList<>();

        Counting(SharedGroupOptions o, long t, String n, long f, long[] c, Map<Long, byte[]> r) {
            super(o, t, n, f, c, r);
        }

        @Override
        void commitAcks(Op op, List<byte[][]> writes, List<SharedAcks.Pending> staged) {
            batches.add(staged.size());
            super.commitAcks(op, writes, staged);
        }
    }

    private RocksMqConfig config() {
        return RocksMqConfig.builder(dir).clock(clock).retentionInterval(Duration.ZERO).build();
    }

    @Test
    void queuedAcksAreCommittedInOneWriteAsIfWrittenAlone() {
        List<Counting> states = new ArrayList<>();
        long base;
        try (RocksMq mq = RocksMq.open(config())) {
            mq.sharedGroupsForTest().factory((o, t, n, f, c, r) -> {
                Counting s = new Counting(o, t, n, f, c, r);
                states.add(s);
                return s;
            });
            mq.createTopic("jobs");
            mq.createSharedGroup("jobs", "w", SharedGroupOptions.DEFAULTS);
            SharedGroup g = mq.sharedGroup("jobs", "w");
            mq.produce("jobs", msgs("a", "b", "c", "d", "e", "f", "g"));
            List<SharedGroup.Delivery> d = g.acquire(7, Duration.ZERO);
            assertThat(d).hasSize(7);
            Counting state = states.get(states.size() - 1);

            // Queued while "another thread held the lock": 2 and 5 above the floor, then the floor 0 (which
            // must pass 1 only once 1 is acked), 1, a second ack of 0, a stale attempt of 4.
            base = d.get(0).id();
            List<SharedAcks.Pending> queued = new ArrayList<>();
            for (long[] a : new long[][] {{2, 1}, {5, 1}, {0, 1}, {1, 1}, {0, 1}}) {
                queued.add(new SharedAcks.Pending(base + a[0], (int) a[1], d.get(0).incarnation()));
            }
            SharedAcks.Pending neverMade = new SharedAcks.Pending(base + 4, 2, d.get(0).incarnation());
            queued.add(neverMade);
            queued.forEach(state.acks::offer);

            g.ack(d.get(3)); // the next ack commits them all with its own
            assertThat(state.batches).containsExactly(5);
            for (SharedAcks.Pending p : queued.subList(0, 4)) {
                p.outcome(); // done, without error
            }
            assertThatThrownBy(queued.get(4)::outcome).isInstanceOf(DeliveryNotFoundException.class);
            assertThatThrownBy(neverMade::outcome).isInstanceOf(DeliveryNotFoundException.class);
            SharedGroup.Stats stats = g.stats();
            assertThat(stats.ackFloor()).isEqualTo(base + 4); // 0..3 acked, 4 still held
            assertThat(stats.inFlight()).isEqualTo(2); // 4 and 6
            assertThat(stats.acked()).isEqualTo(5);
            assertThatThrownBy(() -> g.ack(d.get(2))).isInstanceOf(DeliveryNotFoundException.class);
        }
        try (RocksMq mq = RocksMq.open(config())) {
            SharedGroup g = mq.sharedGroup("jobs", "w");
            List<SharedGroup.Delivery> again = g.acquire(10, Duration.ZERO);
            assertThat(again).extracting(SharedGroup.Delivery::id).containsExactly(base + 4, base + 6);
            assertThat(again).allSatisfy(x -> assertThat(x.attempt()).isEqualTo(2));
            assertThat(g.stats().ackFloor()).isEqualTo(again.get(0).id());
        }
    }

    @Test
    void anAckOfAnEarlierAttemptInTheBatchIsStale() {
        try (RocksMq mq = RocksMq.open(config())) {
            List<SharedGroupState> states = new ArrayList<>();
            mq.sharedGroupsForTest().factory((o, t, n, f, c, r) -> {
                SharedGroupState s = new SharedGroupState(o, t, n, f, c, r);
                states.add(s);
                return s;
            });
            mq.createTopic("jobs");
            mq.createSharedGroup("jobs", "w", SharedGroupOptions.DEFAULTS);
            SharedGroup g = mq.sharedGroup("jobs", "w");
            mq.produce("jobs", msgs("a", "b"));
            SharedGroup.Delivery first = g.acquire(1, Duration.ZERO).get(0);
            g.release(first, Duration.ZERO);
            SharedGroup.Delivery second = g.acquire(1, Duration.ZERO).get(0);
            SharedGroup.Delivery other = g.acquire(1, Duration.ZERO).get(0);
            SharedAcks.Pending stale = new SharedAcks.Pending(first.id(), first.attempt(), first.incarnation());
            states.get(states.size() - 1).acks.offer(stale);
            g.ack(other);
            assertThatThrownBy(stale::outcome).isInstanceOf(StaleDeliveryException.class);
            g.ack(second);
            assertThat(g.stats().ackFloor()).isEqualTo(other.id() + 1);
        }
    }
}
