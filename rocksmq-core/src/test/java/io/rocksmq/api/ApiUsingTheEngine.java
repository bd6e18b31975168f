package io.rocksmq.api;

import io.rocksmq.core.RocksMq;

/** Breaks a rule of {@code ArchitectureTest} on purpose: the backend-neutral API importing a backend. */
public final class ApiUsingTheEngine {
    private ApiUsingTheEngine() {
    }

    static Class<?> forbidden() {
        return RocksMq.class;
    }
}
