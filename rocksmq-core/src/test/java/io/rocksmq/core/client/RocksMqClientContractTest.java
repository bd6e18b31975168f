package io.rocksmq.core.client;

import io.rocksmq.api.MqClient;
import io.rocksmq.testkit.ConvenienceContract;
import io.rocksmq.testkit.IntegrityContract;
import io.rocksmq.testkit.MqClientContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The client-API contract suite on the embedded backend. {@code expiredMessages} is not overridden: this
 * backend's client consumer reads without its group ({@code RocksMq.read}) and moves the group by its
 * acknowledgements, so the expired messages it skips are not counted in {@code admin().expiredMessages}
 * (which counts what {@code RocksMq.consume} and shared groups skip); the contract's count test is skipped.
 */
class RocksMqClientContractTest extends MqClientContract implements IntegrityContract, ConvenienceContract {
    @TempDir
    Path dir;

    @Override
    protected MqClient createClient() {
        return RocksMqClient.open(dir);
    }

}
