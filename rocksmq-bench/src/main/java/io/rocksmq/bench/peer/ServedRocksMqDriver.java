package io.rocksmq.bench.peer;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.SubscriptionInitialPosition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This queue served: {@code rmq serve} with its defaults in its own JVM on 127.0.0.1 ({@link ServedQueue},
 * as Kafka's broker runs in its own JVM), driven from the worker JVM through the client API over
 * {@code rmq://} (module rocksmq-remote). Producer: {@code sendAsync} of every message with batches of
 * up to {@code batch} messages (the remote producer pipelines up to 4 batches on one stream), then
 * {@code flush}: the call ends once every message is stored. Reader: one subscription from the earliest
 * message, {@code poll(readBatch)} and a cumulative ack per batch. Latency (W5): a producer without
 * linger, {@code sendAsync} per message; a consumer thread polling (the server pushes as it stores).
 *
 * <p>Not thread-safe (see {@link QueueDriver}).
 */
public final class ServedRocksMqDriver implements QueueDriver {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ServedQueue server;
    private final MqClient client;

    public ServedRocksMqDriver(Path directory) throws Exception {
        this.server = ServedQueue.start(directory.resolve("served"), "1g");
        MqClient opened;
        try {
            opened = MqClient.open(server.uri());
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        this.client = opened;
    }

    @Override
    public void createTopic(String topic) {
        client.createTopic(topic);
    }

    @Override
    public long produce(String topic, Payloads payloads, int count, int batch) {
        OutgoingMessage[] pool = new OutgoingMessage[Payloads.POOL_SIZE];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = OutgoingMessage.of(payloads.get(i));
        }
        try (Producer producer = client.createProducer(ProducerOptions.builder(topic).batchingMaxMessages(batch).build())) {
            CompletableFuture<?> last = null;
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                last = producer.sendAsync(pool[i % pool.length]);
            }
            producer.flush();
            long elapsed = System.nanoTime() - start;
            if (last != null) {
                last.join(); // flush waited for it; this surfaces a failure
            }
            return elapsed;
        }
    }

    @Override
    public long readAll(String topic, String reader, int count, int readBatch) {
        try (Consumer consumer = client.subscribe(ConsumerOptions.builder(topic, reader)
                .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            long start = System.nanoTime();
            long checksum = 0;
            int got = 0;
            while (got < count) {
                List<Message> messages = consumer.poll(readBatch, WAIT);
                if (messages.isEmpty()) {
                    throw new IllegalStateException("read " + got + " of " + count + " messages, then nothing for " + WAIT);
                }
                for (int i = 0, n = messages.size(); i < n; i++) {
                    byte[] p = messages.get(i).payload();
                    checksum = Payloads.touch(checksum, p.length, p.length == 0 ? 0 : p[0]);
                }
                got += messages.size();
                consumer.ackCumulative(messages.get(messages.size() - 1).id());
            }
            long elapsed = System.nanoTime() - start;
            Blackhole.consume(checksum);
            return elapsed;
        }
    }

    /** Subscribes each reader at the earliest message and closes it: the subscription stays, unread. */
    @Override
    public void prepareReaders(String topic, List<String> readers) {
        for (String r : readers) {
            client.subscribe(ConsumerOptions.builder(topic, r).initialPosition(SubscriptionInitialPosition.EARLIEST)
                    .build()).close();
        }
    }

    @Override
    public void dropTopic(String topic) {
        client.deleteTopic(topic);
    }

    @Override
    public LatencyChannel latencyChannel(String topic, LatencySink sink) throws InterruptedException {
        client.createTopic(topic);
        Producer producer = client.createProducer(topic);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        Thread consumerThread = new Thread(() -> {
            try (Consumer consumer = client.subscribe(ConsumerOptions.builder(topic, "latency")
                    .initialPosition(SubscriptionInitialPosition.LATEST).build())) {
                subscribed.countDown();
                while (!stop.get()) {
                    List<Message> messages = consumer.poll(1000, Duration.ofMillis(100));
                    for (int i = 0, n = messages.size(); i < n; i++) {
                        sink.received(Payloads.readNanos(messages.get(i).payload(), 0));
                    }
                    if (!messages.isEmpty()) {
                        consumer.ackCumulative(messages.get(messages.size() - 1).id());
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
                subscribed.countDown();
            }
        }, "served-latency-consumer");
        consumerThread.start();
        if (!subscribed.await(60, TimeUnit.SECONDS) || failure.get() != null) {
            stop.set(true);
            producer.close();
            throw new IllegalStateException("latency consumer did not subscribe", failure.get());
        }
        return new LatencyChannel() {
            @Override
            public void send(byte[] payload) {
                producer.sendAsync(OutgoingMessage.of(payload.clone())); // the caller stamps the next one in place
            }

            @Override
            public void close() throws InterruptedException {
                producer.close();
                stop.set(true);
                consumerThread.join();
            }
        };
    }

    @Override
    public Duration helperCpu() {
        return server.cpuTime();
    }

    @Override
    public String settings() {
        return "rmq serve (RmqServer defaults, own JVM, -Xmx1g, 127.0.0.1) and MqClient.open(rmq://) in the worker;"
                + " produce: sendAsync with batchingMaxMessages=batch, flush; read: subscribe EARLIEST,"
                + " poll(readBatch) + ackCumulative; W5: producer without linger, consumer polling";
    }

    @Override
    public void close() throws Exception {
        try {
            client.close();
        } finally {
            server.close();
        }
    }
}
