package io.rocksmq.server;

import com.google.protobuf.ByteString;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.SharedGroup;
import io.rocksmq.core.SharedGroupOptions;
import io.rocksmq.remote.RemoteErrors;
import io.rocksmq.remote.ServerBusyException;
import io.rocksmq.remote.SharedQueueGrpc;
import io.rocksmq.remote.proto.AcquireRequest;
import io.rocksmq.remote.proto.AcquireResponse;
import io.rocksmq.remote.proto.AnswerRequest;
import io.rocksmq.remote.proto.AnswerResponse;
import io.rocksmq.remote.proto.Empty;
import io.rocksmq.remote.proto.OpenSharedRequest;
import io.rocksmq.remote.proto.SharedDelivery;
import io.rocksmq.remote.proto.SharedSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The service {@code rocksmq.v1.SharedQueue}: SHARED subscriptions served straight from the queue's
 * {@link SharedGroup}s. Unlike the stream subscriptions there is no session: a delivery's receipt (offset,
 * attempt, the group's incarnation) travels to the client and back, and the group's fencing decides every answer, so any number of
 * clients share a subscription and a client that vanishes loses nothing (its locks expire).
 *
 * <p>{@code Acquire} may wait (at most {@link SharedQueueGrpc#MAX_ACQUIRE_WAIT_MILLIS}, however long the client
 * asks: its {@code uint64} timeout is read unsigned, so the largest value waits the most); it waits on a thread
 * of its own pool, not on gRPC's executor, so waiting workers never starve other calls. At most
 * {@link #MAX_WAITING} acquires wait at once (a permit of {@code waiting} each); one more that would wait
 * is refused with RESOURCE_EXHAUSTED and a {@code ServerBusyException} in the error trailer, having changed
 * nothing, so a client knows to retry it (the Java client does, with backoff). Every acquire first takes
 * what is ready without waiting, on the gRPC thread, and is answered at once if it got anything: only one
 * that found nothing and may wait takes a permit, so one that does not wait, or finds messages ready, is
 * never refused. The pool itself has no thread limit: the permits bound the
 * tasks it runs, and a thread limit of its own could refuse a task whose permit was granted (a thread
 * that released its permit but has not yet gone back to the pool still counts). Permissions are checked
 * on the gRPC thread (the call's context is there): consume on the topic, and produce on a dead-letter
 * topic named at creation.
 *
 * <p>Thread-safe: the queue is; the pool, its permits and the counters are thread-safe.
 */
final class SharedQueueService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SharedQueueService.class);
    static final int MAX_WAITING = 512;
    static final int MAX_ACQUIRE = 10_000;

    private final RocksMq mq;
    private final int maxWaiting;
    private final long maxWaitMillis;
    /** One permit per acquire that may wait at once. */
    private final Semaphore waiting;
    private final LongAdder refused = new LongAdder();
    private final ExecutorService waiters;

    /**
     * At most {@code maxWaiting} acquires wait at once, each at most {@code maxWaitMillis} (the server's
     * defaults: {@link #MAX_WAITING} and {@link SharedQueueGrpc#MAX_ACQUIRE_WAIT_MILLIS}; tests set less).
     */
    SharedQueueService(RocksMq mq, int maxWaiting, long maxWaitMillis) {
        if (maxWaiting < 1 || maxWaitMillis < 1) {
            throw new InvalidArgumentException("shared acquire limits must be positive, were " + maxWaiting
                    + " waiting, " + maxWaitMillis + " ms");
        }
        this.mq = mq;
        this.maxWaiting = maxWaiting;
        this.maxWaitMillis = maxWaitMillis;
        this.waiting = new Semaphore(maxWaiting);
        AtomicInteger n = new AtomicInteger();
        // No thread limit (the permits bound the tasks) and no queue: each task starts at once, on an idle
        // thread or a new one, so a task is refused only once the pool is shut down.
        this.waiters = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "rocksmq-serve-shared-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Acquires waiting now (holding a permit). */
    int waitingAcquires() {
        return maxWaiting - waiting.availablePermits();
    }

    /** Acquires refused so far because {@link #MAX_WAITING} (or the limit given) were already waiting. */
    long refusedAcquires() {
        return refused.sum();
    }

    ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(SharedQueueGrpc.SERVICE)
                .addMethod(SharedQueueGrpc.OPEN_SHARED, ServerCalls.asyncUnaryCall(this::openShared))
                .addMethod(SharedQueueGrpc.ACQUIRE, ServerCalls.asyncUnaryCall(this::acquire))
                .addMethod(SharedQueueGrpc.ANSWER, ServerCalls.asyncUnaryCall(this::answer))
                .build();
    }

    /** Stops the waiting pool; acquires still waiting end by themselves within their bound. */
    @Override
    public void close() {
        waiters.shutdown();
    }

    // ------------------------------------------------------------------ calls

    private void openShared(OpenSharedRequest r, StreamObserver<Empty> responses) {
        run(responses, r.getTopic(), r.getSubscription(), () -> {
            CallContext.require(Permission.CONSUME, r.getTopic());
            SharedGroupOptions options = toOptions(r.getSettings());
            if (options.deadLetterTopic() != null) {
                CallContext.require(Permission.PRODUCE, options.deadLetterTopic());
            }
            boolean exists = mq.consumerGroupExists(r.getTopic(), r.getSubscription()); // checks both names
            mq.createTopic(r.getTopic());
            if (!exists) {
                try {
                    mq.createSharedGroup(r.getTopic(), r.getSubscription(), options);
                } catch (ConsumerGroupExistsException raced) {
                    // created meanwhile by another client: join it
                }
            }
            mq.sharedGroup(r.getTopic(), r.getSubscription()); // WrongGroupTypeException for a stream group
            return Empty.getDefaultInstance();
        });
    }

    private void acquire(AcquireRequest r, StreamObserver<AcquireResponse> responses) {
        SharedGroup group;
        List<SharedGroup.Delivery> ready;
        try {
            CallContext.require(Permission.CONSUME, r.getTopic());
            if (r.getMax() < 1 || r.getMax() > MAX_ACQUIRE) {
                throw new InvalidArgumentException("acquire max must be 1 to " + MAX_ACQUIRE + ", was "
                        + Integer.toUnsignedString(r.getMax())); // a uint32: above 2^31 it reads negative
            }
            group = mq.sharedGroup(r.getTopic(), r.getSubscription());
            // What is ready is answered at once, on this thread, whatever the timeout: only an acquire that
            // finds nothing needs a waiting place, so a full server never refuses one it could answer. An
            // acquire that then waits asks the group once more than before; a non-waiting one costs the same.
            ready = group.acquire(r.getMax(), Duration.ZERO);
        } catch (RuntimeException e) {
            fail(responses, e, r.getTopic(), r.getSubscription());
            return;
        }
        // A uint64: a timeout at or above 2^63 reads negative here, and means "as long as the server allows".
        Duration wait = Duration.ofMillis(Unsigned.atMost(r.getTimeoutMillis(), maxWaitMillis));
        if (!ready.isEmpty() || wait.isZero()) {
            run(responses, r.getTopic(), r.getSubscription(), () -> toResponse(ready));
            return;
        }
        if (!waiting.tryAcquire()) {
            refused.increment();
            fail(responses, new ServerBusyException(maxWaiting + " shared acquires are already waiting on this server;"
                    + " nothing was acquired, retry later"), r.getTopic(), r.getSubscription());
            return;
        }
        try {
            // The permit goes back once the wait is over, before the answer is sent: a worker that acquires
            // again as soon as it has the answer finds its place free.
            waiters.execute(() -> run(responses, r.getTopic(), r.getSubscription(), () -> {
                try {
                    return toResponse(group.acquire(r.getMax(), wait));
                } finally {
                    waiting.release();
                }
            }));
        } catch (RejectedExecutionException e) { // only once close() shut the pool down
            waiting.release();
            responses.onError(Status.UNAVAILABLE.withDescription("server is shutting down").asRuntimeException());
        }
    }

    private void answer(AnswerRequest r, StreamObserver<AnswerResponse> responses) {
        run(responses, r.getTopic(), r.getSubscription(), () -> {
            CallContext.require(Permission.CONSUME, r.getTopic());
            SharedGroup group = mq.sharedGroup(r.getTopic(), r.getSubscription());
            long id = r.getOffset();
            int attempt = r.getAttempt();
            long incarnation = r.getIncarnation(); // 0 (SharedGroup.ANY_INCARNATION) from older clients
            long deadline = 0;
            switch (r.getOutcome()) {
                case ACK -> group.ack(id, attempt, incarnation);
                case RELEASE -> group.release(id, attempt,
                        r.hasDelayMillis() ? millis("delay", r.getDelayMillis()) : null, incarnation);
                case REJECT -> group.reject(id, attempt, incarnation);
                case RENEW -> deadline = group.renew(id, attempt, incarnation);
                default -> throw new InvalidArgumentException("unknown answer outcome " + r.getOutcomeValue());
            }
            return AnswerResponse.newBuilder().setLockDeadlineMillis(deadline).build();
        });
    }

    // ------------------------------------------------------------------ mapping

    static SharedGroupOptions toOptions(SharedSettings s) {
        List<Duration> delays = new ArrayList<>(s.getRedeliveryDelaysMillisCount());
        for (long d : s.getRedeliveryDelaysMillisList()) {
            delays.add(millis("redelivery delay", d));
        }
        return new SharedGroupOptions(millis("lock duration", s.getLockDurationMillis()), s.getMaxDeliveries(),
                s.hasDeadLetterTopic() ? s.getDeadLetterTopic() : null, delays, s.getMaxInFlight());
    }

    private static Duration millis(String what, long ms) {
        if (ms < 0) {
            throw new InvalidArgumentException(what + " must not be negative, was " + ms + " ms");
        }
        return Duration.ofMillis(ms);
    }

    private static AcquireResponse toResponse(List<SharedGroup.Delivery> deliveries) {
        AcquireResponse.Builder b = AcquireResponse.newBuilder();
        for (SharedGroup.Delivery d : deliveries) {
            b.addDeliveries(SharedDelivery.newBuilder().setMessage(toWire(d.message())).setAttempt(d.attempt())
                    .setLockDeadlineMillis(d.lockDeadline()).setIncarnation(d.incarnation()));
        }
        return b.build();
    }

    /** As the embedded client reads a stored message: the key from its reserved property. */
    private static io.rocksmq.remote.proto.Message toWire(ConsumerMessage m) {
        Map<String, String> properties = m.properties();
        String key = properties.get(OutgoingMessage.KEY_PROPERTY);
        if (key != null) {
            properties = new HashMap<>(properties);
            properties.remove(OutgoingMessage.KEY_PROPERTY);
        }
        io.rocksmq.remote.proto.Message.Builder b = io.rocksmq.remote.proto.Message.newBuilder().setOffset(m.id())
                .setPayload(ByteString.copyFrom(m.payload())).putAllProperties(properties)
                .setPublishTime(m.publishTime());
        if (key != null) {
            b.setKey(key);
        }
        return b.build();
    }

    private interface Body<R> {
        R run();
    }

    private static <R> void run(StreamObserver<R> responses, String topic, String subscription, Body<R> body) {
        R response;
        try {
            response = body.run();
        } catch (RuntimeException e) {
            fail(responses, e, topic, subscription);
            return;
        }
        responses.onNext(response);
        responses.onCompleted();
    }

    private static void fail(StreamObserver<?> responses, RuntimeException e, String topic, String subscription) {
        if (e instanceof RocksMqException q) {
            responses.onError(RemoteErrors.toStatus(q, topic, subscription));
        } else if (e instanceof StatusRuntimeException s) {
            responses.onError(s);
        } else {
            LOG.error("shared-subscription call on '{}/{}' failed", topic, subscription, e);
            responses.onError(Status.INTERNAL.withDescription("internal error").asRuntimeException());
        }
    }
}
