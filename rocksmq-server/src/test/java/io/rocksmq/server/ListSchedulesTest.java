package io.rocksmq.server;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ScheduleNotFoundException;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.remote.PermissionDeniedException;
import io.rocksmq.remote.RemoteMqClient;
import io.rocksmq.remote.RemoteSchedules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ListSchedules call and a cancel without a producer, through {@link RemoteMqClient}, against an in-process server. */
@Timeout(60)
class ListSchedulesTest {
    @TempDir
    Path dir;

    @Test
    void listsWaitingMessagesEarliestFirstAndCancelsThem() {
        try (RmqServer server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0).start();
             MqClient client = MqClient.open("rmq://127.0.0.1:" + server.port());
             Producer p = client.createProducer("t")) {
            RemoteMqClient remote = client.unwrap(RemoteMqClient.class);
            assertThat(remote.listSchedules("t", 10)).isEqualTo(new RemoteSchedules(0, List.of()));
            Instant late = Instant.parse("2999-01-01T00:00:00Z");
            String lateHandle = p.schedule(OutgoingMessage.builder("late".getBytes()).key("k1").properties(Map.of("a", "b"))
                    .deduplicationId("d1").deliverAt(late).build());
            String soonHandle = p.schedule(OutgoingMessage.builder("soon".getBytes()).deliverAfter(Duration.ofHours(1)).build());

            RemoteSchedules all = remote.listSchedules("t", 10);
            assertThat(all.total()).isEqualTo(2);
            assertThat(all.messages()).extracting(RemoteSchedules.Scheduled::handle).containsExactly(soonHandle, lateHandle);
            RemoteSchedules.Scheduled last = all.messages().get(1);
            assertThat(last.dueAt()).isEqualTo(late);
            assertThat(new String(last.message().payload(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("late");
            assertThat(last.message().key()).contains("k1");
            assertThat(last.message().properties()).isEqualTo(Map.of("a", "b"));
            assertThat(last.message().deduplicationId()).contains("d1");
            assertThat(last.message().scheduled()).isFalse();
            RemoteSchedules first = remote.listSchedules("t", 1);
            assertThat(first.total()).isEqualTo(2);
            assertThat(first.messages()).extracting(RemoteSchedules.Scheduled::handle).containsExactly(soonHandle);

            remote.cancelSchedule("t", lateHandle);
            assertThatThrownBy(() -> remote.cancelSchedule("t", lateHandle)).isInstanceOf(ScheduleNotFoundException.class);
            assertThat(remote.listSchedules("t", 10).messages()).extracting(RemoteSchedules.Scheduled::handle)
                    .containsExactly(soonHandle);
            assertThat(server.queue().admin().scheduledCount("t")).isEqualTo(1);

            assertThatThrownBy(() -> remote.listSchedules("t", 0)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> remote.listSchedules("t", 1001)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> remote.listSchedules("nope", 1)).isInstanceOf(TopicNotFoundException.class);
            assertThatThrownBy(() -> remote.cancelSchedule("t", "")).isInstanceOf(InvalidArgumentException.class);
        }
    }

    @Test
    void listingNeedsProducePermissionNotConsume() throws Exception {
        Path tokens = dir.resolve("tokens");
        String producer = TokenStore.create(tokens, "shop", List.of(new TokenStore.Grant(Permission.PRODUCE, "orders")));
        String consumer = TokenStore.create(tokens, "billing", List.of(new TokenStore.Grant(Permission.CONSUME, "orders")));
        try (RmqServer server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0)
                .tokens(TokenStore.load(tokens)).start();
             MqClient shop = MqClient.open("rmq://127.0.0.1:" + server.port() + "?token=" + producer);
             MqClient billing = MqClient.open("rmq://127.0.0.1:" + server.port() + "?token=" + consumer);
             Producer p = shop.createProducer("orders")) {
            String handle = p.schedule(OutgoingMessage.builder("secret until noon".getBytes())
                    .deliverAfter(Duration.ofHours(1)).build());
            assertThat(shop.unwrap(RemoteMqClient.class).listSchedules("orders", 10).messages()).hasSize(1);
            RemoteMqClient reader = billing.unwrap(RemoteMqClient.class);
            assertThatThrownBy(() -> reader.listSchedules("orders", 10)).isInstanceOf(PermissionDeniedException.class);
            assertThatThrownBy(() -> reader.cancelSchedule("orders", handle)).isInstanceOf(PermissionDeniedException.class);
            assertThat(server.queue().admin().scheduledCount("orders")).isEqualTo(1);
        }
    }
}
