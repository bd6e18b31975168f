package io.rocksmq.core.client;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.testkit.EmbeddedMqExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The testkit's extension as a user would put it on a test: a fresh embedded client per test. */
@ExtendWith(EmbeddedMqExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedMqExtensionTest {
    private static MqClient previous;
    private MqClient fromBeforeEach;

    @BeforeEach
    void setUp(MqClient client) {
        fromBeforeEach = client;
        client.createTopic("orders");
    }

    @Test
    @Order(1)
    void injectsAWorkingEmbeddedClient(MqClient client) {
        assertThat(client).isSameAs(fromBeforeEach).isInstanceOf(RocksMqClient.class);
        try (Producer p = client.createProducer("orders");
             Consumer c = client.subscribe(ConsumerOptions.builder("orders", "s")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            p.send("hello".getBytes());
            assertThat(c.receive(Duration.ofSeconds(20))).isPresent();
        }
        previous = client;
    }

    @Test
    @Order(2)
    void theNextTestGetsAFreshQueueAndThePreviousOneIsClosed(MqClient client) {
        assertThat(client).isNotSameAs(previous);
        assertThat(client.listTopics()).containsExactly("orders");
        assertThat(client.listSubscriptions("orders")).isEmpty();
        assertThat(((RocksMqClient) previous).queue().isOpen()).isFalse();
    }
}
