package io.rocksmq.core.client;

import io.rocksmq.api.MqClient;
import io.rocksmq.testkit.ConvenienceContract;
import io.rocksmq.testkit.IntegrityContract;
import io.rocksmq.testkit.MqClientContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The client-API contract suite on the embedded backend. */
class RocksMqClientContractTest extends MqClientContract implements IntegrityContract, ConvenienceContract {
    @TempDir
    Path dir;

    @Override
    protected MqClient createClient() {
        return RocksMqClient.open(dir);
    }
}
