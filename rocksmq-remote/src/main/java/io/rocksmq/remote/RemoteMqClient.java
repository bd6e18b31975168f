package io.rocksmq.remote;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SubscriptionInfo;
import io.rocksmq.api.SubscriptionType;
import io.rocksmq.api.internals.AbstractMqClient;
import io.rocksmq.api.internals.Closer;
import io.rocksmq.remote.proto.Empty;
import io.rocksmq.remote.proto.LatestMessageIdResponse;
import io.rocksmq.remote.proto.ServerInfoResponse;
import io.rocksmq.remote.proto.SubscriptionRequest;
import io.rocksmq.remote.proto.TopicRequest;
import io.rocksmq.remote.proto.TopicStatsResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The client API on a RocksMQ server ({@code rmq serve}) over gRPC: {@code MqClient.open("rmq://host:7650")}.
 *
 * <p>One HTTP/2 connection (a gRPC channel) carries every call of the client. gRPC reconnects it by itself,
 * with exponential backoff, after the server went away; a call made while it is down fails with
 * {@link ServerUnavailableException}, and consumers re-subscribe by themselves (see {@link RemoteConsumer}).
 * Errors of the queue come back as the same typed exceptions the embedded backend throws
 * ({@link RemoteErrors}).
 *
 * <p>Thread-safe.
 */
public final class RemoteMqClient extends AbstractMqClient<RemoteProducer, Consumer> {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final RemoteOptions options;
    private final ManagedChannel channel;
    /** The channel with the token attached to every call. */
    private final Channel calls;
    private final ServerInfoResponse serverInfo;

    private RemoteMqClient(RemoteOptions options, ManagedChannel channel, Channel calls, ServerInfoResponse info) {
        this.options = options;
        this.channel = channel;
        this.calls = calls;
        this.serverInfo = info;
    }

    /**
     * Connects and asks the server for its limits, so that an unreachable server or a refused token fails here.
     *
     * @throws ServerUnavailableException if the server cannot be reached
     * @throws UnauthenticatedException   if the server refuses the token (or its absence)
     * @throws InvalidArgumentException   if a TLS file cannot be read
     */
    public static RemoteMqClient open(RemoteOptions options) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(options.host(), options.port(), credentials(options))
                .maxInboundMessageSize(Integer.MAX_VALUE) // the server bounds what it sends by our credit
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .build();
        Channel calls = options.token() == null ? channel : ClientInterceptors.intercept(channel, bearer(options.token()));
        try {
            ServerInfoResponse info = ClientCalls.blockingUnaryCall(calls, QueueGrpc.SERVER_INFO,
                    CallOptions.DEFAULT.withDeadlineAfter(options.callTimeout().toMillis(), TimeUnit.MILLISECONDS),
                    Empty.getDefaultInstance());
            return new RemoteMqClient(options, channel, calls, info);
        } catch (RuntimeException e) {
            channel.shutdownNow();
            RocksMqException mapped = RemoteErrors.fromStatus(e);
            if (mapped instanceof ServerUnavailableException) {
                throw new ServerUnavailableException("cannot reach the RocksMQ server at " + options + ": "
                        + mapped.getMessage(), e);
            }
            throw mapped;
        }
    }

    private static ChannelCredentials credentials(RemoteOptions o) {
        if (!o.tls()) {
            return InsecureChannelCredentials.create();
        }
        try {
            TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
            if (o.trustCertificates() != null) {
                b.trustManager(o.trustCertificates().toFile());
            }
            if (o.clientCertificate() != null) {
                b.keyManager(o.clientCertificate().toFile(), o.clientKey().toFile());
            }
            return b.build();
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot read the TLS files of " + o + ": " + e.getMessage());
        }
    }

    private static ClientInterceptor bearer(String token) {
        String value = "Bearer " + token;
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions,
                                                         Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        headers.put(AUTHORIZATION, value);
                        super.start(listener, headers);
                    }
                };
            }
        };
    }

    // ------------------------------------------------------------------ for producers and consumers

    RemoteOptions options() {
        return options;
    }

    Channel channel() {
        return calls;
    }

    /** Largest payload-plus-properties the server stores in one message. */
    long maxMessageBytes() {
        return serverInfo.getMaxMessageBytes();
    }

    /** Largest request the server accepts. */
    long maxRequestBytes() {
        return serverInfo.getMaxRequestBytes();
    }

    /** The server honours {@code Subscribe}'s byte credit (false from servers before it). */
    boolean subscribeByteCredit() {
        return serverInfo.getSubscribeByteCredit();
    }

    /** Whether the server reads produce requests in packed form ({@code ProduceRequest.packed}). */
    boolean producePacked() {
        return serverInfo.getProducePacked();
    }

    CallOptions callOptions() {
        return CallOptions.DEFAULT.withDeadlineAfter(options.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A blocking unary call with the client's deadline; failures as typed exceptions. */
    <Q, R> R call(MethodDescriptor<Q, R> method, Q request) {
        try {
            return ClientCalls.blockingUnaryCall(calls, method, callOptions(), request);
        } catch (RuntimeException e) {
            throw RemoteErrors.fromStatus(e);
        }
    }

    /**
     * The id of the topic's latest stored message, or empty if it holds none (one call; any grant on the
     * topic). What {@link io.rocksmq.api.Consumer#latestMessageId()} answers, without a subscription.
     */
    public Optional<MessageId> latestMessageId(String topic) {
        LatestMessageIdResponse r = call(QueueGrpc.LATEST_MESSAGE_ID, TopicRequest.newBuilder().setTopic(topic).build());
        return r.getPresent() ? Optional.of(MessageId.of(Wire.PARTITION, r.getOffset())) : Optional.empty();
    }

    /**
     * The subscriptions of a topic with their positions and expired counts (one call; any grant on the
     * topic), for tools that describe them. A position or count is -1 from a server that does not send it.
     */
    public List<RemoteSubscription> describeSubscriptions(String topic) {
        checkOpen();
        List<RemoteSubscription> out = new ArrayList<>();
        for (io.rocksmq.remote.proto.SubscriptionInfo s : call(QueueGrpc.LIST_SUBSCRIPTIONS, topicRequest(topic))
                .getSubscriptionsList()) {
            out.add(new RemoteSubscription(s.getName(), s.getLag(), s.hasPosition() ? s.getPosition() : -1,
                    s.hasExpired() ? s.getExpired() : -1));
        }
        return out;
    }

    /** What the topic retains (one call; any grant on the topic). */
    public RemoteTopicStats topicStats(String topic) {
        checkOpen();
        TopicStatsResponse r = call(QueueGrpc.TOPIC_STATS, topicRequest(topic));
        return new RemoteTopicStats(r.getRetainedMessages(), r.getRetainedBytes(), r.getEarliestOffset(),
                r.getLatestOffset());
    }

    /**
     * The topic's scheduled messages still waiting for their time, earliest due first, at most {@code max}
     * (1 to 1000; the server may answer fewer to keep within its request size limit), with how many wait
     * in all (one call; produce permission on the topic, as scheduling and cancelling).
     *
     * @throws io.rocksmq.api.InvalidArgumentException if {@code max} is out of range
     * @throws io.rocksmq.api.TopicNotFoundException   if the topic does not exist
     */
    public RemoteSchedules listSchedules(String topic, int max) {
        if (max < 1 || max > MAX_LISTED_SCHEDULES) {
            throw new io.rocksmq.api.InvalidArgumentException("max must be 1 to " + MAX_LISTED_SCHEDULES + ", was " + max);
        }
        checkOpen();
        io.rocksmq.remote.proto.ListSchedulesResponse r = call(QueueGrpc.LIST_SCHEDULES,
                io.rocksmq.remote.proto.ListSchedulesRequest.newBuilder().setTopic(topic).setMax(max).build());
        List<RemoteSchedules.Scheduled> out = new ArrayList<>(r.getMessagesCount());
        for (io.rocksmq.remote.proto.ScheduledMessageInfo m : r.getMessagesList()) {
            out.add(new RemoteSchedules.Scheduled(m.getHandle(), java.time.Instant.ofEpochMilli(m.getDueAtMillis()),
                    Wire.decode(m.getMessage())));
        }
        return new RemoteSchedules(r.getTotal(), out);
    }

    /**
     * Cancels a scheduled message of the topic before it is due, as {@link io.rocksmq.api.Producer#cancelScheduled}
     * without a producer (one call; produce permission on the topic).
     *
     * @throws io.rocksmq.api.ScheduleNotFoundException if it is no longer waiting (due, or cancelled)
     */
    public void cancelSchedule(String topic, String handle) {
        if (handle == null || handle.isEmpty()) {
            throw new io.rocksmq.api.InvalidArgumentException("handle must not be null or empty");
        }
        checkOpen();
        call(QueueGrpc.CANCEL_SCHEDULE, io.rocksmq.remote.proto.CancelScheduleRequest.newBuilder()
                .setTopic(topic).setHandle(handle).build());
    }

    /** The most {@link #listSchedules} returns in one call. */
    public static final int MAX_LISTED_SCHEDULES = 1000;

    // ------------------------------------------------------------------ AbstractMqClient hooks

    @Override
    protected RemoteProducer openProducer(ProducerOptions producerOptions) {
        createTopic0(producerOptions.topic());
        return new RemoteProducer(this, producerOptions);
    }

    @Override
    protected Consumer openConsumer(ConsumerOptions consumerOptions) {
        if (consumerOptions.subscriptionType() == SubscriptionType.SHARED) {
            return RemoteSharedConsumer.open(this, consumerOptions); // service rocksmq.v1.SharedQueue
        }
        return RemoteConsumer.open(this, consumerOptions);
    }

    @Override
    protected void startConsumer(Consumer consumer) {
        if (consumer instanceof RemoteSharedConsumer shared) {
            shared.start();
        } else {
            ((RemoteConsumer) consumer).start();
        }
    }

    @Override
    protected void closeBackend(Closer closer) {
        closer.close(() -> {
            channel.shutdown();
            try {
                if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                channel.shutdownNow();
                Thread.currentThread().interrupt();
            }
        });
    }

    // ------------------------------------------------------------------ administration

    @Override
    public void createTopic(String topic) {
        checkOpen();
        createTopic0(topic);
    }

    private void createTopic0(String topic) {
        call(QueueGrpc.CREATE_TOPIC, topicRequest(topic));
    }

    @Override
    public void deleteTopic(String topic) {
        checkOpen();
        call(QueueGrpc.DELETE_TOPIC, topicRequest(topic));
    }

    @Override
    public List<String> listTopics() {
        checkOpen();
        return List.copyOf(call(QueueGrpc.LIST_TOPICS, Empty.getDefaultInstance()).getTopicsList());
    }

    @Override
    public List<SubscriptionInfo> listSubscriptions(String topic) {
        checkOpen();
        List<SubscriptionInfo> out = new ArrayList<>();
        for (io.rocksmq.remote.proto.SubscriptionInfo s : call(QueueGrpc.LIST_SUBSCRIPTIONS, topicRequest(topic))
                .getSubscriptionsList()) {
            out.add(new SubscriptionInfo(topic, s.getName(), s.getLag()));
        }
        return out;
    }

    @Override
    public void deleteSubscription(String topic, String subscription) {
        checkOpen();
        if (subscription == null) {
            throw new io.rocksmq.api.InvalidNameException("subscription name must not be null");
        }
        call(QueueGrpc.DELETE_SUBSCRIPTION, SubscriptionRequest.newBuilder().setTopic(nonNull(topic))
                .setSubscription(subscription).build());
    }

    private static TopicRequest topicRequest(String topic) {
        return TopicRequest.newBuilder().setTopic(nonNull(topic)).build();
    }

    private static String nonNull(String topic) {
        if (topic == null) {
            throw new io.rocksmq.api.InvalidNameException("topic name must not be null");
        }
        return topic;
    }

    @Override
    public String toString() {
        return "RemoteMqClient{" + options + '}';
    }
}
