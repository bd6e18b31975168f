package io.rocksmq.server;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/** For fake servers in tests: a method the fake does not serve answers UNIMPLEMENTED, as a real gRPC server would. */
final class UnimplementedMethods {
    private UnimplementedMethods() {
    }

    /** Adds {@code m} to {@code service}, answering every call (unary or streaming) with UNIMPLEMENTED. */
    static <Q, R> void add(ServerServiceDefinition.Builder service, MethodDescriptor<Q, R> m) {
        if (m.getType() == MethodDescriptor.MethodType.UNARY) {
            service.addMethod(m, ServerCalls.asyncUnaryCall((Q r, StreamObserver<R> o) ->
                    o.onError(Status.UNIMPLEMENTED.asRuntimeException())));
        } else {
            service.addMethod(m, ServerCalls.asyncBidiStreamingCall((StreamObserver<R> o) -> {
                o.onError(Status.UNIMPLEMENTED.asRuntimeException());
                return new StreamObserver<Q>() {
                    @Override
                    public void onNext(Q value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                };
            }));
        }
    }
}
