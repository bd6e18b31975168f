package io.rocksmq.remote;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.internals.UriParameters;
import io.rocksmq.api.internals.Units;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * What a remote client URI says: {@code rmq://host:7650?token=…} (plain text) or
 * {@code rmqs://host:7650?token=…&ca=ca.pem} (TLS; {@code &cert=client.pem&key=client-key.pem} for
 * mutual TLS). Parameters: {@code token} (bearer token), {@code ca} (PEM file of the certificates to trust;
 * default: the JVM's), {@code cert} and {@code key} (PEM client certificate chain and PKCS#8 key),
 * {@code tls=true} (same as {@code rmqs}), {@code timeout} (deadline of one call, default 30s).
 *
 * <p>Thread-safe (immutable).
 */
public record RemoteOptions(String host, int port, boolean tls, String token, Path trustCertificates,
                            Path clientCertificate, Path clientKey, Duration callTimeout) {
    /** The port of {@code rmq serve} when the URI names none. */
    public static final int DEFAULT_PORT = 7650;
    private static final Set<String> KNOWN = Set.of("token", "ca", "cert", "key", "tls", "timeout");

    /** Redacts the token: this is what logs and error messages show. */
    @Override
    public String toString() {
        return (tls ? "rmqs://" : "rmq://") + host + ":" + port + (token == null ? "" : "?token=<redacted>");
    }

    /**
     * Parses a {@code rmq://} or {@code rmqs://} URI.
     *
     * @throws InvalidArgumentException if it has no host, an unknown parameter, or a bad value
     */
    public static RemoteOptions parse(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("rmq") && !scheme.equals("rmqs")) {
            throw new InvalidArgumentException("not a remote RocksMQ URI (rmq:// or rmqs://): " + scheme + ":");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new InvalidArgumentException("the URI names no server host: use rmq://host:" + DEFAULT_PORT);
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        Map<String, String> p = UriParameters.parse(uri.getRawQuery());
        for (String name : p.keySet()) {
            if (!KNOWN.contains(name)) {
                throw new InvalidArgumentException("unknown parameter '" + name + "' in a remote URI; known: " + KNOWN);
            }
        }
        boolean tls = scheme.equals("rmqs") || Boolean.parseBoolean(p.getOrDefault("tls", "false"));
        String token = emptyToNull(p.get("token"));
        Path ca = path(p.get("ca"));
        Path cert = path(p.get("cert"));
        Path key = path(p.get("key"));
        if ((cert == null) != (key == null)) {
            throw new InvalidArgumentException("mutual TLS needs both 'cert' and 'key'");
        }
        if (!tls && (ca != null || cert != null)) {
            throw new InvalidArgumentException("'ca', 'cert' and 'key' need TLS: use rmqs://");
        }
        Duration timeout = p.containsKey("timeout") ? Units.duration(p.get("timeout")) : Duration.ofSeconds(30);
        if (timeout.isZero() || timeout.isNegative()) {
            throw new InvalidArgumentException("timeout must be positive, was " + timeout);
        }
        return new RemoteOptions(host, port, tls, token, ca, cert, key, timeout);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static Path path(String s) {
        return s == null || s.isEmpty() ? null : Path.of(s);
    }
}
