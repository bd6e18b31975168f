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

    private CallContext() {
    }

    /** The address of the client of the current call, or "?" outside a call. */
    static String peer() {
        String p = PEER.get();
        return p == null ? "?" : p;
    }

    static ServerInterceptor interceptor(ServerMetrics metrics) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
                String peer = remote == null ? "?" : remote.toString();
                String method = call.getMethodDescriptor().getFullMethodName();
                ServerCall<Q, R> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void close(Status status, Metadata trailers) {
                        metrics.call(method, status.getCode().name());
                        if (!status.isOk() && LOG.isDebugEnabled()) {
                            LOG.debug("call method={} status={} peer={} description=\"{}\"", method, status.getCode(), peer,
                                    status.getDescription());
                        }
                        super.close(status, trailers);
                    }
                };
                Context ctx = Context.current().withValue(PEER, peer);
                return Contexts.interceptCall(ctx, counted, headers, next);
            }
        };
    }
}
