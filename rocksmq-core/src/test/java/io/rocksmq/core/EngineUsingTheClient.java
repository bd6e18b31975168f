package io.rocksmq.core;

import io.rocksmq.core.client.RocksMqClient;

/** Breaks two rules of {@link ArchitectureTest} on purpose: a public engine type, and it imports the client. */
public final class EngineUsingTheClient {
    private EngineUsingTheClient() {
    }

    static Class<?> forbidden() {
        return RocksMqClient.class;
    }
}
