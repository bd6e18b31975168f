package io.rocksmq.core.client;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.core.Durability;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.RocksMqConfig;
import io.rocksmq.testkit.EmbeddedMqExtension;
import io.rocksmq.testkit.MqAwait;
import io.rocksmq.testkit.QueueDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The extension with an opener of the test's own, the directory parameter, and MqAwait. */
class EmbeddedMqExtensionOpenerTest {
    @RegisterExtension
    static EmbeddedMqExtension mq = EmbeddedMqExtension.opening(dir ->
            RocksMqClient.open(RocksMqConfig.builder(dir).durability(Durability.FSYNC).build()));

    @Test
    void theOpenerChoosesTheSettingsAndTheDirectoryIsTheQueues(MqClient client, @QueueDirectory Path dir) {
        RocksMq queue = client.unwrap(RocksMq.class);
        assertThat(queue.config().durability()).isEqualTo(Durability.FSYNC);
        assertThat(queue.config().directory()).isEqualTo(dir);
        assertThat(Files.exists(dir.resolve("CURRENT"))).isTrue();
    }

    @Test
    void awaitReturnsTheMessagesOrSaysHowManyCame(MqClient client) {
        try (Producer p = client.createProducer("t");
             Consumer c = client.subscribe(ConsumerOptions.builder("t", "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            p.send("a");
            p.send("b");
            List<Message> got = MqAwait.messages(c, 2, Duration.ofSeconds(20));
            assertThat(got).extracting(Message::text).containsExactly("a", "b");
            assertThatThrownBy(() -> MqAwait.messages(c, 1, Duration.ofMillis(50)))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("expected 1 messages on 't'")
                    .hasMessageContaining("got 0");
        }
    }
}
