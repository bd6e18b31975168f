package io.rocksmq.remote;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServiceDescriptor;
import io.rocksmq.remote.proto.Empty;
import io.rocksmq.remote.proto.LatestMessageIdResponse;
import io.rocksmq.remote.proto.ListSubscriptionsResponse;
import io.rocksmq.remote.proto.ListTopicsResponse;
import io.rocksmq.remote.proto.ProduceRequest;
import io.rocksmq.remote.proto.ProduceResponse;
import io.rocksmq.remote.proto.ServerInfoResponse;
import io.rocksmq.remote.proto.SubscribeRequest;
import io.rocksmq.remote.proto.SubscribeResponse;
import io.rocksmq.remote.proto.SubscriptionRequest;
import io.rocksmq.remote.proto.TopicRequest;
import io.rocksmq.remote.proto.TopicStatsResponse;

import java.util.List;

/**
 * The gRPC method descriptors of the service {@code rocksmq.v1.Queue} ({@code rocksmq/v1/rocksmq.proto}),
 * written by hand: the build generates the protobuf messages with protoc, but the grpc-java code generator
 * of our gRPC version cannot be fetched here. A descriptor is only the full method name, the call type and
 * the two protobuf marshallers, so this is all a generated stub would add that we use.
 *
 * <p>Thread-safe: constants.
 */
public final class QueueGrpc {
    /** The service's full name, as in the .proto file. */
    public static final String SERVICE_NAME = "rocksmq.v1.Queue";

    public static final MethodDescriptor<ProduceRequest, ProduceResponse> PRODUCE =
            method(MethodType.UNARY, "Produce", ProduceRequest.getDefaultInstance(), ProduceResponse.getDefaultInstance());
    public static final MethodDescriptor<ProduceRequest, ProduceResponse> PRODUCE_STREAM =
            method(MethodType.BIDI_STREAMING, "ProduceStream", ProduceRequest.getDefaultInstance(),
                    ProduceResponse.getDefaultInstance());
    public static final MethodDescriptor<SubscribeRequest, SubscribeResponse> SUBSCRIBE =
            method(MethodType.BIDI_STREAMING, "Subscribe", SubscribeRequest.getDefaultInstance(),
                    SubscribeResponse.getDefaultInstance());
    public static final MethodDescriptor<TopicRequest, LatestMessageIdResponse> LATEST_MESSAGE_ID =
            method(MethodType.UNARY, "LatestMessageId", TopicRequest.getDefaultInstance(),
                    LatestMessageIdResponse.getDefaultInstance());
    public static final MethodDescriptor<TopicRequest, Empty> CREATE_TOPIC =
            method(MethodType.UNARY, "CreateTopic", TopicRequest.getDefaultInstance(), Empty.getDefaultInstance());
    public static final MethodDescriptor<TopicRequest, Empty> DELETE_TOPIC =
            method(MethodType.UNARY, "DeleteTopic", TopicRequest.getDefaultInstance(), Empty.getDefaultInstance());
    public static final MethodDescriptor<Empty, ListTopicsResponse> LIST_TOPICS =
            method(MethodType.UNARY, "ListTopics", Empty.getDefaultInstance(), ListTopicsResponse.getDefaultInstance());
    public static final MethodDescriptor<TopicRequest, ListSubscriptionsResponse> LIST_SUBSCRIPTIONS =
            method(MethodType.UNARY, "ListSubscriptions", TopicRequest.getDefaultInstance(),
                    ListSubscriptionsResponse.getDefaultInstance());
    public static final MethodDescriptor<SubscriptionRequest, Empty> DELETE_SUBSCRIPTION =
            method(MethodType.UNARY, "DeleteSubscription", SubscriptionRequest.getDefaultInstance(),
                    Empty.getDefaultInstance());
    public static final MethodDescriptor<TopicRequest, TopicStatsResponse> TOPIC_STATS =
            method(MethodType.UNARY, "TopicStats", TopicRequest.getDefaultInstance(),
                    TopicStatsResponse.getDefaultInstance());
    public static final MethodDescriptor<Empty, ServerInfoResponse> SERVER_INFO =
            method(MethodType.UNARY, "ServerInfo", Empty.getDefaultInstance(), ServerInfoResponse.getDefaultInstance());
    public static final MethodDescriptor<io.rocksmq.remote.proto.ScheduleRequest, io.rocksmq.remote.proto.ScheduleResponse>
            SCHEDULE = method(MethodType.UNARY, "Schedule", io.rocksmq.remote.proto.ScheduleRequest.getDefaultInstance(),
                    io.rocksmq.remote.proto.ScheduleResponse.getDefaultInstance());
    public static final MethodDescriptor<io.rocksmq.remote.proto.CancelScheduleRequest, Empty> CANCEL_SCHEDULE =
            method(MethodType.UNARY, "CancelSchedule", io.rocksmq.remote.proto.CancelScheduleRequest.getDefaultInstance(),
                    Empty.getDefaultInstance());
    public static final MethodDescriptor<io.rocksmq.remote.proto.ListSchedulesRequest, io.rocksmq.remote.proto.ListSchedulesResponse>
            LIST_SCHEDULES = method(MethodType.UNARY, "ListSchedules",
                    io.rocksmq.remote.proto.ListSchedulesRequest.getDefaultInstance(),
                    io.rocksmq.remote.proto.ListSchedulesResponse.getDefaultInstance());

    /** Every method, in the order of the .proto file. */
    public static final List<MethodDescriptor<?, ?>> METHODS = List.of(PRODUCE, PRODUCE_STREAM, SUBSCRIBE,
            LATEST_MESSAGE_ID, CREATE_TOPIC, DELETE_TOPIC, LIST_TOPICS, LIST_SUBSCRIPTIONS, DELETE_SUBSCRIPTION,
            TOPIC_STATS, SERVER_INFO, SCHEDULE, CANCEL_SCHEDULE, LIST_SCHEDULES);

    /**
     * The service with every method and, as its schema, the .proto's descriptors: what gRPC's server
     * reflection hands to tools such as grpcurl (generated code attaches the same).
     */
    public static final ServiceDescriptor SERVICE = GrpcDescriptors.service(SERVICE_NAME, "Queue", METHODS);

    private QueueGrpc() {
    }

    private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(
            MethodType type, String name, Q request, R response) {
        return GrpcDescriptors.method(SERVICE_NAME, type, name, request, response);
    }
}
