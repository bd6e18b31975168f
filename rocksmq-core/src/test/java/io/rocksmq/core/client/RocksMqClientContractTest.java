package io.rocksmq.core.client;

import io.rocksmq.api.MqClient;
import io.rocksmq.api.WrongGroupTypeException;
import io.rocksmq.core.RocksMq;
import io.rocksmq.testkit.ConvenienceContract;
import io.rocksmq.testkit.IntegrityContract;
import io.rocksmq.testkit.MqClientContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The client-API contract suite on the embedded backend. Expired counts are read from the queue: a
 * stream group's from {@code admin().expiredMessages} (the client consumer's commits count the expired
 * messages they move the group's position past), a shared group's from its {@code stats().expired()}.
 */
class RocksMqClientContractTest extends MqClientContract implements IntegrityContract, ConvenienceContract {
    @TempDir
    Path dir;

    @Override
    protected MqClient createClient() {
        return RocksMqClient.open(dir);
    }

    @Override
    protected long expiredMessages(MqClient client, String topic, String subscription) {
        RocksMq mq = client.unwrap(RocksMqClient.class).queue();
        try {
            return mq.sharedGroup(topic, subscription).stats().expired();
        } catch (WrongGroupTypeException stream) {
            return mq.admin().expiredMessages(topic, subscription);
        }
    }

}
