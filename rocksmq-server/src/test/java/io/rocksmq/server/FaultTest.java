package io.rocksmq.server;

import io.rocksmq.testkit.process.ChildJvm;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SubscriptionInUseException;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.remote.ServerUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real process deaths (SIGKILL of a child JVM): of the server while a producer and a consumer run, and of
 * a client holding unacknowledged messages.
 */
@Timeout(180)
class FaultTest {
    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void killingTheServerLosesNothingAcknowledgedAndClientsCarryOnAfterItsRestart() throws Exception {
        int port = freePort();
        Path data = dir.resolve("data");
        ChildJvm server = ChildJvm.start(FaultChild.class, dir.resolve("child-stderr.txt"), "server", data.toString(), String.valueOf(port));
        server.await("READY", Duration.ofSeconds(60));
        Set<String> stored = ConcurrentHashMap.newKeySet();   // sends the server confirmed
        Set<String> received = ConcurrentHashMap.newKeySet();
        AtomicInteger receivedTotal = new AtomicInteger();
        AtomicInteger typedErrors = new AtomicInteger();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (MqClient client = ColdServerClient.openWhenServing(port);
             Producer p = client.createProducer("t");
             Consumer c = client.subscribe(ConsumerOptions.builder("t", "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            Thread producer = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String text = "m" + i;
                    try {
                        p.send(text);
                        stored.add(text);
                    } catch (ServerUnavailableException e) {
                        typedErrors.incrementAndGet(); // may or may not be stored: not counted as stored
                        sleep(20);
                    } catch (RuntimeException e) {
                        unexpected.compareAndSet(null, e);
                    }
                }
            });
            Thread consumer = new Thread(() -> {
                while (!stop.get() || !received.containsAll(stored)) { // received may hold sends that failed typed yet were stored
                    try {
                        Optional<Message> m = c.receive(Duration.ofMillis(200));
                        if (m.isPresent()) {
                            received.add(m.get().text());
                            receivedTotal.incrementAndGet();
                            c.ack(m.get().id());
                        } else if (stop.get()) {
                            sleep(50);
                        }
                    } catch (ServerUnavailableException e) {
                        typedErrors.incrementAndGet(); // an ack while the server is down: redelivered later
                    } catch (RuntimeException e) {
                        unexpected.compareAndSet(null, e);
                        return;
                    }
                }
            });
            producer.start();
            consumer.start();
            awaitCount(stored, 300);
            server.kill();
            int storedBeforeKill = stored.size();
            Thread.sleep(500); // calls during the outage fail, typed
            server = ChildJvm.start(FaultChild.class, dir.resolve("child-stderr.txt"), "server", data.toString(), String.valueOf(port));
            server.await("READY", Duration.ofSeconds(60));
            awaitCount(stored, storedBeforeKill + 300);
            stop.set(true);
            producer.join(30_000);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!received.containsAll(stored) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            consumer.join(30_000);
            assertThat(unexpected.get()).as("only typed ServerUnavailableException while the server was down").isNull();
            assertThat(typedErrors.get()).as("calls during the outage failed").isPositive();
            Set<String> missing = new HashSet<>(stored);
            missing.removeAll(received);
            assertThat(missing).as("acknowledged sends never received").isEmpty();
            System.err.printf("server kill: %d sends stored, %d received (%d deliveries, %d redelivered), %d typed errors%n",
                    stored.size(), received.size(), receivedTotal.get(), receivedTotal.get() - received.size(),
                    typedErrors.get());
        } finally {
            stop.set(true);
            server.close();
        }
    }

    @Test
    void aKilledClientsUnacknowledgedMessagesGoToTheNextConsumer() throws Exception {
        try (RmqServer server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0).start();
             MqClient client = MqClient.open("rmq://127.0.0.1:" + server.port())) {
            try (Producer p = client.createProducer("t")) {
                for (int i = 0; i < 5; i++) {
                    p.send("m" + i);
                }
            }
            ChildJvm child = ChildJvm.start(FaultChild.class, dir.resolve("child-stderr.txt"), "consume", "rmq://127.0.0.1:" + server.port(), "t", "s", "3");
            try {
                assertThat(child.await("GOT", Duration.ofSeconds(60))).isEqualTo("GOT m0");
                child.await("HOLDING", Duration.ofSeconds(60));
                child.kill();
            } finally {
                child.close();
            }
            // The server notices the dead connection (the kernel closes its socket) and frees the subscription.
            Consumer next = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (next == null) {
                try {
                    next = client.subscribe(ConsumerOptions.builder("t", "s").build());
                } catch (SubscriptionInUseException e) {
                    assertThat(System.nanoTime()).as("subscription still held by the dead client").isLessThan(deadline);
                    Thread.sleep(100);
                }
            }
            try (Consumer c = next) {
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    got.add(c.receive(Duration.ofSeconds(30)).orElseThrow(() -> new RocksMqException("nothing")).text());
                }
                assertThat(got).containsExactly("m0", "m1", "m2", "m3", "m4");
            }
        }
    }

    private static void awaitCount(Set<String> set, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (set.size() < n) {
            assertThat(System.nanoTime()).as("only " + set.size() + " of " + n).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
