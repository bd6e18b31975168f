package io.rocksmq.remote;

import io.rocksmq.api.MqClient;
import io.rocksmq.api.MqClientProvider;

import java.net.URI;

/**
 * The remote backend for {@link MqClient#open(String)}: {@code rmq://host:7650?token=…} and
 * {@code rmqs://…} (TLS); parameters in {@link RemoteOptions}. Registered through
 * {@code META-INF/services/io.rocksmq.api.MqClientProvider}.
 *
 * <p>Thread-safe: stateless.
 */
public final class RemoteMqClientProvider implements MqClientProvider {
    @Override
    public boolean supports(URI uri) {
        String s = uri.getScheme();
        return "rmq".equalsIgnoreCase(s) || "rmqs".equalsIgnoreCase(s);
    }

    @Override
    public MqClient open(URI uri) {
        return RemoteMqClient.open(RemoteOptions.parse(uri));
    }
}
