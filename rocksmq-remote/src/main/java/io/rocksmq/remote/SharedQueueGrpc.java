package io.rocksmq.remote;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServiceDescriptor;
import io.rocksmq.remote.proto.AcquireRequest;
import io.rocksmq.remote.proto.AcquireResponse;
import io.rocksmq.remote.proto.AnswerRequest;
import io.rocksmq.remote.proto.AnswerResponse;
import io.rocksmq.remote.proto.Empty;
import io.rocksmq.remote.proto.OpenSharedRequest;

import java.util.List;

/**
 * The gRPC method descriptors of the service {@code rocksmq.v1.SharedQueue} (SHARED subscriptions, in
 * {@code rocksmq/v1/rocksmq.proto}), written by hand for the reason {@link QueueGrpc} gives.
 *
 * <p>Thread-safe: constants.
 */
public final class SharedQueueGrpc {
    /** The service's full name, as in the .proto file. */
    public static final String SERVICE_NAME = "rocksmq.v1.SharedQueue";
    /** Longest time the server waits in one {@link #ACQUIRE} call; a client asks again to wait longer. */
    public static final long MAX_ACQUIRE_WAIT_MILLIS = 5_000;

    public static final MethodDescriptor<OpenSharedRequest, Empty> OPEN_SHARED =
            method("OpenShared", OpenSharedRequest.getDefaultInstance(), Empty.getDefaultInstance());
    public static final MethodDescriptor<AcquireRequest, AcquireResponse> ACQUIRE =
            method("Acquire", AcquireRequest.getDefaultInstance(), AcquireResponse.getDefaultInstance());
    public static final MethodDescriptor<AnswerRequest, AnswerResponse> ANSWER =
            method("Answer", AnswerRequest.getDefaultInstance(), AnswerResponse.getDefaultInstance());

    /** Every method, in the order of the .proto file. */
    public static final List<MethodDescriptor<?, ?>> METHODS = List.of(OPEN_SHARED, ACQUIRE, ANSWER);

    /** The service with every method and the .proto's descriptors as its schema (for server reflection). */
    public static final ServiceDescriptor SERVICE = GrpcDescriptors.service(SERVICE_NAME, "SharedQueue", METHODS);

    private SharedQueueGrpc() {
    }

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(String name, Q request,
                                                                                       R response) {
        return GrpcDescriptors.method(SERVICE_NAME, MethodType.UNARY, name, request, response);
    }
}
