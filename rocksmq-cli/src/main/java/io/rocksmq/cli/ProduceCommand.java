package io.rocksmq.cli;

import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.core.Durability;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.ScheduleHandle;
import io.rocksmq.remote.RemoteMqClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code rmq produce}: one message per input line (standard input or a file), in batches.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "produce", description = {"Produce one message per line of standard input (or of a file).",
        "Each line's UTF-8 bytes, without the line end, are the payload; the same properties go on every message."})
final class ProduceCommand extends QueueCommand {
    @Parameters(paramLabel = "TOPIC")
    String topic;
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read lines from FILE instead of standard input.")
    Path file;
    @Option(names = {"-k", "--key"}, paramLabel = "KEY",
            description = "The key of every message (what the client API's OutgoingMessage.key sets).")
    String key;
    @Option(names = {"-p", "--property"}, paramLabel = "KEY=VALUE", converter = Args.Property.class,
            description = "A property to put on every message (repeatable).")
    List<Map.Entry<String, String>> properties = new ArrayList<>();
    @Option(names = {"-b", "--batch"}, defaultValue = "100", paramLabel = "N",
            description = "Messages per produce call, each one atomic batch (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--dedup-id", paramLabel = "ID", description = {"Deduplication id of line 1's message; line N's is"
            + " ID#N. Within the topic's deduplication window a message whose id is stored is not stored again,"
            + " so running the same command again stores nothing twice."})
    String dedupId;
    @Option(names = "--ttl", paramLabel = "TIME", description = "Every message expires TIME after the produce (90s, 10m, 1h):"
            + " from then on it is never delivered.")
    String ttl;
    @Option(names = "--deliver-at", paramLabel = "INSTANT", description = {"Schedule every message to appear at INSTANT"
            + " (ISO-8601, e.g. 2026-12-24T18:00:00Z): stored now, it appears on the topic then and gets its id"
            + " then; see 'rmq schedules'."})
    String deliverAt;
    @Option(names = "--deliver-after", paramLabel = "TIME", description = "Schedule every message to appear TIME after"
            + " the produce (90s, 10m, 1h); see --deliver-at.")
    String deliverAfter;
    @Option(names = "--create", description = "Create the topic (and the data directory) if missing.")
    boolean create;
    @Option(names = "--fsync", description = "fsync the write-ahead log before each batch is acknowledged.")
    boolean fsync;
    @Mixin
    JsonOption output;

    private final Map<String, String> props = new LinkedHashMap<>();
    private java.time.Duration ttlDuration;
    private java.time.Instant deliverAtInstant;
    private java.time.Duration deliverAfterDuration;

    @Override
    void validate() {
        if (batch < 1) {
            throw usage("--batch must be at least 1, was " + batch);
        }
        if (file != null && !Files.isReadable(file)) {
            throw usage("cannot read " + file);
        }
        if (ttl != null) {
            try {
                ttlDuration = Args.parseDuration(ttl.trim());
            } catch (picocli.CommandLine.TypeConversionException e) {
                throw usage(e.getMessage());
            }
            if (ttlDuration.isZero() || ttlDuration.isNegative()) {
                throw usage("--ttl must be positive, was " + ttl);
            }
        }
        if (deliverAt != null && deliverAfter != null) {
            throw usage("--deliver-at and --deliver-after exclude each other");
        }
        if (deliverAt != null) {
            try {
                deliverAtInstant = java.time.Instant.parse(deliverAt.trim());
            } catch (java.time.format.DateTimeParseException e) {
                throw usage("--deliver-at must be an ISO-8601 instant such as 2026-12-24T18:00:00Z, was " + deliverAt);
            }
            if (deliverAtInstant.toEpochMilli() <= 0) {
                throw usage("--deliver-at must be after 1970, was " + deliverAt);
            }
        }
        if (deliverAfter != null) {
            try {
                deliverAfterDuration = Args.parseDuration(deliverAfter.trim());
            } catch (picocli.CommandLine.TypeConversionException e) {
                throw usage(e.getMessage());
            }
            if (deliverAfterDuration.isNegative()) {
                throw usage("--deliver-after must not be negative, was " + deliverAfter);
            }
        }
        if (dedupId != null && dedupId.isEmpty()) {
            throw usage("--dedup-id must not be empty");
        }
        properties.forEach(e -> props.put(e.getKey(), e.getValue()));
        if (key != null) {
            props.put(OutgoingMessage.KEY_PROPERTY, key); // where the client API keeps a key, so both read it
        }
    }

    @Override
    QueueOptions.OpenQueue open() {
        return queue().open(create, fsync ? Durability.FSYNC : null);
    }

    @Override
    int run(QueueOptions.OpenQueue q, PrintWriter out) throws IOException {
        RocksMq mq = q.mq();
        if (create) {
            mq.createTopic(topic);
        } else if (!mq.topicExists(topic)) {
            throw new TopicNotFoundException(topic); // before reading any input
        }
        if (file == null && Rmq.root(spec).terminal) {
            err().println("rmq: reading messages from standard input, one per line; end with Ctrl-D");
        }
        Produced produced = new Produced();
        try (InputStream in = file == null ? new NonClosing(Rmq.root(spec).stdin) : Files.newInputStream(file);
             BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<ProducerMessage> pending = new ArrayList<>(batch);
            String line;
            long lineNumber = 0;
            while ((line = lines.readLine()) != null) {
                lineNumber++;
                ProducerMessage m = ProducerMessage.of(line.getBytes(StandardCharsets.UTF_8), props);
                if (ttlDuration != null) {
                    m = m.withTtl(ttlDuration);
                }
                if (dedupId != null) {
                    m = m.withDeduplicationId(lineNumber == 1 ? dedupId : dedupId + "#" + lineNumber);
                }
                if (deliverAtInstant != null) {
                    m = m.withDeliverAt(deliverAtInstant);
                } else if (deliverAfterDuration != null) {
                    m = m.withDeliverAfter(deliverAfterDuration);
                }
                pending.add(m);
                if (pending.size() == batch) {
                    write(mq, pending, produced);
                    pending.clear();
                }
            }
            if (!pending.isEmpty()) {
                write(mq, pending, produced);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (produced.scheduled != null) {
            reportScheduled(out, produced.scheduled);
            return 0;
        }
        report(out, produced);
        return 0;
    }

    private void reportScheduled(PrintWriter out, List<ScheduleHandle> h) {
        output.print(out, () -> Json.object("topic", topic, "scheduled", h.size(),
                        "handles", h.stream().map(ScheduleHandle::token).toList(),
                        "due", h.isEmpty() ? null : Text.time(h.get(0).dueAtMillis())),
                () -> out.println("scheduled " + Text.messages(h.size()) + " for '" + topic + "'"
                        + (h.isEmpty() ? "" : ", due " + Text.time(h.get(0).dueAtMillis())
                        + (h.size() == 1 ? " (handle " + h.get(0).token() + ")" : ""))));
    }

    private void report(PrintWriter out, Produced produced) {
        long n = produced.count;
        long first = produced.firstId;
        long last = produced.lastId;
        long duplicates = produced.duplicates;
        output.print(out, () -> Json.object("topic", topic, "messages", n, "firstId", first, "lastId", last,
                        "duplicates", duplicates),
                () -> out.println("produced " + Text.messages(n) + " to '" + topic + "'"
                        + (n == 0 ? "" : n == 1 ? " (id " + first + ")" : " (ids " + first + ".." + last + ")")
                        + (duplicates == 0 ? "" : "; " + Text.messages(duplicates)
                        + " not stored again (deduplication id already stored)")));
    }

    @Override
    boolean worksRemotely() {
        return true;
    }

    /**
     * On a server: the lines go through a producer of the client API in batches of up to {@code --batch}
     * (each batch is stored atomically; several may be in flight), and the command waits until all are
     * stored.
     */
    @Override
    int runRemote(MqClient client, PrintWriter out) throws IOException {
        if (fsync) {
            throw usage("--fsync with --server: the server's durability applies (rmq serve opens the queue)");
        }
        if (create) {
            client.createTopic(topic);
        } else if (!client.listTopics().contains(topic)) {
            throw new TopicNotFoundException(topic); // before reading any input
        }
        if (file == null && Rmq.root(spec).terminal) {
            err().println("rmq: reading messages from standard input, one per line; end with Ctrl-D");
        }
        long latestBefore = client.unwrap(RemoteMqClient.class).latestMessageId(topic).map(MessageId::offset).orElse(-1L);
        List<CompletableFuture<MessageId>> sent = new ArrayList<>();
        List<ScheduleHandle> scheduled = deliverAtInstant != null || deliverAfterDuration != null ? new ArrayList<>() : null;
        try (Producer producer = client.createProducer(ProducerOptions.builder(topic).batchingMaxMessages(batch).build());
             InputStream in = file == null ? new NonClosing(Rmq.root(spec).stdin) : Files.newInputStream(file);
             BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            long lineNumber = 0;
            while ((line = lines.readLine()) != null) {
                lineNumber++;
                OutgoingMessage.Builder m = OutgoingMessage.builder(line.getBytes(StandardCharsets.UTF_8));
                properties.forEach(e -> m.property(e.getKey(), e.getValue()));
                if (key != null) {
                    m.key(key);
                }
                if (ttlDuration != null) {
                    m.ttl(ttlDuration);
                }
                if (dedupId != null) {
                    m.deduplicationId(lineNumber == 1 ? dedupId : dedupId + "#" + lineNumber);
                }
                if (scheduled != null) { // one Schedule call per message (the server stores each durably)
                    if (deliverAtInstant != null) {
                        m.deliverAt(deliverAtInstant);
                    } else {
                        m.deliverAfter(deliverAfterDuration);
                    }
                    scheduled.add(ScheduleHandle.parse(topic, producer.schedule(m.build())));
                    continue;
                }
                sent.add(producer.sendAsync(m.build()));
            }
            producer.flush();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (scheduled != null) {
            reportScheduled(out, scheduled);
            return 0;
        }
        Produced produced = new Produced();
        produced.add(latestBefore, sent.stream().mapToLong(f -> f.join().offset()).toArray());
        report(out, produced);
        return 0;
    }

    private void write(RocksMq mq, List<ProducerMessage> pending, Produced produced) {
        if (deliverAtInstant != null || deliverAfterDuration != null) {
            Durability durability = fsync ? Durability.FSYNC : mq.config().durability();
            if (produced.scheduled == null) {
                produced.scheduled = new ArrayList<>();
            }
            produced.scheduled.addAll(mq.schedule(topic, pending, durability));
        } else {
            produced.add(mq.latestMessageId(topic), mq.produce(topic, pending));
        }
    }

    /** How many messages were stored, their id range, and how many were duplicates (not stored again). */
    private static final class Produced {
        /** The handles of the scheduled messages (null when the messages are produced at once). */
        List<ScheduleHandle> scheduled;
        long count;
        long firstId = -1;
        long lastId = -1;
        long duplicates;

        /** {@code latestBefore}: the topic's latest id before the produce; ids at or below it are originals. */
        void add(long latestBefore, long[] ids) {
            for (long id : ids) {
                if (id <= latestBefore) {
                    duplicates++;
                } else {
                    firstId = firstId < 0 ? id : firstId;
                    lastId = id;
                    count++;
                }
            }
        }
    }

    /** Standard input must stay open for whoever runs after us (in-process tests). */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
