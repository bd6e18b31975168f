package io.rocksmq.testkit;

import io.rocksmq.api.MqClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every backend of the client API must pass, written against {@code rocksmq-api} only.
 * A backend runs it with one subclass:
 *
 * <pre>{@code
 * class RocksMqClientContractTest extends MqClientContract {
 *     @TempDir Path dir;
 *     @Override protected MqClient createClient() { return RocksMqClient.open(dir); }
 * }
 * }</pre>
 *
 * The tests live in the interfaces this class implements, one per area: {@link DeliveryContract},
 * {@link AcknowledgementContract}, {@link SeekContract}, {@link ConcurrencyContract},
 * {@link LifecycleContract}, {@link ErrorContract}, {@link DeduplicationContract}, {@link ExpiryContract},
 * {@link SharedSubscriptionContract}. Each test makes its own uniquely named topics, so
 * a shared broker is fine; each is bounded by a timeout and waits for messages with generous bounds
 * ({@link BackendTraits#deliveryTimeout()}) rather than relying on timing.
 *
 * <p>Not thread-safe: JUnit makes one instance per test.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class MqClientContract implements DeliveryContract, AcknowledgementContract, SeekContract,
        ConcurrencyContract, LifecycleContract, ErrorContract, DeduplicationContract, ExpiryContract,
        SharedSubscriptionContract, ScheduleContract {

    private ContractFixture fixture;

    /**
     * Opens a client on the backend under test. Called at the start of every test, and again by the
     * restart tests after the previous client was closed: within one test, every call must reach the
     * same stored data (for the embedded backend, the same directory); different tests may share it.
     */
    protected abstract MqClient createClient() throws Exception;

    /**
     * How many expired messages the backend counted for a subscription (never delivered to it), read
     * through the backend's own call, since the client API has none; -1 (the default): the backend keeps
     * no such count, and the {@link ExpiryContract} test of it is skipped naming this method.
     */
    protected long expiredMessages(MqClient client, String topic, String subscription) {
        return -1;
    }

    /** The backend's documented differences; override to declare them. */
    protected BackendTraits traits() {
        return BackendTraits.DEFAULT;
    }

    @BeforeEach
    final void openFixture(TestInfo info) {
        String name = info.getTestMethod().map(m -> m.getName()).orElse("test");
        fixture = new ContractFixture(this::open, traits(), name, this::expiredMessages);
    }

    @AfterEach
    final void closeFixture() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Override
    public final ContractFixture fixture() {
        return fixture;
    }

    private MqClient open() {
        try {
            return createClient();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("createClient failed", e);
        }
    }
}
