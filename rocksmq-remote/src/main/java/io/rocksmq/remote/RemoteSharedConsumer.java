package io.rocksmq.remote;

import io.grpc.CallOptions;
import io.grpc.stub.ClientCalls;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.LockExpiredException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SharedSubscription;
import io.rocksmq.api.StaleDeliveryException;
import io.rocksmq.api.internals.AbstractSharedConsumer;
import io.rocksmq.remote.proto.AcquireRequest;
import io.rocksmq.remote.proto.AcquireResponse;
import io.rocksmq.remote.proto.AnswerRequest;
import io.rocksmq.remote.proto.OpenSharedRequest;
import io.rocksmq.remote.proto.SharedDelivery;
import io.rocksmq.remote.proto.SharedSettings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A consumer of a SHARED subscription over {@code rmq://}: the toolkit's {@link AbstractSharedConsumer} keeps
 * what it holds and runs the listener; this class acquires with the unary {@code SharedQueue.Acquire} (a
 * long poll of at most {@link SharedQueueGrpc#MAX_ACQUIRE_WAIT_MILLIS}, asked again until the caller's
 * timeout) and answers with {@code SharedQueue.Answer}, naming each delivery by its receipt (offset and
 * attempt, the message's {@link Message#deliveryCount()}), so the server's shared group fences every
 * answer exactly as in process. No read-ahead: what this consumer holds is locked to it.
 *
 * <p>Each delivery's receipt also names the incarnation of the subscription that handed it out (the
 * toolkit keeps it beside the held message), so that after the subscription was deleted and created again an
 * answer to the old one's delivery is refused, as in process.
 *
 * <p>A waiting acquire the server refuses because too many already wait ({@link ServerBusyException}) is
 * asked again after a jittered backoff ({@value #FIRST_BUSY_BACKOFF_MS} ms doubling to
 * {@value #MAX_BUSY_BACKOFF_MS} ms) while the caller's timeout lasts; the last request, at the timeout, does
 * not wait, and the server never refuses one that does not wait. So a poll on a busy server returns what
 * is there, or nothing, within its timeout, instead of failing.
 *
 * <p>Thread-safe: {@link #pending} is volatile (the acquire in flight, cancelled by {@link #wakeUp});
 * {@link #stopped} wakes a backoff in progress.
 */
final class RemoteSharedConsumer extends AbstractSharedConsumer<Long> {
    /**
     * A fencing error of the server ({@code StaleDeliveryException}, {@code LockExpiredException},
     * {@code DeliveryNotFoundException}) before this consumer rebuilds it with the receipt it sent.
     */
    static final class AnswerRefused extends RocksMqException {
        private static final long serialVersionUID = 1L;
        private final String type;

        AnswerRefused(String type, String message) {
            super(message);
            this.type = type;
        }
    }

    static final long FIRST_BUSY_BACKOFF_MS = 10;
    static final long MAX_BUSY_BACKOFF_MS = 500;

    private final RemoteMqClient client;
    private volatile Future<AcquireResponse> pending;
    private volatile boolean stopping;
    /** Counted down by {@link #wakeUp}: ends a backoff after a refused acquire at once. */
    private final CountDownLatch stopped = new CountDownLatch(1);

    private RemoteSharedConsumer(RemoteMqClient client, ConsumerOptions options) {
        super(options, "rocksmq-remote-shared-consumer");
        this.client = client;
    }

    /**
     * Creates the topic and the shared subscription on the server if needed (with the options' settings).
     *
     * @throws io.rocksmq.api.WrongGroupTypeException if the subscription is an EXCLUSIVE one
     */
    static RemoteSharedConsumer open(RemoteMqClient client, ConsumerOptions options) {
        client.call(SharedQueueGrpc.OPEN_SHARED, OpenSharedRequest.newBuilder().setTopic(options.topic())
                .setSubscription(options.subscription())
                .setSettings(toWire(options.shared().orElse(SharedSubscription.DEFAULTS))).build());
        return new RemoteSharedConsumer(client, options);
    }

    static SharedSettings toWire(SharedSubscription s) {
        SharedSettings.Builder b = SharedSettings.newBuilder().setLockDurationMillis(s.lockDuration().toMillis())
                .setMaxDeliveries(s.maxDeliveries()).setMaxInFlight(s.maxInFlight());
        if (s.deadLetterTopic() != null) {
            b.setDeadLetterTopic(s.deadLetterTopic());
        }
        for (Duration d : s.redeliveryDelays()) {
            b.addRedeliveryDelaysMillis(d.toMillis());
        }
        return b.build();
    }

    @Override
    public Optional<MessageId> latestMessageId() {
        checkUsable();
        return client.latestMessageId(topic());
    }

    // ------------------------------------------------------------------ hooks

    @Override
    protected List<Held<Long>> acquire(int max, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long busyBackoffMs = FIRST_BUSY_BACKOFF_MS;
        while (true) {
            if (stopping) {
                throw closedException();
            }
            long leftMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            long waitMs = Math.min(leftMs, SharedQueueGrpc.MAX_ACQUIRE_WAIT_MILLIS);
            AcquireRequest request = AcquireRequest.newBuilder().setTopic(topic()).setSubscription(subscription())
                    .setMax(max).setTimeoutMillis(waitMs).build();
            CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(
                    waitMs + client.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
            Future<AcquireResponse> call = ClientCalls.futureUnaryCall(
                    client.channel().newCall(SharedQueueGrpc.ACQUIRE, options), request);
            pending = call;
            if (stopping) { // closed between the check and publishing the call: wakeUp may have missed it
                call.cancel(true);
            }
            AcquireResponse response;
            try {
                response = call.get();
            } catch (CancellationException e) {
                throw closedException();
            } catch (InterruptedException e) {
                call.cancel(true);
                Thread.currentThread().interrupt();
                return List.of();
            } catch (ExecutionException e) {
                if (stopping) {
                    throw closedException();
                }
                RocksMqException error = RemoteErrors.fromStatus(e.getCause());
                if (!(error instanceof ServerBusyException) || waitMs == 0) {
                    throw error; // a busy server never refuses an acquire that does not wait; if one did, say so
                }
                if (!backOff(busyBackoffMs, deadline)) {
                    return List.of(); // interrupted
                }
                busyBackoffMs = Math.min(MAX_BUSY_BACKOFF_MS, busyBackoffMs * 2);
                continue;
            } finally {
                pending = null;
            }
            if (response.getDeliveriesCount() > 0 || System.nanoTime() - deadline >= 0) {
                List<Held<Long>> out = new ArrayList<>(response.getDeliveriesCount());
                for (SharedDelivery d : response.getDeliveriesList()) {
                    Message m = Wire.decode(topic(), d.getMessage());
                    out.add(new Held<>(new Message(m.topic(), m.id(), m.payload(), m.properties(),
                            m.key().orElse(null), m.publishTime(), d.getAttempt()), d.getIncarnation()));
                }
                return out;
            }
        }
    }

    @Override
    protected void settle(Held<Long> delivery, Outcome outcome, Duration delay) {
        AnswerRequest.Builder b = receipt(delivery).setOutcome(switch (outcome) {
            case ACK -> AnswerRequest.Outcome.ACK;
            case RELEASE -> AnswerRequest.Outcome.RELEASE;
            case REJECT -> AnswerRequest.Outcome.REJECT;
        });
        if (outcome == Outcome.RELEASE && delay != null) {
            b.setDelayMillis(delay.toMillis());
        }
        answer(delivery.message(), b.build());
    }

    @Override
    protected long renewLock(Held<Long> delivery) {
        return answer(delivery.message(), receipt(delivery).setOutcome(AnswerRequest.Outcome.RENEW).build());
    }

    @Override
    protected void wakeUp() {
        stopping = true;
        stopped.countDown();
        Future<AcquireResponse> call = pending;
        if (call != null) {
            call.cancel(true);
        }
    }

    @Override
    protected void closeBackend() {
        client.consumerClosed(this);
    }

    @Override
    protected void checkId(MessageId id) {
        super.checkId(id);
        if (id.partition() != Wire.PARTITION) {
            throw new InvalidArgumentException("a served topic has only partition " + Wire.PARTITION
                    + ", got message id " + id);
        }
    }

    // ------------------------------------------------------------------ internals

    /**
     * Waits a jittered {@code backoffMs} (between half and all of it), but not past {@code deadline}, or
     * until {@link #wakeUp}. False if interrupted (the interrupt is kept).
     */
    private boolean backOff(long backoffMs, long deadline) {
        long jittered = backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
        long sleepNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(jittered), deadline - System.nanoTime());
        if (sleepNanos <= 0) {
            return true;
        }
        try {
            stopped.await(sleepNanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The answer naming {@code delivery}: offset, attempt and the incarnation that handed it out. */
    private AnswerRequest.Builder receipt(Held<Long> delivery) {
        Message m = delivery.message();
        return AnswerRequest.newBuilder().setTopic(topic()).setSubscription(subscription())
                .setOffset(m.id().offset()).setAttempt(m.deliveryCount()).setIncarnation(delivery.receipt());
    }

    private long answer(Message delivery, AnswerRequest request) {
        try {
            return client.call(SharedQueueGrpc.ANSWER, request).getLockDeadlineMillis();
        } catch (AnswerRefused e) {
            long id = delivery.id().offset();
            int attempt = delivery.deliveryCount();
            throw switch (e.type) {
                case "StaleDeliveryException" -> new StaleDeliveryException(subscription(), id, attempt, -1,
                        "refused by the server: " + e.getMessage());
                case "LockExpiredException" -> new LockExpiredException(subscription(), id, attempt);
                default -> new DeliveryNotFoundException(subscription(), id, "refused by the server: " + e.getMessage());
            };
        }
    }
}
