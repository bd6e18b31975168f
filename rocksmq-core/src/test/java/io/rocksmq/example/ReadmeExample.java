package io.rocksmq.example;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.Producer;
import io.rocksmq.api.SubscriptionInitialPosition;

import java.nio.file.Path;
import java.time.Duration;

/** The example of README's "Use it in your project", kept compiling and run by ReadmeExampleTest. */
public final class ReadmeExample {
    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "orders-data");
        try (MqClient client = MqClient.open(dir);                      // embedded: rocksmq-core on the class path
             Producer producer = client.createProducer("orders");
             Consumer consumer = client.subscribe(ConsumerOptions.builder("orders", "billing")
                     .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            producer.send("order 1");                                    // stored when send returns
            Message m = consumer.receive(Duration.ofSeconds(5)).orElseThrow();
            System.out.println(m.id() + " " + m.text());                 // 0:0 order 1
            consumer.ack(m.id());                                        // the position is persisted
        }
    }
}
