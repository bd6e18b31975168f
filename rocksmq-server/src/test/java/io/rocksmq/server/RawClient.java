package io.rocksmq.server;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;

import java.util.concurrent.TimeUnit;

/** A plain gRPC channel to a test server, for requests the client API would never send. Not thread-safe to close. */
final class RawClient implements AutoCloseable {
    final ManagedChannel channel;

    RawClient(RmqServer server) {
        this.channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .build();
    }

    <Q, R> R call(MethodDescriptor<Q, R> method, Q request) {
        return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                request);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
    }
}
