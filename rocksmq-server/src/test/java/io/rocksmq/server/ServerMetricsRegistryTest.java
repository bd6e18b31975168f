package io.rocksmq.server;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.remote.QueueGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A registry that outlives its server ({@link RmqServer.Builder#meterRegistry}): a server restarted on it
 * publishes its own calls and state only, not the previous server's, and a closed server leaves no meter
 * behind. Two servers on one registry at once each count on meters of their own (tag {@code server}).
 */
@Timeout(120)
class ServerMetricsRegistryTest {
    private static final long MIB = 1 << 20;
    private static final String LIST_TOPICS = QueueGrpc.LIST_TOPICS.getFullMethodName();
    private static final String SERVER_INFO = QueueGrpc.SERVER_INFO.getFullMethodName();
    private static final String CREATE_TOPIC = QueueGrpc.CREATE_TOPIC.getFullMethodName();

    @TempDir
    Path dir;

    @Test
    void aServerRestartedOnTheSameRegistryShowsItsOwnMetersOnlyAndCloseRemovesThem() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Set<String> firstMethods;
        try (RmqServer first = serve(registry, MIB)) {
            try (MqClient client = MqClient.open("rmq://127.0.0.1:" + first.port());
                 Producer p = client.createProducer("t")) { // creates the topic: one CreateTopic call
                p.send("m0");
                p.send("m1");
                for (int i = 0; i < 3; i++) {
                    client.listTopics();
                }
            }
            // Unary calls are counted before their answer leaves (the produce stream only when it ends).
            assertThat(calls(registry, LIST_TOPICS)).isEqualTo(3);
            assertThat(calls(registry, SERVER_INFO)).isEqualTo(1);
            assertThat(calls(registry, CREATE_TOPIC)).isEqualTo(1);
            assertThat(registry.get("rocksmq.server.produced.messages").functionCounter().count()).isEqualTo(2);
            assertThat(registry.get("rocksmq.server.buffer.budget").gauge().value()).isEqualTo(MIB);
            firstMethods = methods(registry);
        }
        assertThat(serverMeters(registry)).as("the first server's meters, after its close").isEmpty();

        try (RmqServer second = serve(registry, 2 * MIB)) {
            try (MqClient client = MqClient.open("rmq://127.0.0.1:" + second.port())) {
                client.listTopics();
                client.listTopics();
            }
            // Its own calls only: the first server's counts are not carried over, nor its other methods.
            assertThat(calls(registry, LIST_TOPICS)).isEqualTo(2);
            assertThat(calls(registry, SERVER_INFO)).isEqualTo(1);
            Set<String> onlyFirst = new HashSet<>(firstMethods);
            onlyFirst.removeAll(List.of(LIST_TOPICS, SERVER_INFO));
            assertThat(onlyFirst).as("the first server's other calls").contains(CREATE_TOPIC);
            assertThat(methods(registry)).doesNotContainAnyElementsOf(onlyFirst);
            assertThat(registry.get("rocksmq.server.produced.messages").functionCounter().count()).isZero();
            assertThat(registry.get("rocksmq.server.buffer.budget").gauge().value()).isEqualTo(2 * MIB);
            assertThat(second.metrics().calls()).containsEntry(LIST_TOPICS + " OK", 2L);
        }
        assertThat(serverMeters(registry)).as("the second server's meters, after its close").isEmpty();
    }

    @Test
    void twoServersOnOneRegistryAtOnceEachCountOnTheirOwnMetersAndClosingOneLeavesTheOthers() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RmqServer a = serve(dir.resolve("a"), registry, MIB);
             RmqServer b = serve(dir.resolve("b"), registry, 2 * MIB)) {
            String aTag = a.metrics().server();
            String bTag = b.metrics().server();
            assertThat(aTag).isEqualTo("127.0.0.1:" + a.port());
            assertThat(bTag).isEqualTo("127.0.0.1:" + b.port());
            try (MqClient ca = MqClient.open("rmq://127.0.0.1:" + a.port());
                 MqClient cb = MqClient.open("rmq://127.0.0.1:" + b.port());
                 Producer p = ca.createProducer("t")) {
                p.send("m0");
                p.send("m1");
                for (int i = 0; i < 3; i++) {
                    ca.listTopics();
                }
                cb.listTopics();
                cb.listTopics();
            }
            assertThat(calls(registry, aTag, LIST_TOPICS)).isEqualTo(3);
            assertThat(calls(registry, bTag, LIST_TOPICS)).isEqualTo(2);
            assertThat(calls(registry, aTag, CREATE_TOPIC)).isEqualTo(1);
            assertThat(calls(registry, bTag, CREATE_TOPIC)).isZero();
            assertThat(registry.get("rocksmq.server.produced.messages").tag("server", aTag).functionCounter().count())
                    .isEqualTo(2);
            assertThat(registry.get("rocksmq.server.produced.messages").tag("server", bTag).functionCounter().count())
                    .isZero();
            assertThat(registry.get("rocksmq.server.buffer.budget").tag("server", aTag).gauge().value()).isEqualTo(MIB);
            assertThat(registry.get("rocksmq.server.buffer.budget").tag("server", bTag).gauge().value()).isEqualTo(2 * MIB);
            assertThat(serverMeters(registry)).allSatisfy(m -> assertThat(m.getId().getTag("server")).isIn(aTag, bTag));

            a.close();
            assertThat(serverMeters(registry)).as("after the first server closed").isNotEmpty()
                    .allSatisfy(m -> assertThat(m.getId().getTag("server")).isEqualTo(bTag));
            assertThat(calls(registry, bTag, LIST_TOPICS)).isEqualTo(2);
            assertThat(registry.get("rocksmq.server.buffer.budget").tag("server", bTag).gauge().value()).isEqualTo(2 * MIB);
            try (MqClient cb = MqClient.open("rmq://127.0.0.1:" + b.port())) {
                cb.listTopics();
            }
            assertThat(calls(registry, bTag, LIST_TOPICS)).as("the second server still counts").isEqualTo(3);
        }
        assertThat(serverMeters(registry)).as("both closed").isEmpty();
    }

    private RmqServer serve(MeterRegistry registry, long budget) {
        return serve(dir, registry, budget);
    }

    private static RmqServer serve(Path data, MeterRegistry registry, long budget) {
        return RmqServer.builder(data).listen("127.0.0.1", 0).serverBufferBytes(budget).meterRegistry(registry).start();
    }

    /** Calls of {@code method} that ended OK, as the registry shows them (one server running). */
    private static long calls(MeterRegistry registry, String method) {
        Timer t = registry.find("rocksmq.server.calls").tags("method", method, "status", "OK").timer();
        return t == null ? 0 : t.count();
    }

    /** Calls of {@code method} that ended OK on the server tagged {@code server}, as the registry shows them. */
    private static long calls(MeterRegistry registry, String server, String method) {
        Timer t = registry.find("rocksmq.server.calls").tags("server", server, "method", method, "status", "OK").timer();
        return t == null ? 0 : t.count();
    }

    private static Set<String> methods(MeterRegistry registry) {
        Set<String> out = new HashSet<>();
        for (Timer t : registry.find("rocksmq.server.calls").timers()) {
            out.add(t.getId().getTag("method"));
        }
        return out;
    }

    private static List<Meter> serverMeters(MeterRegistry registry) {
        return registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("rocksmq.server.")).toList();
    }
}
