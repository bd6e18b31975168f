package io.rocksmq.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;

/**
 * What the server knows about the call being handled: the peer's address (for logs), set by
 * {@link #interceptor}, which also counts every finished call by method and status in {@link ServerMetrics}
 * and logs failures in one structured line ({@code call method=… status=… peer=…}). Never logs metadata:
 * it carries the token.
 *
 * <p>Thread-safe: stateless; the values live in gRPC's {@link Context}.
 */
final class CallContext {
    private static final Logger LOG = LoggerFactory.getLogger("io.rocksmq.server.calls");
    private static final Context.Key<String> PEER = Context.key("rocksmq-peer");
    private static final Context.Key<TokenStore.Principal> PRINCIPAL = Context.key("rocksmq-principal");
    /** The store and the hash of the call's token: each check asks the store again (a reloaded file may revoke it). */
    private static final Context.Key<TokenStore> STORE = Context.key("rocksmq-token-store");
    private static final Context.Key<String> TOKEN_HASH = Context.key("rocksmq-token-hash");
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private CallContext() {
    }

    /** The address of the client of the current call, or "?" outside a call. */
    static String peer() {
        String p = PEER.get();
        return p == null ? "?" : p;
    }

    /**
     * Throws PERMISSION_DENIED unless the current call's token may do {@code p} on {@code topic}; does
     * nothing on a server without tokens.
     */
    static void require(Permission p, String topic) {
        TokenStore.Principal principal = current();
        if (principal != null && !principal.may(p, topic)) {
            throw Status.PERMISSION_DENIED.withDescription("token '" + principal.name() + "' may not "
                    + p.name().toLowerCase(java.util.Locale.ROOT) + " on topic '" + topic + "'").asRuntimeException();
        }
    }

    /** Throws PERMISSION_DENIED unless the current call's token has some permission on {@code topic}. */
    static void requireAny(String topic) {
        TokenStore.Principal principal = current();
        if (principal != null && !principal.mayAny(topic)) {
            throw Status.PERMISSION_DENIED.withDescription("token '" + principal.name() + "' has no permission on topic '"
                    + topic + "'").asRuntimeException();
        }
    }

    /** Whether the current call's token may see {@code topic} in listings. */
    static boolean visible(String topic) {
        TokenStore.Principal principal = current();
        return principal == null || principal.mayAny(topic);
    }

    /**
     * The current call's principal as the token file says now (grants may have changed since the call
     * began: a stream lives long), null without tokens.
     *
     * @throws io.grpc.StatusRuntimeException UNAUTHENTICATED if the token was revoked since the call began
     */
    private static TokenStore.Principal current() {
        TokenStore store = STORE.get();
        if (store == null) {
            return PRINCIPAL.get();
        }
        TokenStore.Principal now = store.verifyHash(TOKEN_HASH.get()).orElse(null);
        if (now == null) {
            throw Status.UNAUTHENTICATED.withDescription("token '" + PRINCIPAL.get().name() + "' was revoked")
                    .asRuntimeException();
        }
        return now;
    }

    /** The name of the current call's token, for logs; "-" without tokens. */
    static String principal() {
        TokenStore.Principal principal = PRINCIPAL.get();
        return principal == null ? "-" : principal.name();
    }

    /**
     * Sets the peer, counts and logs the call, and (with {@code tokens}) authenticates it: a call without
     * a known {@code authorization: Bearer} token ends with UNAUTHENTICATED before any handler runs.
     */
    static ServerInterceptor interceptor(ServerMetrics metrics, TokenStore tokens) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
                String peer = remote == null ? "?" : remote.toString();
                String method = call.getMethodDescriptor().getFullMethodName();
                long start = System.nanoTime();
                ServerCall<Q, R> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void close(Status status, Metadata trailers) {
                        metrics.call(method, status.getCode().name(), System.nanoTime() - start);
                        if (!status.isOk() && LOG.isDebugEnabled()) {
                            LOG.debug("call method={} status={} peer={} description=\"{}\"", method, status.getCode(), peer,
                                    status.getDescription());
                        }
                        super.close(status, trailers);
                    }
                };
                Context ctx = Context.current().withValue(PEER, peer);
                if (tokens != null) {
                    String auth = headers.get(AUTHORIZATION);
                    String token = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : null;
                    TokenStore.Principal principal = tokens.verify(token).orElse(null);
                    if (principal == null) {
                        LOG.warn("unauthenticated call method={} peer={} reason={}", method, peer,
                                token == null ? "no bearer token" : "unknown token");
                        counted.close(Status.UNAUTHENTICATED.withDescription(token == null
                                ? "this server requires a token (authorization: Bearer ...)" : "unknown token"), new Metadata());
                        return new ServerCall.Listener<>() {
                        };
                    }
                    ctx = ctx.withValue(PRINCIPAL, principal).withValue(STORE, tokens)
                            .withValue(TOKEN_HASH, TokenStore.hash(token));
                }
                return Contexts.interceptCall(ctx, counted, headers, next);
            }
        };
    }
}
