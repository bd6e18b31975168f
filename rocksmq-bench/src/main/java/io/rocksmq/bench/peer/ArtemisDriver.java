package io.rocksmq.bench.peer;

import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;


import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ActiveMQ Artemis embedded in the worker JVM ({@link EmbeddedActiveMQ}), persistent, NIO journal, reached
 * through the core client over the in-VM connector (no network). Each topic is a durable anycast queue
 * and every message is durable. Two durability settings:
 * <ul>
 *   <li>{@code synced == false} (peer {@code artemis}, beside our Durability.WAL): journal-sync-transactional
 *       and journal-sync-non-transactional off, so a send or commit returns once the journal has the record,
 *       without waiting for fdatasync;</li>
 *   <li>{@code synced == true} (peer {@code artemis-fsync}, Artemis's own default, beside our Durability.FSYNC):
 *       a durable send returns after the journal's fdatasync (the journal batches concurrent syncs,
 *       journal-buffer-timeout).</li>
 * </ul>
 * How the workloads map: a batch (W1/W2) is a transacted session committing every {@code batch} sends;
 * reading (W4) is one consumer on a transacted session acknowledging each message and committing every
 * {@code readBatch} (the consumed position is persisted per call, as ours is); W3 sends single durable
 * messages on a non-transacted session per thread, blocking until durable; W5 is a consumer thread blocked
 * in {@code receive} while the producer sends single durable messages. Everything else is Artemis's
 * default (paging beyond its global max size, consumer window, journal file size).
 *
 * <p>Not thread-safe (see {@link QueueDriver}); each thread it starts has its own session.
 */
public final class ArtemisDriver implements QueueDriver {
    private static final long RECEIVE_TIMEOUT_MS = 30_000;

    private final boolean synced;
    private final EmbeddedActiveMQ server;
    private final ServerLocator locator;
    private final ClientSessionFactory factory;
    private final ClientSession admin;

    public ArtemisDriver(Path directory, boolean synced) throws Exception {
        this.synced = synced;
        Configuration config = new ConfigurationImpl()
                .setPersistenceEnabled(true)
                .setJournalType(JournalType.NIO)
                .setJournalDirectory(directory.resolve("journal").toString())
                .setBindingsDirectory(directory.resolve("bindings").toString())
                .setPagingDirectory(directory.resolve("paging").toString())
                .setLargeMessagesDirectory(directory.resolve("large-messages").toString())
                .setJournalSyncTransactional(synced)
                .setJournalSyncNonTransactional(synced)
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(false)
                .addAcceptorConfiguration("in-vm", "vm://0");
        server = new EmbeddedActiveMQ().setConfiguration(config).start();
        locator = ActiveMQClient.createServerLocator("vm://0").setBlockOnDurableSend(true);
        factory = locator.createSessionFactory();
        admin = factory.createSession(true, true);
    }

    @Override
    public void createTopic(String topic) throws Exception {
        admin.createQueue(QueueConfiguration.of(topic).setAddress(topic).setRoutingType(RoutingType.ANYCAST)
                .setDurable(true));
    }

    @Override
    public long produce(String topic, Payloads payloads, int count, int batch) throws Exception {
        try (ClientSession session = factory.createSession(false, false); // transacted: commit per batch
             ClientProducer producer = session.createProducer(topic)) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                ClientMessage m = session.createMessage(true);
                m.getBodyBuffer().writeBytes(payloads.get(i));
                producer.send(m);
                if ((i + 1) % batch == 0 || i == count - 1) {
                    session.commit();
                }
            }
            return System.nanoTime() - start;
        }
    }

    @Override
    public long readAll(String topic, String reader, int count, int readBatch) throws Exception {
        try (ClientSession session = factory.createSession(false, false);
             ClientConsumer consumer = session.createConsumer(topic)) {
            session.start();
            long start = System.nanoTime();
            long checksum = 0;
            for (int i = 0; i < count; i++) {
                ClientMessage m = consumer.receive(RECEIVE_TIMEOUT_MS);
                if (m == null) {
                    throw new IllegalStateException("read " + i + " of " + count + " messages, then nothing for "
                            + RECEIVE_TIMEOUT_MS + " ms");
                }
                int length = m.getBodySize();
                checksum = Payloads.touch(checksum, length, length == 0 ? 0 : m.getBodyBuffer().readByte());
                m.acknowledge();
                if ((i + 1) % readBatch == 0 || i == count - 1) {
                    session.commit();
                }
            }
            long elapsed = System.nanoTime() - start;
            Blackhole.consume(checksum);
            return elapsed;
        }
    }

    /** An anycast queue: a message read and acknowledged is gone. */
    @Override
    public boolean rereadable() {
        return false;
    }

    @Override
    public void dropTopic(String topic) throws Exception {
        admin.deleteQueue(topic);
    }

    @Override
    public long syncedProduce(String topic, Payloads payloads, int threads, int perThread) throws Exception {
        return Parallel.run(threads, t -> {
            try (ClientSession session = factory.createSession(true, true);
                 ClientProducer producer = session.createProducer(topic)) {
                for (int i = 0; i < perThread; i++) {
                    ClientMessage m = session.createMessage(true);
                    m.getBodyBuffer().writeBytes(payloads.get((long) t * perThread + i));
                    producer.send(m); // blocks until the journal has it (synced in artemis-fsync)
                }
            }
        });
    }

    @Override
    public LatencyChannel latencyChannel(String topic, LatencySink sink) throws Exception {
        createTopic(topic);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Exception> failure = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(1);
        Thread consumer = new Thread(() -> {
            try (ClientSession session = factory.createSession(true, true);
                 ClientConsumer c = session.createConsumer(topic)) {
                session.start();
                ready.countDown();
                while (!stop.get()) {
                    ClientMessage m = c.receive(100); // blocked waiting; wakes to check for stop
                    if (m != null) {
                        sink.received(m.getBodyBuffer().readLong()); // big-endian, as Payloads.stampNanos writes
                        m.acknowledge();
                    }
                }
            } catch (Exception e) {
                failure.compareAndSet(null, e);
                ready.countDown();
            }
        }, "artemis-latency-consumer");
        consumer.start();
        ready.await();
        if (failure.get() != null) {
            throw failure.get();
        }
        ClientSession session = factory.createSession(true, true);
        ClientProducer producer = session.createProducer(topic);
        return new LatencyChannel() {
            @Override
            public void send(byte[] payload) throws Exception {
                ClientMessage m = session.createMessage(true);
                m.getBodyBuffer().writeBytes(payload);
                producer.send(m);
            }

            @Override
            public void close() throws Exception {
                stop.set(true);
                consumer.join();
                producer.close();
                session.close();
                if (failure.get() != null) {
                    throw failure.get();
                }
            }
        };
    }

    /**
     * W9: {@code workers} consumers on the topic's queue, each on its own non-transacted session whose
     * acknowledgements are sent one by one ({@code ackBatchSize=0}) and block until the server has them
     * ({@code blockOnAcknowledge}); {@code individualAcknowledge} per message. The producer sends as W1
     * does (transacted, commit per {@code poll} messages). Consumer window (prefetch): Artemis's default.
     */
    @Override
    public WorkQueue.Result workQueue(String topic, Payloads payloads, int count, int workers, int poll)
            throws Exception {
        WorkQueue run = new WorkQueue(count);
        try (ServerLocator acking = ActiveMQClient.createServerLocator("vm://0").setBlockOnDurableSend(true)
                .setBlockOnAcknowledge(true).setAckBatchSize(0);
             ClientSessionFactory ackingFactory = acking.createSessionFactory()) {
            CountDownLatch ready = new CountDownLatch(workers);
            return run.run(workers, "artemis-w9-worker", h -> {
                try (ClientSession session = ackingFactory.createSession(false, true, true);
                     ClientConsumer c = session.createConsumer(topic)) {
                    session.start();
                    ready.countDown();
                    while (run.running()) {
                        ClientMessage m = c.receive(100);
                        if (m != null) {
                            long sent = m.getBodyBuffer().readLong(); // big-endian, as Payloads.stampNanos writes
                            m.individualAcknowledge();
                            run.acked(h, sent);
                        }
                    }
                } finally {
                    ready.countDown(); // a worker that failed to start does not hold the producer back
                }
            }, ready::await, () -> {
                try (ClientSession session = factory.createSession(false, false);
                     ClientProducer producer = session.createProducer(topic)) {
                    for (int i = 0; i < count; i++) {
                        ClientMessage m = session.createMessage(true);
                        m.getBodyBuffer().writeBytes(WorkQueue.stamped(payloads, i));
                        producer.send(m);
                        if ((i + 1) % poll == 0 || i == count - 1) {
                            session.commit();
                        }
                    }
                }
            });
        }
    }

    @Override
    public String settings() {
        return "ActiveMQ Artemis " + Versions.artemis() + " embedded (EmbeddedActiveMQ, in-VM core client), persistent, "
                + "NIO journal, durable messages, journal-sync-transactional/non-transactional=" + synced
                + (synced ? " (Artemis's default)" : "") + ", blockOnDurableSend=true; W1/W2: transacted session, "
                + "commit per batch; W4: transacted consumer, acknowledge each, commit per readBatch; W3: "
                + "non-transacted blocking durable sends; W5: consumer thread in receive(100 ms); W9: "
                + "consumers on non-transacted sessions, individualAcknowledge each, ackBatchSize=0, "
                + "blockOnAcknowledge=true; other settings default";
    }

    @Override
    public void close() throws Exception {
        try {
            admin.close();
            factory.close();
            locator.close();
        } finally {
            server.stop();
        }
    }
}
