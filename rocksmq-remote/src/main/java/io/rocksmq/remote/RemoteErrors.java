package io.rocksmq.remote;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.InvalidNameException;
import io.rocksmq.api.LockExpiredException;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.ReadOnlyQueueException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.StaleDeliveryException;
import io.rocksmq.api.StorageException;
import io.rocksmq.api.SubscriptionInUseException;
import io.rocksmq.api.ScheduleNotFoundException;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.api.WrongGroupTypeException;
import io.rocksmq.remote.proto.Error;

import java.util.List;
import java.util.Locale;

/**
 * The queue's typed errors on the wire, both ways: the server turns a {@link RocksMqException} into a gRPC
 * status with an {@link Error} in the trailer {@link #ERROR_KEY}; the client turns the status back into
 * the same exception type. A status without that trailer (from gRPC itself: unreachable server, request
 * too large, no or bad token) becomes {@link ServerUnavailableException}, {@link InvalidArgumentException},
 * {@link UnauthenticatedException}, {@link PermissionDeniedException} or a plain {@link RocksMqException}.
 * A server out of a server-wide resource sends {@link ServerBusyException} with RESOURCE_EXHAUSTED and the
 * trailer. RESOURCE_EXHAUSTED without the trailer is one of gRPC's size limits (a request or metadata too
 * large), recognised by gRPC's words for them ({@link #isSizeLimit}) and an {@link InvalidArgumentException}
 * like any message too large, or else what the code means to gRPC, a resource or quota used up: a busy
 * server (servers before the typed refusal refused a waiting {@code Acquire} that way). That becomes
 * {@link ServerBusyException}, which callers retry, never "bad input".
 *
 * <p>Thread-safe: stateless.
 */
public final class RemoteErrors {
    /** The trailer {@code rocksmq.v1.error-bin}. */
    public static final Metadata.Key<Error> ERROR_KEY = ProtoUtils.keyForProto(Error.getDefaultInstance());
    /** Words of gRPC's size-limit descriptions, lower case ({@link #isSizeLimit}). */
    private static final List<String> SIZE_LIMIT_WORDS = List.of("exceeds maximum size", "message too large",
            "metadata size", "larger than max");

    private RemoteErrors() {
    }

    // ------------------------------------------------------------------ server side

    /** The wire form of a queue error; {@code topic}/{@code subscription} say what the call was about. */
    public static Error toError(RocksMqException e, String topic, String subscription) {
        String t = topic;
        String s = subscription;
        if (e instanceof TopicNotFoundException tnf) {
            t = tnf.topic();
        } else if (e instanceof ConsumerGroupNotFoundException g) {
            t = g.topic();
            s = g.group();
        } else if (e instanceof SubscriptionInUseException u) {
            t = u.topic();
            s = u.subscription();
        }
        Error.Builder b = Error.newBuilder();
        if (e instanceof ScheduleNotFoundException n && n.token() != null) {
            b.setHandle(n.token());
        }
        return b
                .setType(typeName(e))
                .setMessage(e.getMessage() == null ? "" : e.getMessage())
                .setTopic(t == null ? "" : t)
                .setSubscription(s == null ? "" : s)
                .build();
    }

    /** The status a call fails with for a queue error, with the error in the trailer. */
    public static StatusRuntimeException toStatus(RocksMqException e, String topic, String subscription) {
        Metadata trailers = new Metadata();
        trailers.put(ERROR_KEY, toError(e, topic, subscription));
        return statusOf(e).withDescription(e.getMessage()).asRuntimeException(trailers);
    }

    private static Status statusOf(RocksMqException e) {
        if (e instanceof ServerBusyException) {
            return Status.RESOURCE_EXHAUSTED;
        }
        if (e instanceof TopicNotFoundException || e instanceof ConsumerGroupNotFoundException
                || e instanceof ScheduleNotFoundException) {
            return Status.NOT_FOUND;
        }
        if (e instanceof InvalidArgumentException) {
            return Status.INVALID_ARGUMENT;
        }
        if (e instanceof SubscriptionInUseException || e instanceof ReadOnlyQueueException
                || e instanceof WrongGroupTypeException || e instanceof StaleDeliveryException
                || e instanceof LockExpiredException || e instanceof DeliveryNotFoundException) {
            return Status.FAILED_PRECONDITION;
        }
        if (e instanceof ConsumerGroupExistsException) {
            return Status.ALREADY_EXISTS;
        }
        if (e instanceof QueueClosedException) {
            return Status.UNAVAILABLE; // the server is shutting down
        }
        return Status.INTERNAL;
    }

    private static String typeName(RocksMqException e) {
        if (e instanceof ServerBusyException) {
            return "ServerBusyException"; // the one error of this package a server sends
        }
        Class<?> c = e.getClass();
        while (c != RocksMqException.class && !c.getPackageName().equals("io.rocksmq.api")) {
            c = c.getSuperclass();
        }
        return c.getSimpleName();
    }

    // ------------------------------------------------------------------ client side

    /** The typed exception for a failed call. */
    public static RocksMqException fromStatus(Throwable t) {
        Status status = Status.fromThrowable(t);
        Metadata trailers = Status.trailersFromThrowable(t);
        Error error = trailers == null ? null : trailers.get(ERROR_KEY);
        if (error != null) {
            return fromError(error);
        }
        String description = status.getDescription() == null ? status.getCode().toString() : status.getDescription();
        return switch (status.getCode()) {
            case UNAVAILABLE -> new ServerUnavailableException("server unavailable: " + description, t);
            case DEADLINE_EXCEEDED -> new ServerUnavailableException("server did not answer in time: " + description, t);
            case UNAUTHENTICATED -> new UnauthenticatedException("not authenticated: " + description);
            case PERMISSION_DENIED -> new PermissionDeniedException("permission denied: " + description);
            case RESOURCE_EXHAUSTED -> isSizeLimit(status.getDescription())
                    ? new InvalidArgumentException("rejected by the server's limits: " + description)
                    : new ServerBusyException("server busy: " + description);
            case INVALID_ARGUMENT -> new InvalidArgumentException(description);
            default -> new RocksMqException("server call failed: " + status.getCode() + ": " + description, t);
        };
    }

    /**
     * Whether an untyped RESOURCE_EXHAUSTED's description is one of gRPC's size limits: grpc-java's "gRPC
     * message exceeds maximum size" (also after decompression), "message too large" (outbound) and "...
     * exceeded Metadata size soft limit" (as in grpc-java 1.85), and grpc-go's and gRPC core's "... larger
     * than max ...". The description is the only part of such a status that says what ran out; one not
     * recognised is taken for a busy server, which callers retry with backoff, not for bad input they
     * would give up on.
     */
    static boolean isSizeLimit(String description) {
        if (description == null) {
            return false;
        }
        String d = description.toLowerCase(Locale.ROOT);
        for (String words : SIZE_LIMIT_WORDS) {
            if (d.contains(words)) {
                return true;
            }
        }
        return false;
    }

    /** The typed exception an {@link Error} names. */
    public static RocksMqException fromError(Error e) {
        String message = e.getMessage();
        return switch (e.getType()) {
            case "TopicNotFoundException" -> new TopicNotFoundException(e.getTopic());
            case "ConsumerGroupNotFoundException" -> new ConsumerGroupNotFoundException(e.getTopic(), e.getSubscription());
            case "SubscriptionInUseException" -> new SubscriptionInUseException(e.getTopic(), e.getSubscription());
            case "ConsumerGroupExistsException" -> new ConsumerGroupExistsException(e.getTopic(), e.getSubscription());
            case "ScheduleNotFoundException" -> new ScheduleNotFoundException(e.getTopic(), e.getHandle());
            case "InvalidNameException" -> new InvalidNameException(message);
            case "InvalidArgumentException" -> new InvalidArgumentException(message);
            case "QueueClosedException" -> new QueueClosedException(message);
            case "ReadOnlyQueueException" -> new ReadOnlyQueueException(message);
            // The wrong-type message says which type the group is ("... is a shared group; ...").
            case "WrongGroupTypeException" -> new WrongGroupTypeException(e.getTopic(), e.getSubscription(),
                    message.contains("is a shared group"));
            // The shared-subscription fencing errors: the remote consumer rebuilds them with the receipt it sent.
            case "StaleDeliveryException", "LockExpiredException", "DeliveryNotFoundException" ->
                    new RemoteSharedConsumer.AnswerRefused(e.getType(), message);
            case "ServerBusyException" -> new ServerBusyException(message);
            case "StorageException", "NotAQueueException", "QueueAlreadyOpenException" ->
                    new StorageException(message, null, null);
            default -> new RocksMqException(message);
        };
    }
}
