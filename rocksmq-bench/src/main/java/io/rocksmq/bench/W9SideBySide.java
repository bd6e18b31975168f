package io.rocksmq.bench;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.SharedSubscription;
import io.rocksmq.testkit.kafka.KafkaBroker;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * W9 side by side, through the client API on both backends in the same run: the embedded queue
 * ({@code rocksmq:} URI, a shared group) and Apache Kafka share groups ({@code kafka://} on a real
 * single-node KRaft broker in its own JVM, {@link KafkaBroker}). One producer sends 100-byte messages
 * (each carrying its send time); four consumers of one SHARED subscription poll up to 100 at a time and
 * acknowledge every message individually ({@code Consumer.ack}: one RocksDB write per ack on the embedded
 * queue, one {@code acknowledge} + {@code commitSync} on Kafka, each answer confirmed). Prints throughput
 * (acknowledged messages per second from the first send to the last ack), produce-to-ack p50/p99, and the
 * ratio embedded / Kafka.
 *
 * <pre>{@code
 * mvn -q -pl rocksmq-bench -am compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "rocksmq-bench/target/classes:$(cat rocksmq-bench/target/cp.txt)" io.rocksmq.bench.W9SideBySide 20000
 * }</pre>
 * The argument is the message count per backend (the figure is 1,000,000; Kafka's confirmed
 * individual acks make that take many minutes, so a smoke run uses fewer).
 *
 * <p>Not thread-safe: a main program.
 */
public final class W9SideBySide {
    private static final int PAYLOAD = 100;
    private static final int WORKERS = 4;
    private static final int POLL = 100;

    private W9SideBySide() {
    }

    /** One backend's figures. */
    record Result(String backend, long messages, double perSecond, double p50Ms, double p99Ms) {
        @Override
        public String toString() {
            return String.format("W9 %-8s %,d messages, %d workers, individual acks: %,.0f msg/s, produce-to-ack "
                    + "p50 %.2f ms, p99 %.2f ms", backend, messages, WORKERS, perSecond, p50Ms, p99Ms);
        }
    }

    public static void main(String[] args) throws Exception {
        long messages = args.length > 0 ? Long.parseLong(args[0]) : 20_000;
        Path dir = Files.createTempDirectory("w9-side-by-side");
        Result embedded;
        try (MqClient client = MqClient.open("rocksmq:" + dir.resolve("queue"))) {
            embedded = run("embedded", client, messages);
        }
        System.out.println(embedded);
        Result kafka;
        try (KafkaBroker broker = KafkaBroker.builder(dir.resolve("broker")).heap("1g").start();
             MqClient client = MqClient.open("kafka://" + broker.bootstrapServers())) {
            kafka = run("kafka", client, messages);
        }
        System.out.println(kafka);
        System.out.printf("W9 ratio embedded / Kafka share groups: throughput %.1fx, p99 latency %.2fx%n",
                embedded.perSecond() / kafka.perSecond(), embedded.p99Ms() / kafka.p99Ms());
    }

    static Result run(String backend, MqClient client, long messages) throws Exception {
        String topic = "w9";
        client.createTopic(topic);
        AtomicLong acked = new AtomicLong();
        List<Histogram> latencies = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        List<Consumer> consumers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            consumers.add(client.subscribe(ConsumerOptions.builder(topic, "workers").receiveBufferSize(POLL)
                    .shared(SharedSubscription.DEFAULTS).build()));
        }
        for (Consumer c : consumers) {
            Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
            latencies.add(h);
            Thread t = new Thread(() -> {
                while (acked.get() < messages) {
                    for (Message m : c.poll(POLL, Duration.ofMillis(100))) {
                        c.ack(m.id());
                        long sent = ByteBuffer.wrap(m.payload()).getLong(0);
                        h.recordValue(Math.max(0, Math.min(System.nanoTime() - sent, h.getHighestTrackableValue())));
                        acked.incrementAndGet();
                    }
                }
            }, "w9-" + backend + "-worker-" + workers.size());
            t.start();
            workers.add(t);
        }
        long start = System.nanoTime();
        try (Producer p = client.createProducer(ProducerOptions.builder(topic).build())) {
            for (long i = 0; i < messages; i++) {
                byte[] payload = new byte[PAYLOAD];
                ByteBuffer.wrap(payload).putLong(System.nanoTime());
                p.sendAsync(OutgoingMessage.of(payload));
            }
            p.flush();
        }
        for (Thread t : workers) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (Consumer c : consumers) {
            c.close();
        }
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        latencies.forEach(all::add);
        return new Result(backend, acked.get(), acked.get() / seconds, all.getValueAtPercentile(50) / 1e6,
                all.getValueAtPercentile(99) / 1e6);
    }
}
