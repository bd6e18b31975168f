package io.rocksmq.server;

import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SubscriptionInfo;
import io.rocksmq.api.WrongGroupTypeException;
import io.rocksmq.core.PayloadBlock;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.TopicStats;
import io.rocksmq.core.client.RocksMqClient;
import io.rocksmq.remote.QueueGrpc;
import io.rocksmq.remote.RemoteErrors;
import io.rocksmq.remote.Wire;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The service {@code rocksmq.v1.Queue} on an embedded queue. Produce goes straight to
 * {@link RocksMq#produce} (one request, one atomic batch; a packed request to {@link RocksMq#producePayloads},
 * which encodes the stored batch straight from the request's bytes); subscriptions are embedded consumers of a
 * {@link RocksMqClient} wrapped around the same queue, one per stream ({@link SubscriptionSession}), so the
 * embedded backend's rules (one consumer per subscription, acknowledgement, seek) hold for remote clients
 * as they do in process. Administration goes to the same client.
 *
 * <p>Thread-safe: handlers run on gRPC's executor; the queue and the client are thread-safe.
 */
final class QueueService {
    private static final Logger LOG = LoggerFactory.getLogger(QueueService.class);

    private final RocksMq mq;
    private final RocksMqClient client;
    private final ServerMetrics metrics;
    private final long maxRequestBytes;
    /** What one subscription stream may hold in the server, in payload bytes ({@link SubscriptionSession}). */
    private final long sessionBufferBytes;
    /** What all subscription streams together may hold; each reserves its buffer from it at open. */
    private final ServerBufferBudget budget;
    private final Set<SubscriptionSession> sessions = ConcurrentHashMap.newKeySet();

    QueueService(RocksMq mq, ServerMetrics metrics, long maxRequestBytes, long sessionBufferBytes,
                 ServerBufferBudget budget) {
        this.sessionBufferBytes = sessionBufferBytes;
        this.budget = budget;
        this.mq = mq;
        this.client = RocksMqClient.wrap(mq);
        this.metrics = metrics;
        this.maxRequestBytes = maxRequestBytes;
    }

    ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(QueueGrpc.SERVICE)
                .addMethod(QueueGrpc.PRODUCE, ServerCalls.asyncUnaryCall(this::produce))
                .addMethod(QueueGrpc.PRODUCE_STREAM, ServerCalls.asyncBidiStreamingCall(this::produceStream))
                .addMethod(QueueGrpc.SUBSCRIBE, ServerCalls.asyncBidiStreamingCall(this::subscribe))
                .addMethod(QueueGrpc.LATEST_MESSAGE_ID, ServerCalls.asyncUnaryCall(unary(r -> r.getTopic(), r -> {
                    CallContext.requireAny(r.getTopic());
                    long id = mq.latestMessageId(r.getTopic());
                    return id < 0 ? LatestMessageIdResponse.getDefaultInstance()
                            : LatestMessageIdResponse.newBuilder().setPresent(true).setOffset(id).build();
                })))
                .addMethod(QueueGrpc.CREATE_TOPIC, ServerCalls.asyncUnaryCall(unary(TopicRequest::getTopic, r -> {
                    CallContext.requireAny(r.getTopic());
                    client.createTopic(r.getTopic());
                    return Empty.getDefaultInstance();
                })))
                .addMethod(QueueGrpc.DELETE_TOPIC, ServerCalls.asyncUnaryCall(unary(TopicRequest::getTopic, r -> {
                    CallContext.require(Permission.ADMIN, r.getTopic());
                    client.deleteTopic(r.getTopic());
                    LOG.info("topic deleted topic={} by={} peer={}", r.getTopic(), CallContext.principal(), CallContext.peer());
                    return Empty.getDefaultInstance();
                })))
                .addMethod(QueueGrpc.LIST_TOPICS, ServerCalls.asyncUnaryCall(unary(r -> "",
                        r -> ListTopicsResponse.newBuilder()
                                .addAllTopics(client.listTopics().stream().filter(CallContext::visible).toList()).build())))
                .addMethod(QueueGrpc.LIST_SUBSCRIPTIONS, ServerCalls.asyncUnaryCall(unary(TopicRequest::getTopic, r -> {
                    CallContext.requireAny(r.getTopic());
                    ListSubscriptionsResponse.Builder b = ListSubscriptionsResponse.newBuilder();
                    for (SubscriptionInfo s : client.listSubscriptions(r.getTopic())) {
                        io.rocksmq.remote.proto.SubscriptionInfo.Builder info =
                                io.rocksmq.remote.proto.SubscriptionInfo.newBuilder().setName(s.name()).setLag(s.lag());
                        try {
                            info.setPosition(mq.position(r.getTopic(), s.name()));
                            info.setExpired(expiredMessages(r.getTopic(), s.name()));
                        } catch (ConsumerGroupNotFoundException deletedMeanwhile) {
                            continue;
                        }
                        b.addSubscriptions(info);
                    }
                    return b.build();
                })))
                .addMethod(QueueGrpc.DELETE_SUBSCRIPTION, ServerCalls.asyncUnaryCall(unary(SubscriptionRequest::getTopic,
                        r -> {
                            CallContext.require(Permission.ADMIN, r.getTopic());
                            client.deleteSubscription(r.getTopic(), r.getSubscription());
                            LOG.info("subscription deleted topic={} subscription={} by={} peer={}", r.getTopic(),
                                    r.getSubscription(), CallContext.principal(), CallContext.peer());
                            return Empty.getDefaultInstance();
                        })))
                .addMethod(QueueGrpc.TOPIC_STATS, ServerCalls.asyncUnaryCall(unary(TopicRequest::getTopic, r -> {
                    CallContext.requireAny(r.getTopic());
                    TopicStats s = mq.admin().topicStats(r.getTopic());
                    return TopicStatsResponse.newBuilder().setRetainedMessages(s.retainedMessages())
                            .setRetainedBytes(s.retainedBytes()).setEarliestOffset(s.earliestId())
                            .setLatestOffset(s.latestId()).build();
                })))
                .addMethod(QueueGrpc.SERVER_INFO, ServerCalls.asyncUnaryCall(unary(r -> "",
                        r -> ServerInfoResponse.newBuilder()
                                .setVersion(Optional.ofNullable(QueueService.class.getPackage().getImplementationVersion())
                                        .orElse("dev"))
                                .setMaxMessageBytes(mq.config().maxMessageBytes())
                                .setMaxRequestBytes(maxRequestBytes)
                                .setProducePacked(true)
                                .setSubscribeByteCredit(true)
                                .build())))
                .addMethod(QueueGrpc.SCHEDULE, ServerCalls.asyncUnaryCall(unary(
                        io.rocksmq.remote.proto.ScheduleRequest::getTopic, r -> {
                            CallContext.require(Permission.PRODUCE, r.getTopic());
                            OutgoingMessage m = Wire.decode(r.getMessage());
                            if (!m.scheduled()) {
                                throw new InvalidArgumentException("a scheduled message needs deliver_at_millis or"
                                        + " deliver_after_millis");
                            }
                            return io.rocksmq.remote.proto.ScheduleResponse.newBuilder()
                                    .setHandle(mq.schedule(r.getTopic(), toStorage(m)).token()).build();
                        })))
                .addMethod(QueueGrpc.CANCEL_SCHEDULE, ServerCalls.asyncUnaryCall(unary(
                        io.rocksmq.remote.proto.CancelScheduleRequest::getTopic, r -> {
                            CallContext.require(Permission.PRODUCE, r.getTopic());
                            mq.cancelScheduled(io.rocksmq.core.ScheduleHandle.parse(r.getTopic(), r.getHandle()));
                            return Empty.getDefaultInstance();
                        })))
                .addMethod(QueueGrpc.LIST_SCHEDULES, ServerCalls.asyncUnaryCall(unary(
                        io.rocksmq.remote.proto.ListSchedulesRequest::getTopic, r -> {
                            CallContext.require(Permission.PRODUCE, r.getTopic()); // payloads before their time
                            return ScheduleListing.list(mq, r, maxRequestBytes);
                        })))
                .build();
    }

    /**
     * The expired messages a subscription moved past undelivered since the queue opened: a shared group's
     * from its stats (what it finished as expired), a stream group's from the queue's admin count.
     *
     * @throws ConsumerGroupNotFoundException if the group is gone
     */
    private long expiredMessages(String topic, String subscription) {
        try {
            return mq.sharedGroup(topic, subscription).stats().expired();
        } catch (WrongGroupTypeException streamGroup) {
            return mq.admin().expiredMessages(topic, subscription);
        }
    }

    /** A unary handler: runs {@code body}, and fails the call with the typed status of a queue error. */
    private static <Q, R> ServerCalls.UnaryMethod<Q, R> unary(Function<Q, String> topicOf, Function<Q, R> body) {
        return (request, responses) -> {
            R response;
            try {
                response = body.apply(request);
            } catch (RocksMqException e) {
                responses.onError(RemoteErrors.toStatus(e, topicOf.apply(request), null));
                return;
            } catch (StatusRuntimeException e) {
                responses.onError(e);
                return;
            } catch (RuntimeException e) {
                LOG.error("call failed", e);
                responses.onError(Status.INTERNAL.withDescription("internal error").asRuntimeException());
                return;
            }
            responses.onNext(response);
            responses.onCompleted();
        };
    }

    // ------------------------------------------------------------------ produce

    private void produce(ProduceRequest request, StreamObserver<ProduceResponse> responses) {
        try {
            CallContext.require(Permission.PRODUCE, request.getTopic());
            responses.onNext(store(request));
            responses.onCompleted();
        } catch (StatusRuntimeException e) {
            responses.onError(e);
        } catch (RocksMqException e) {
            responses.onError(RemoteErrors.toStatus(e, request.getTopic(), null));
        } catch (RuntimeException e) {
            LOG.error("produce to '{}' failed", request.getTopic(), e);
            responses.onError(Status.INTERNAL.withDescription("internal error").asRuntimeException());
        }
    }

    private StreamObserver<ProduceRequest> produceStream(StreamObserver<ProduceResponse> responses) {
        return new StreamObserver<>() {
            @Override
            public void onNext(ProduceRequest request) {
                ProduceResponse response;
                try {
                    CallContext.require(Permission.PRODUCE, request.getTopic());
                    response = store(request);
                } catch (StatusRuntimeException e) {
                    responses.onError(e);
                    return;
                } catch (RocksMqException e) {
                    response = ProduceResponse.newBuilder().setSequence(request.getSequence())
                            .setError(RemoteErrors.toError(e, request.getTopic(), null)).build();
                }
                responses.onNext(response);
            }

            @Override
            public void onError(Throwable t) {
                // the client went away
            }

            @Override
            public void onCompleted() {
                responses.onCompleted();
            }
        };
    }

    /**
     * Stores one request as one batch, its messages in {@code messages} or in {@code packed} (not both);
     * the messages are checked completely before anything is stored.
     */
    private ProduceResponse store(ProduceRequest request) {
        ProduceResponse.Builder b = ProduceResponse.newBuilder().setSequence(request.getSequence());
        if (request.hasPacked()) {
            if (request.getMessagesCount() != 0) {
                throw new InvalidArgumentException("a produce request carries its messages in messages or in packed,"
                        + " not both");
            }
            PayloadBlock block = payloadBlock(request.getPacked());
            long first = mq.producePayloads(request.getTopic(), block);
            metrics.produced(block.count());
            return b.setFirstOffset(first).build(); // payloads only: no deduplication ids, consecutive offsets
        }
        if (request.getMessagesCount() == 0) {
            throw new InvalidArgumentException("a produce request needs at least one message");
        }
        List<ProducerMessage> batch = new ArrayList<>(request.getMessagesCount());
        for (io.rocksmq.remote.proto.OutgoingMessage m : request.getMessagesList()) {
            batch.add(isPayloadOnly(m) ? new ProducerMessage(m.getPayload().toByteArray(), Map.of())
                    : toStorage(Wire.decode(m)));
        }
        long[] ids = mq.produce(request.getTopic(), batch);
        metrics.produced(ids.length);
        for (long id : ids) {
            b.addOffsets(id);
        }
        return b.build();
    }

    /**
     * The engine's form of a packed batch: the sizes, and the payload bytes as protobuf parsed them (not
     * copied again: the engine copies them once, into the stored batch).
     *
     * @throws InvalidArgumentException if there is no size, or the sizes (unsigned) do not add up to the
     *                                  payload bytes exactly (a malformed request)
     */
    static PayloadBlock payloadBlock(io.rocksmq.remote.proto.PackedPayloads packed) {
        int n = packed.getPayloadSizesCount();
        if (n == 0) {
            throw new InvalidArgumentException("a packed produce request needs at least one payload size");
        }
        com.google.protobuf.ByteString payloads = packed.getPayloads();
        int[] sizes = new int[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            sizes[i] = packed.getPayloadSizes(i);
            total += Integer.toUnsignedLong(sizes[i]);
        }
        if (total != payloads.size()) {
            throw new InvalidArgumentException("malformed packed produce request: " + n + " payload sizes adding up to "
                    + total + " bytes, but " + payloads.size() + " payload bytes");
        }
        return new PayloadBlock(sizes, payloads.asReadOnlyByteBuffer()); // every size fits an int: their sum does
    }

    /**
     * A message with nothing but a payload: stored as it is, without building the client-API message
     * first (there is nothing of it to check), one copy of the payload fewer.
     */
    private static boolean isPayloadOnly(io.rocksmq.remote.proto.OutgoingMessage m) {
        return m.getPropertiesCount() == 0 && !m.hasKey() && !m.hasDeduplicationId() && !m.hasExpiresAtMillis()
                && !m.hasTtlMillis() && !m.hasDeliverAtMillis() && !m.hasDeliverAfterMillis();
    }

    /**
     * As the embedded backend stores a client-API message: the key in the reserved property, with its
     * deduplication id, expiry and delivery time (a produce refuses a message with one: scheduling is
     * {@code Schedule}).
     */
    private static ProducerMessage toStorage(OutgoingMessage m) {
        Map<String, String> properties = m.properties();
        if (m.key().isPresent()) {
            properties = new HashMap<>(properties);
            properties.put(OutgoingMessage.KEY_PROPERTY, m.key().get());
        }
        ProducerMessage stored = new ProducerMessage(m.payload(), properties, m.deduplicationId().orElse(null),
                m.expiresAt().map(java.time.Instant::toEpochMilli).orElse(0L),
                m.ttl().map(java.time.Duration::toMillis).orElse(0L));
        if (m.deliverAt().isPresent()) {
            return stored.withDeliverAt(m.deliverAt().get());
        }
        return m.deliverAfter().isPresent() ? stored.withDeliverAfter(m.deliverAfter().get()) : stored;
    }

    // ------------------------------------------------------------------ subscribe

    private StreamObserver<SubscribeRequest> subscribe(StreamObserver<SubscribeResponse> responses) {
        SubscriptionSession session = new SubscriptionSession(client, responses, CallContext.peer(), metrics, sessionBufferBytes,
                budget, sessions::remove);
        sessions.add(session);
        return session;
    }

    /** The server's buffer budget, for tests. */
    ServerBufferBudget budget() {
        return budget;
    }

    /** The open subscription streams, for tests. */
    List<SubscriptionSession> sessions() {
        return List.copyOf(sessions);
    }

    /** Ends every open subscription stream with UNAVAILABLE (server shutdown). */
    void endSubscriptions() {
        for (SubscriptionSession s : List.copyOf(sessions)) {
            s.shutdown();
        }
        sessions.clear();
    }

    /** Closes the embedded client (consumers); the queue stays open. */
    void close() {
        endSubscriptions();
        client.close();
    }

    static MessageId id(long offset) {
        return MessageId.of(Wire.PARTITION, offset);
    }
}
