package io.rocksmq.core;

import io.rocksmq.testkit.MutableClock;

import io.rocksmq.api.ScheduleNotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cancels racing with the move of their messages to the topic, over a recorded history: for each scheduled
 * message exactly one of "cancel succeeded" (and it never appears) and "cancel found nothing" (and it
 * appears exactly once). The unlocked cancel of {@link ScheduleVariants} must be caught.
 */
class ScheduleRaceTest {
    private static final int MESSAGES = 1_500;
    private static final int CANCELLERS = 3;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);

    @Test
    void cancelAndMoveNeverBothHappen() throws Exception {
        for (int round = 0; round < 3; round++) {
            assertThat(runRound(round, Scheduler.LOCKED)).as("round " + round).isEmpty();
        }
    }

    @Test
    void theUnlockedCancelVariantIsCaught() throws Exception {
        List<String> violations = List.of();
        for (int round = 0; round < 20 && violations.isEmpty(); round++) {
            violations = runRound(round, ScheduleVariants.UNLOCKED_CANCEL);
        }
        assertThat(violations).as("the broken variant must be caught").isNotEmpty();
    }

    /** One round on a fresh topic: the violations of the history found (empty: none). */
    private List<String> runRound(int round, Scheduler.Cancel cancel) throws Exception {
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(dir).clock(clock).retentionInterval(Duration.ZERO)
                .defaultRetention(RetentionPolicy.KEEP_ALL).build())) {
            mq.schedulerForTest().cancelVariant(cancel);
            String topic = "t" + round;
            mq.createTopic(topic);
            byte[] padding = new byte[512];
            List<ProducerMessage> messages = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                messages.add(ProducerMessage.of(concat(("m" + i + ":").getBytes(StandardCharsets.UTF_8), padding))
                        .withDeliverAfter(Duration.ofSeconds(10)));
            }
            List<ScheduleHandle> handles = mq.schedule(topic, messages, Durability.WAL);
            Map<Long, Integer> indexOf = new HashMap<>();
            for (int i = 0; i < MESSAGES; i++) {
                indexOf.put(handles.get(i).sequence(), i);
            }
            List<ScheduleHandle> order = new ArrayList<>(handles);
            Collections.shuffle(order, new Random(round));
            boolean[] cancelled = new boolean[MESSAGES];
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(CANCELLERS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < CANCELLERS; c++) {
                    int slice = c;
                    done.add(pool.submit(() -> {
                        go.await();
                        for (int k = slice; k < order.size(); k += CANCELLERS) {
                            ScheduleHandle h = order.get(k);
                            try {
                                mq.cancelScheduled(h);
                                cancelled[indexOf.get(h.sequence())] = true; // each index written by one thread
                            } catch (ScheduleNotFoundException e) {
                                // recorded as not cancelled
                            }
                        }
                        return null;
                    }));
                }
                clock.advance(10_000);
                go.countDown();
                mq.schedulerForTest().wake();
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (mq.admin().scheduledCount(topic) > 0 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            int[] appeared = new int[MESSAGES];
            for (long from = 0; ; ) {
                List<ConsumerMessage> got = mq.read(topic, from, 1_000);
                if (got.isEmpty()) {
                    break;
                }
                for (ConsumerMessage m : got) {
                    String text = new String(m.payload(), StandardCharsets.UTF_8);
                    appeared[Integer.parseInt(text.substring(1, text.indexOf(':')))]++;
                }
                from = got.get(got.size() - 1).id() + 1;
            }
            List<String> violations = new ArrayList<>();
            if (mq.admin().scheduledCount(topic) != 0) {
                violations.add(mq.admin().scheduledCount(topic) + " entries left in the schedule");
            }
            for (int i = 0; i < MESSAGES; i++) {
                if (cancelled[i] ? appeared[i] != 0 : appeared[i] != 1) {
                    violations.add("m" + i + ": cancel " + (cancelled[i] ? "succeeded" : "found nothing")
                            + ", appeared " + appeared[i] + " times");
                }
            }
            return violations;
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
