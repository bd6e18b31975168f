package io.rocksmq.server;

import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.RocksMqConfig;
import io.rocksmq.testkit.process.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of the server while producers with a {@link ProducerOptions#producerName() name} send
 * through the client API (three, pipelining), again and again (at least {@link #MIN_KILLS} times, and
 * until a kill has caught a batch stored but not yet answered, which only some kills do): the producer resends the batches the kill left unanswered, with the same
 * automatic deduplication ids, once the server is back (restarted on the same data). A batch the killed
 * server had stored before it could answer is answered with the original ids, from the deduplication
 * window it reloaded on open. Afterwards every message is stored exactly once, at the id its send was
 * answered with, and none is lost. {@link ForgetfulRestart} (the window wiped before each restart, as if
 * it were not persisted or not reloaded) shows that the check catches a window that does not survive.
 * Set {@code -Dcrash.seed=N} to replay a seed.
 */
@Timeout(300)
class NamedProducerCrashTest {
    private static final String TOPIC = "t";
    private static final int PRODUCERS = 3;
    private static final int MIN_KILLS = 3;
    private static final int MAX_KILLS = 40;

    @TempDir
    Path dir;

    @Test
    void resendsAfterServerKillsStoreEachMessageOnce() throws Exception {
        Outcome o = run(dir.resolve("ok"), false);
        assertThat(o.violations).as(o.summary).isEmpty();
        assertThat(o.deduplicated).as(o.summary + ": some resent batch had been stored before the kill").isPositive();
    }

    @Test
    void theCheckCatchesARestartThatForgetsTheWindow() throws Exception {
        Outcome o = run(dir.resolve("broken"), true);
        assertThat(o.violations).as(o.summary).anyMatch(v -> v.contains("stored 2 times"));
    }

    private record Outcome(List<String> violations, long deduplicated, String summary) {
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static ChildJvm startServer(Path dir, Path data, int port) throws Exception {
        ChildJvm server = ChildJvm.start(FaultChild.class, dir.resolve("server-stderr.txt"), "server", data.toString(),
                String.valueOf(port));
        server.await("READY", Duration.ofSeconds(60));
        return server;
    }

    private Outcome run(Path root, boolean forgetful) throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        Random random = new Random(seed);
        Path data = java.nio.file.Files.createDirectories(root).resolve("data");
        int port = freePort();
        Map<String, Long> answered = new ConcurrentHashMap<>();
        List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, CompletableFuture<MessageId>> sends = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        ChildJvm server = startServer(root, data, port);
        int[] sent = new int[PRODUCERS];
        int kills = 0;
        try (MqClient client = ColdServerClient.openWhenServing(port)) {
            List<Thread> producers = new ArrayList<>();
            for (int n = 0; n < PRODUCERS; n++) {
                int producer = n;
                Producer p = client.createProducer(ProducerOptions.builder(TOPIC).producerName("crash-producer-" + n)
                        .sendTimeout(Duration.ofSeconds(120)).build());
                producers.add(new Thread(() -> {
                    try (p) {
                        for (int i = 0; !stop.get(); i++) {
                            String text = "p" + producer + "-m" + i;
                            CompletableFuture<MessageId> f = p.sendAsync(io.rocksmq.api.OutgoingMessage.text(text));
                            sends.put(text, f);
                            f.thenAccept(id -> answered.put(text, id.offset()));
                            sent[producer] = i + 1;
                        }
                        p.flush();
                    } catch (Throwable e) {
                        unexpected.compareAndSet(null, e);
                    }
                }, "named-producer-" + n));
            }
            producers.forEach(Thread::start);
            // Kill until a resent batch met what the killed server had stored (deduplicated, or with the
            // forgetful variant stored twice): a kill hits that window only now and then.
            boolean met = false;
            while (kills < MAX_KILLS && !(met && kills >= MIN_KILLS)) {
                awaitAnswers(answered, answered.size() + 200 + random.nextInt(400));
                server.kill();
                server.close();
                kills++;
                met = inspect(data).met();
                if (forgetful) {
                    ForgetfulRestart.wipeDeduplicationWindows(data);
                }
                Thread.sleep(random.nextInt(200));
                server = startServer(root, data, port);
            }
            awaitAnswers(answered, answered.size() + 200);
            stop.set(true);
            for (Thread t : producers) {
                t.join(150_000);
            }
            for (Map.Entry<String, CompletableFuture<MessageId>> s : sends.entrySet()) {
                try {
                    s.getValue().get(150, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    violations.add(s.getKey() + ": send failed: " + e.getCause());
                }
            }
        } finally {
            server.kill();
            server.close();
        }
        assertThat(unexpected.get()).as("seed " + seed).isNull();
        Inspection end = inspect(data);
        end.stored().forEach((text, at) -> {
            if (at.size() != 1) {
                violations.add(text + " stored " + at.size() + " times, at " + at);
            }
        });
        int total = 0;
        for (int n = 0; n < PRODUCERS; n++) {
            total += sent[n];
            for (int i = 0; i < sent[n]; i++) {
                String text = "p" + n + "-m" + i;
                List<Long> at = end.stored().get(text);
                Long id = answered.get(text);
                if (at == null) {
                    violations.add(text + " lost (answered as " + id + ")");
                } else if (id != null && !at.contains(id)) {
                    violations.add(text + " answered as " + id + " but stored at " + at);
                }
            }
        }
        String summary = "seed " + seed + (forgetful ? " (forgetful restarts)" : "") + ": " + kills + " kills, " + total
                + " sent, " + end.stored().size() + " stored, " + end.deduplicated() + " resent messages deduplicated, "
                + violations.size() + " violations" + (violations.isEmpty() ? "" : ", first " + violations.get(0));
        System.err.println("named producer crash test " + summary);
        return new Outcome(violations, end.deduplicated(), summary);
    }

    /** What the (stopped) server's queue holds: each payload's ids, and the messages deduplicated so far. */
    private record Inspection(Map<String, List<Long>> stored, long deduplicated) {
        boolean met() {
            return deduplicated > 0 || stored.values().stream().anyMatch(at -> at.size() > 1);
        }
    }

    private static Inspection inspect(Path data) {
        Map<String, List<Long>> stored = new HashMap<>();
        try (RocksMq mq = RocksMq.open(RocksMqConfig.builder(data).build())) {
            for (long from = 0; ; ) {
                List<ConsumerMessage> batch = mq.read(TOPIC, from, 10_000);
                if (batch.isEmpty()) {
                    break;
                }
                for (ConsumerMessage m : batch) {
                    stored.computeIfAbsent(new String(m.payload(), StandardCharsets.UTF_8), t -> new ArrayList<>()).add(m.id());
                }
                from = batch.get(batch.size() - 1).id() + 1;
            }
            return new Inspection(stored, mq.admin().topicStats(TOPIC).deduplicatedMessages());
        }
    }

    private static void awaitAnswers(Map<String, Long> answered, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (answered.size() < n) {
            assertThat(System.nanoTime()).as("only " + answered.size() + " of " + n + " answered").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
