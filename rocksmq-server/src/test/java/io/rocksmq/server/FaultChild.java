package io.rocksmq.server;

import io.rocksmq.testkit.process.ChildJvm;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.SubscriptionInitialPosition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The child mains of {@link FaultTest}: {@code server DIR PORT} serves until killed; {@code consume URI
 * TOPIC SUBSCRIPTION N} receives N messages without acknowledging them, then waits to be killed.
 */
public final class FaultChild {
    private FaultChild() {
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.exitWhenParentDies();
        switch (args[0]) {
            case "server" -> {
                RmqServer server = RmqServer.builder(Path.of(args[1])).listen("127.0.0.1", Integer.parseInt(args[2])).start();
                System.out.println("READY " + server.port());
                server.awaitTermination();
            }
            case "consume" -> {
                MqClient client = MqClient.open(args[1]);
                Consumer c = client.subscribe(ConsumerOptions.builder(args[2], args[3])
                        .initialPosition(SubscriptionInitialPosition.EARLIEST).build());
                int n = Integer.parseInt(args[4]);
                for (int i = 0; i < n; i++) {
                    Optional<Message> m = c.receive(Duration.ofSeconds(30));
                    System.out.println("GOT " + m.map(Message::text).orElse("nothing"));
                }
                System.out.println("HOLDING");
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
