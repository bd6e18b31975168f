package io.rocksmq.bench.peer;

import io.rocksmq.api.MqClient;
import io.rocksmq.testkit.kafka.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Apache Kafka: a real single-node KRaft broker ({@link KafkaBroker}, its own JVM, 1 GiB heap) on
 * 127.0.0.1, driven by kafka-clients from this JVM. Topics have one partition (one ordered log, like
 * ours). Producer: {@code acks=1} and batching ({@link #PRODUCER_SETTINGS}); a produce call ends once
 * every record is acknowledged ({@code flush}). Reader: a consumer group polling
 * {@code max.poll.records} = the read batch; timing starts when the partition is assigned, so the group
 * join is not counted. Latency (W5): a producer with {@code linger.ms=0} and a consumer group polling.
 *
 * <p>Not thread-safe (see {@link QueueDriver}).
 */
public final class KafkaDriver implements QueueDriver {
    /** Throughput producer settings: acks=1, batches up to 256 KiB, wait at most 5 ms to fill one. */
    public static final Map<String, Object> PRODUCER_SETTINGS = Map.of(
            ProducerConfig.ACKS_CONFIG, "1",
            ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20,
            ProducerConfig.COMPRESSION_TYPE_CONFIG, "none",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    /** Consumer settings on top of the group and the read batch. */
    public static final Map<String, Object> CONSUMER_SETTINGS = Map.of(
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1,
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);

    private final KafkaBroker broker;
    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> producer;

    public KafkaDriver(Path directory) {
        this.broker = KafkaBroker.builder(directory.resolve("broker")).heap("1g").start();
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        this.producer = new KafkaProducer<>(producerConfig(PRODUCER_SETTINGS), new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    private Map<String, Object> producerConfig(Map<String, Object> settings) {
        Map<String, Object> config = new HashMap<>(settings);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return config;
    }

    private Map<String, Object> consumerConfig(String group, int maxPollRecords) {
        Map<String, Object> config = new HashMap<>(CONSUMER_SETTINGS);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        return config;
    }

    @Override
    public void createTopic(String topic) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        producer.partitionsFor(topic); // fetch metadata now, not in the timed loop
    }

    @Override
    public long produce(String topic, Payloads payloads, int count, int batch) throws Exception {
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback callback = (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            } else {
                acked.incrementAndGet();
            }
        };
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, payloads.get(i)), callback);
        }
        producer.flush();
        long elapsed = System.nanoTime() - start;
        if (failure.get() != null) {
            throw failure.get();
        }
        if (acked.get() != count) {
            throw new IllegalStateException("acknowledged " + acked.get() + " of " + count);
        }
        return elapsed;
    }

    @Override
    public long readAll(String topic, String reader, int count, int readBatch) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(reader + "-" + topic, readBatch),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            long[] start = {0};
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty() && start[0] == 0) {
                        start[0] = System.nanoTime();
                    }
                }
            });
            long checksum = 0;
            int got = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (got < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("read " + got + " of " + count + " records in 10 minutes");
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    byte[] v = r.value();
                    checksum = Payloads.touch(checksum, v.length, v.length == 0 ? 0 : v[0]);
                }
                got += records.count();
            }
            long elapsed = System.nanoTime() - start[0];
            Blackhole.consume(checksum);
            return elapsed;
        }
    }

    @Override
    public void dropTopic(String topic) throws Exception {
        admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
    }

    /**
     * W9 on Kafka share groups (KIP-932) through the client API's Kafka backend ({@code kafka://}): a SHARED
     * subscription is a share group, an ack is {@code acknowledge(ACCEPT)} + {@code commitSync}.
     */
    @Override
    public WorkQueue.Result workQueue(String topic, Payloads payloads, int count, int workers, int poll)
            throws Exception {
        try (MqClient client = MqClient.open("kafka://" + broker.bootstrapServers())) {
            return WorkQueue.runOnClient(client, topic, "workers", payloads, count, workers, poll);
        }
    }

    @Override
    public org.HdrHistogram.Histogram redelivery(String topic, int rounds, Duration lock) {
        try (MqClient client = MqClient.open("kafka://" + broker.bootstrapServers())) {
            return WorkQueue.redeliveryOnClient(client, topic, rounds, lock);
        }
    }

    @Override
    public LatencyChannel latencyChannel(String topic, LatencySink sink) throws Exception {
        createTopic(topic);
        Map<String, Object> settings = new HashMap<>(PRODUCER_SETTINGS);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        KafkaProducer<byte[], byte[]> single = new KafkaProducer<>(producerConfig(settings),
                new ByteArraySerializer(), new ByteArraySerializer());
        single.partitionsFor(topic);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch assigned = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread consumerThread = new Thread(() -> {
            Map<String, Object> config = consumerConfig("latency", 1000);
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config,
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        if (!partitions.isEmpty()) {
                            partitions.forEach(consumer::position); // resolve "latest" before producing starts
                            assigned.countDown();
                        }
                    }
                });
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        sink.received(Payloads.readNanos(r.value(), 0));
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
                assigned.countDown();
            }
        }, "kafka-latency-consumer");
        consumerThread.start();
        if (!assigned.await(60, TimeUnit.SECONDS) || failure.get() != null) {
            stop.set(true);
            single.close();
            throw new IllegalStateException("latency consumer did not get its partition", failure.get());
        }
        return new LatencyChannel() {
            @Override
            public void send(byte[] payload) {
                single.send(new ProducerRecord<>(topic, payload));
            }

            @Override
            public void close() throws InterruptedException {
                single.close();
                stop.set(true);
                consumerThread.join();
            }
        };
    }

    @Override
    public Duration helperCpu() {
        return broker.cpuTime();
    }

    @Override
    public String settings() {
        return "Kafka " + Versions.kafka() + " single-node KRaft broker (own JVM, -Xmx1g, "
                + KafkaBroker.DEFAULT_PROPERTIES + "), topics with 1 partition; producer " + PRODUCER_SETTINGS
                + " (W5: linger.ms=0); consumer group " + CONSUMER_SETTINGS + ", max.poll.records=readBatch; W9: share group through the kafka:// client (ack = ACCEPT + commitSync)";
    }

    @Override
    public void close() {
        try {
            producer.close(Duration.ofSeconds(10));
            admin.close(Duration.ofSeconds(10));
        } finally {
            broker.close();
        }
    }
}
