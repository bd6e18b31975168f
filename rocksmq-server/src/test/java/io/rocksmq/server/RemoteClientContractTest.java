package io.rocksmq.server;

import io.rocksmq.api.MqClient;
import io.rocksmq.testkit.BackendTraits;
import io.rocksmq.testkit.MqClientContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The whole client contract against the remote backend: one server on loopback (a free port) for the
 * class, a new {@code rmq://} client per test, opened through {@link MqClient#open(String)} (ServiceLoader).
 * Expired counts are the server's, as {@code ListSubscriptions} reports them ({@link RemoteExpiredCount}).
 */
class RemoteClientContractTest extends MqClientContract {
    @TempDir
    static Path dir;
    private static RmqServer server;

    @BeforeAll
    static void startServer() {
        server = RmqServer.builder(dir).listen("127.0.0.1", 0).start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected MqClient createClient() {
        return MqClient.open("rmq://127.0.0.1:" + server.port());
    }

    @Override
    protected long expiredMessages(MqClient client, String topic, String subscription) {
        return RemoteExpiredCount.of(client, topic, subscription);
    }

    @Override
    protected BackendTraits traits() {
        return BackendTraits.builder().build(); // every trait, scheduled delivery included
    }
}
