package io.rocksmq.api;

import java.net.URI;

/**
 * Service-provider interface of a backend, found by {@link MqClient#open(String)} through
 * {@link java.util.ServiceLoader}: a backend module lists its implementation in
 * {@code META-INF/services/io.rocksmq.api.MqClientProvider}.
 *
 * <p>Implementations must be thread-safe and have a public no-argument constructor.
 */
public interface MqClientProvider {
    /** True if this backend handles the URI (normally: its scheme, such as {@code rocksmq} or {@code kafka}). */
    boolean supports(URI uri);

    /**
     * Opens a client for the URI; called only when {@link #supports} returned true.
     *
     * @throws InvalidArgumentException if the URI is malformed for this backend
     * @throws RocksMqException         (a subclass) if the backend cannot be opened
     */
    MqClient open(URI uri);
}
