package io.rocksmq.cli;

import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.core.Durability;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

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
import java.util.concurrent.Callable;

/**
 * {@code rmq produce}: one message per input line (standard input or a file), in batches.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "produce", description = {"Produce one message per line of standard input (or of a file).",
        "Each line's UTF-8 bytes, without the line end, are the payload; the same properties go on every message."})
final class ProduceCommand implements Callable<Integer> {
    @Mixin
    QueueOptions queue;
    @Parameters(paramLabel = "TOPIC")
    String topic;
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read lines from FILE instead of standard input.")
    Path file;
    @Option(names = {"-p", "--property"}, paramLabel = "KEY=VALUE", converter = Args.Property.class,
            description = "A property to put on every message (repeatable).")
    List<Map.Entry<String, String>> properties = new ArrayList<>();
    @Option(names = {"-b", "--batch"}, defaultValue = "100", paramLabel = "N",
            description = "Messages per produce call, each one atomic batch (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--create", description = "Create the topic (and the data directory) if missing.")
    boolean create;
    @Option(names = "--fsync", description = "fsync the write-ahead log before each batch is acknowledged.")
    boolean fsync;
    @Option(names = "--json", description = "Print the summary as JSON.")
    boolean json;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (batch < 1) {
            throw new ParameterException(spec.commandLine(), "--batch must be at least 1, was " + batch);
        }
        if (file != null && !Files.isReadable(file)) {
            throw new ParameterException(spec.commandLine(), "cannot read " + file);
        }
        if (file == null && Rmq.root(spec).terminal) {
            spec.commandLine().getErr().println("rmq: reading messages from standard input, one per line;"
                    + " end with Ctrl-D");
        }
        Map<String, String> props = new LinkedHashMap<>();
        properties.forEach(e -> props.put(e.getKey(), e.getValue()));
        PrintWriter out = spec.commandLine().getOut();
        try (QueueOptions.OpenQueue q = queue.open(create, fsync ? Durability.FSYNC : null);
             InputStream in = file == null ? new NonClosing(Rmq.root(spec).stdin) : Files.newInputStream(file);
             BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            RocksMq mq = q.mq();
            if (create) {
                mq.createTopic(topic);
            } else if (!mq.topicExists(topic)) {
                throw new TopicNotFoundException(topic); // before reading any input
            }
            long count = 0;
            long firstId = -1;
            long lastId = -1;
            List<ProducerMessage> pending = new ArrayList<>(batch);
            String line;
            while ((line = lines.readLine()) != null) {
                pending.add(ProducerMessage.of(line.getBytes(StandardCharsets.UTF_8), props));
                if (pending.size() == batch) {
                    long[] ids = mq.produce(topic, pending);
                    firstId = firstId < 0 ? ids[0] : firstId;
                    lastId = ids[ids.length - 1];
                    count += ids.length;
                    pending.clear();
                }
            }
            if (!pending.isEmpty()) {
                long[] ids = mq.produce(topic, pending);
                firstId = firstId < 0 ? ids[0] : firstId;
                lastId = ids[ids.length - 1];
                count += ids.length;
            }
            if (json) {
                out.println(Json.write(Json.object("topic", topic, "messages", count, "firstId", firstId,
                        "lastId", lastId)));
            } else {
                out.println("produced " + Text.messages(count) + " to '" + topic + "'"
                        + (count == 0 ? "" : count == 1 ? " (id " + firstId + ")" : " (ids " + firstId + ".." + lastId + ")"));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        out.flush();
        return 0;
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
