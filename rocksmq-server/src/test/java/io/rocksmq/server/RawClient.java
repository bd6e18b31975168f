package io.rocksmq.server;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** A plain gRPC channel to a test server, for requests the client API would never send. Not thread-safe to close. */
final class RawClient implements AutoCloseable {
    final ManagedChannel channel;
    /** The server {@link #serving} started for this client (closed with it), or null. */
    private final RmqServer owned;

    RawClient(RmqServer server) {
        this(server, null);
    }

    private RawClient(RmqServer server, RmqServer owned) {
        this.owned = owned;
        this.channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .build();
    }

    /**
     * Starts an in-process server on {@code dir}, listening on 127.0.0.1 (any port) with what
     * {@code settings} adds to its builder, and a raw client to it; closing the client stops the server.
     */
    static RawClient serving(Path dir, UnaryOperator<RmqServer.Builder> settings) {
        RmqServer server = settings.apply(RmqServer.builder(dir).listen("127.0.0.1", 0)).start();
        return new RawClient(server, server);
    }

    /** The server {@link #serving} started. */
    RmqServer server() {
        if (owned == null) {
            throw new IllegalStateException("this client did not start its server");
        }
        return owned;
    }

    <Q, R> R call(MethodDescriptor<Q, R> method, Q request) {
        return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                request);
    }

    @Override
    public void close() throws InterruptedException {
        try {
            channel.shutdownNow();
            channel.awaitTermination(10, TimeUnit.SECONDS);
        } finally {
            if (owned != null) {
                owned.close();
            }
        }
    }
}
