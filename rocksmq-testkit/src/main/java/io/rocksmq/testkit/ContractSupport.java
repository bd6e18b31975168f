package io.rocksmq.testkit;

/**
 * What every contract interface needs: the fixture of the running test. Implemented by
 * {@link MqClientContract}; backends do not implement it themselves. Not thread-safe.
 */
public interface ContractSupport {
    /** The fixture of the running test. */
    ContractFixture fixture();
}
