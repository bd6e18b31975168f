package io.rocksmq.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SubscriptionInUseException;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.api.WrongGroupTypeException;
import io.rocksmq.api.internals.AckRing;
import io.rocksmq.core.AwaitResult;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.ConsumerRegistration;
import io.rocksmq.core.RocksMq;
import io.rocksmq.remote.RemoteErrors;
import io.rocksmq.remote.proto.InitialPosition;
import io.rocksmq.remote.proto.PackedMessages;
import io.rocksmq.remote.proto.SubscribeRequest;
import io.rocksmq.remote.proto.SubscribeResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@code Subscribe} stream, read straight from the queue: a consumer group of the {@link RocksMq} is
 * the subscription, and one reader thread per stream reads the group's messages with {@link RocksMq#read}
 * and writes each batch read as one delivery. There is no embedded consumer, read-ahead buffer or pump
 * between storage and the wire: a read happens only when the client has credit and the transport takes
 * more, and what it read is sent by the same thread.
 *
 * <h2>States</h2>
 * NEW (no {@code open} yet) → OPEN (group registered, reader running) → ENDED. {@link #lock} guards
 * {@link #credit}, {@link #generation}, {@link #epoch}, {@link #ended}, the {@link AckRing} {@link #acks}
 * (whose {@code next()} is the read cursor) and {@link #committed}; it is held across commits (two
 * acknowledgements never write the position out of order) and across the send of a delivery, so a
 * delivery and a seek's reply leave in the order their state changes happened. {@link #changed} is
 * signalled when credit arrives, the transport becomes ready, a seek moves the cursor, or the session
 * ends. The reader reads storage without the lock; a seek in between bumps {@link #epoch} and the read is
 * dropped, never sent.
 *
 * <h2>Wake-ups</h2>
 * With credit and nothing new in storage the reader parks in {@link ConsumerRegistration#await}, which a
 * produce to the topic, a seek of the group (every commit is one) or {@link #end} ends at once; without
 * credit, or while gRPC says the transport is full ({@code isReady}), it waits on {@link #changed}.
 *
 * <h2>Memory</h2>
 * A read asks for at most the credit left, {@link #MAX_BATCH} messages and about {@link #MAX_DELIVERY_BYTES}
 * of payload (from the average payload of the previous read; the first read assumes large ones), and
 * happens only while the transport is ready: a client that grants nothing, or does not read, holds at
 * most one delivery in the server beyond what HTTP/2 flow control lets through.
 *
 * <h2>Authorisation</h2>
 * The token is checked at open, on every ack and seek, and by the reader before each delivery (in the
 * call's context: the token store answers as the file says now), so a token revoked while the stream is
 * open ends it with UNAUTHENTICATED (PERMISSION_DENIED if only the grant went) before anything more is
 * sent.
 *
 * <h2>Acknowledgement</h2>
 * As the embedded consumer: the {@link AckRing} applies the rules, and an acknowledgement that moves its
 * position commits it with {@link RocksMq#seek}. Unacknowledged messages are read again by the next
 * stream of the subscription (at-least-once).
 *
 * <p>Thread-safe: requests arrive on gRPC's threads one at a time; the reader is the only other thread.
 */
final class SubscriptionSession implements StreamObserver<SubscribeRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionSession.class);
    /** Most messages one delivery carries. */
    static final int MAX_BATCH = 500;
    /** About the most payload bytes one read (and delivery) holds; a larger single message goes alone. */
    static final int MAX_DELIVERY_BYTES = 1 << 20;
    /** The payload size the first read assumes: small batches until the real sizes are known. */
    private static final int FIRST_GUESS_PAYLOAD = 64 << 10;
    /** How long one await parks; a timeout only parks again (it carries no news). */
    private static final Duration PARK = Duration.ofMinutes(10);

    private final RocksMq mq;
    private final ServerCallStreamObserver<SubscribeResponse> responses;
    private final String peer;
    private final ServerMetrics metrics;
    private final ConcurrentMap<String, SubscriptionSession> claims;
    private final java.util.function.Consumer<SubscriptionSession> onEnd;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private AckRing acks;
    private long committed;
    private long credit;
    private long generation;
    /** Bumped by every seek: a read that started before it is dropped. */
    private long epoch;
    private boolean ended;
    private boolean opened;
    private ConsumerRegistration registration;
    private Thread reader;
    private String claim;
    private String topic = "";
    private String subscription = "";
    /** The client reads packed deliveries (set at open). */
    private boolean packed;
    /** The Subscribe call's context (its token), for the reader's permission check before each delivery. */
    private io.grpc.Context callContext;
    /** Average payload bytes of the previous read (reader thread only). */
    private int averagePayload = FIRST_GUESS_PAYLOAD;

    /**
     * @param claims the subscriptions with an open stream, by {@code topic\0subscription}: one stream per
     *               subscription, as one embedded consumer per subscription
     */
    SubscriptionSession(RocksMq mq, StreamObserver<SubscribeResponse> responses, String peer, ServerMetrics metrics,
                        ConcurrentMap<String, SubscriptionSession> claims,
                        java.util.function.Consumer<SubscriptionSession> onEnd) {
        this.mq = mq;
        this.responses = (ServerCallStreamObserver<SubscribeResponse>) responses;
        this.peer = peer;
        this.metrics = metrics;
        this.claims = claims;
        this.onEnd = onEnd;
        this.responses.setOnReadyHandler(this::signal);
        this.responses.setOnCancelHandler(() -> end(null));
    }

    @Override
    public void onNext(SubscribeRequest r) {
        try {
            if (r.getKindCase() != SubscribeRequest.KindCase.OPEN) {
                requireOpen(); // anything before 'open' ends the stream, not just that request
            }
            switch (r.getKindCase()) {
                case OPEN -> open(r.getOpen());
                case FLOW -> flow(r.getFlow().getCredit());
                case ACK -> reply(r.getRequestId(), () -> ack(r.getAck()));
                case SEEK -> reply(r.getRequestId(), () -> seek(r.getSeek()));
                default -> throw new InvalidArgumentException("a subscribe request must be open, flow, ack or seek");
            }
        } catch (RocksMqException e) {
            end(RemoteErrors.toStatus(e, topic, subscription));
        } catch (io.grpc.StatusRuntimeException e) {
            end(e); // permission denied
        } catch (RuntimeException e) {
            LOG.error("subscription stream of {} failed", peer, e);
            end(Status.INTERNAL.withDescription("internal error").asRuntimeException());
        }
    }

    // ------------------------------------------------------------------ requests (gRPC's threads)

    private void open(SubscribeRequest.Open open) {
        lock.lock();
        try {
            if (opened || ended) {
                throw new InvalidArgumentException("'open' must be the first request of a subscribe stream, and only once");
            }
            opened = true;
            topic = open.getTopic();
            subscription = open.getSubscription();
            // checks the names as the client API does, before anything is created
            ConsumerOptions.builder(topic, subscription).build();
            CallContext.require(Permission.CONSUME, topic);
            callContext = io.grpc.Context.current();
            String key = topic + '\0' + subscription;
            if (claims.putIfAbsent(key, this) != null) {
                throw new SubscriptionInUseException(topic, subscription);
            }
            claim = key;
            registration = register(open.getInitialPosition() == InitialPosition.EARLIEST);
            long position = mq.position(topic, subscription);
            acks = new AckRing(position);
            committed = position;
            credit = open.getCredit();
            generation = open.getGeneration();
            packed = open.getPacked();
            reader = new Thread(this::read, "rocksmq-serve-" + topic + "/" + subscription);
            reader.setDaemon(true);
        } finally {
            lock.unlock();
        }
        LOG.info("subscribe topic={} subscription={} by={} peer={}", topic, subscription, CallContext.principal(), peer);
        send(SubscribeResponse.newBuilder().setOpened(SubscribeResponse.Opened.getDefaultInstance()).build());
        metrics.subscriptionOpened();
        reader.start();
    }

    /**
     * Creates the topic and the group if needed (a new group at the initial position) and registers for
     * wake-ups before the position is read: any produce after this point wakes the reader.
     */
    private ConsumerRegistration register(boolean earliest) {
        boolean exists = mq.consumerGroupExists(topic, subscription);
        if (exists) {
            requireStreamGroup();
        }
        mq.createTopic(topic);
        boolean created = false;
        if (!exists) {
            try {
                mq.createConsumerGroup(topic, subscription);
                created = true;
            } catch (ConsumerGroupExistsException raced) {
                // created meanwhile through the broker-level API: it is an existing subscription
            }
        }
        if (created && !earliest) {
            mq.seekToLatest(topic, subscription);
        }
        return mq.registerConsumer(topic, subscription);
    }

    /** Refuses a stream of a subscription that exists as a SHARED one. */
    private void requireStreamGroup() {
        try {
            mq.sharedGroup(topic, subscription);
        } catch (WrongGroupTypeException | ConsumerGroupNotFoundException stream) {
            return; // a stream group (or deleted meanwhile: created anew as a stream group)
        }
        throw new WrongGroupTypeException(topic, subscription, true);
    }

    private void requireOpen() {
        lock.lock();
        try {
            if (!opened) {
                throw new InvalidArgumentException("'open' must be the first request of a subscribe stream");
            }
        } finally {
            lock.unlock();
        }
    }

    private void flow(long more) {
        lock.lock();
        try {
            credit = Math.min(Integer.MAX_VALUE, credit + more);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void ack(SubscribeRequest.Ack ack) {
        CallContext.require(Permission.CONSUME, topic);
        lock.lock();
        try {
            requireUsable();
            boolean moved = ack.getCumulative() ? acks.ackUpTo(ack.getOffset()) : acks.ack(ack.getOffset());
            if (moved) {
                commitLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    private void seek(SubscribeRequest.Seek seek) {
        CallContext.require(Permission.CONSUME, topic);
        lock.lock();
        try {
            requireUsable();
            long target = switch (seek.getTargetCase()) {
                case OFFSET -> {
                    long offset = seek.getOffset();
                    long wanted = seek.getInclusive() || offset == Long.MAX_VALUE ? offset : offset + 1;
                    // past the end means "after the newest": the next message produced must be delivered
                    yield Math.min(wanted, Math.max(mq.latestMessageId(topic) + 1, 0));
                }
                case TIMESTAMP -> mq.messageIdAtOrAfter(topic, seek.getTimestamp());
                default -> throw new InvalidArgumentException("a seek needs an offset or a timestamp");
            };
            mq.seek(topic, subscription, target); // also wakes the reader if it waits for messages
            acks.reset(target);
            committed = target;
            epoch++;
            generation = seek.getGeneration();
            credit = seek.getCredit();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Under {@link #lock}. */
    private void requireUsable() {
        if (ended) {
            throw new QueueClosedException("the subscription stream of '" + topic + "/" + subscription + "' ended");
        }
    }

    /** Under {@link #lock}: persists the first unacknowledged id if it moved forward. */
    private void commitLocked() {
        long target = acks.position();
        if (target > committed) {
            mq.seek(topic, subscription, target);
            committed = target;
        }
    }

    private void reply(long requestId, Runnable action) {
        SubscribeResponse.Reply.Builder reply = SubscribeResponse.Reply.newBuilder().setRequestId(requestId);
        try {
            action.run();
        } catch (RocksMqException e) {
            reply.setError(RemoteErrors.toError(e, topic, subscription));
        }
        send(SubscribeResponse.newBuilder().setReply(reply).build());
    }

    @Override
    public void onError(Throwable t) {
        end(null); // the client went away: nothing to tell it
    }

    @Override
    public void onCompleted() {
        end(null);
        synchronized (responses) {
            try {
                responses.onCompleted();
            } catch (RuntimeException e) {
                // already cancelled
            }
        }
    }

    /** Ends the session once: stops the reader; unacknowledged messages go to the subscription's next stream. */
    void end(RuntimeException status) {
        Thread r;
        ConsumerRegistration reg;
        lock.lock();
        try {
            if (ended) {
                return;
            }
            ended = true;
            r = reader;
            reg = registration;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        onEnd.accept(this);
        if (reg != null) {
            reg.close(); // ends the reader's await
        }
        if (r != null && r != Thread.currentThread()) {
            io.rocksmq.api.internals.Threads.joinUninterruptibly(r);
        }
        if (claim != null) {
            claims.remove(claim, this);
        }
        if (reg != null) {
            metrics.subscriptionClosed();
        }
        if (status != null) {
            synchronized (responses) {
                try {
                    responses.onError(status);
                } catch (RuntimeException e) {
                    // already cancelled
                }
            }
        }
        if (reg != null) {
            LOG.info("subscription ended topic={} subscription={} peer={}{}", topic, subscription, peer,
                    status == null ? "" : " status=" + Status.fromThrowable(status).getCode());
        }
    }

    /** Ends the session for a server shutdown. */
    void shutdown() {
        end(Status.UNAVAILABLE.withDescription("server shutting down").asRuntimeException());
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void send(SubscribeResponse r) {
        synchronized (responses) {
            responses.onNext(r);
        }
    }

    // ------------------------------------------------------------------ the reader thread

    private void read() {
        try {
            while (true) {
                long from;
                long readEpoch;
                int want;
                lock.lock();
                try {
                    while (!ended && (credit == 0 || !responses.isReady())) {
                        changed.awaitUninterruptibly();
                    }
                    if (ended) {
                        return;
                    }
                    from = acks.next();
                    readEpoch = epoch;
                    want = (int) Math.min(Math.min(credit, MAX_BATCH), Math.max(1, MAX_DELIVERY_BYTES / averagePayload));
                } finally {
                    lock.unlock();
                }
                List<ConsumerMessage> batch = mq.read(topic, from, want);
                if (batch.isEmpty()) {
                    if (!awaitMessages()) {
                        return;
                    }
                    continue;
                }
                int n = fitting(batch);
                if (n < batch.size()) {
                    batch = batch.subList(0, n);
                }
                // The token is checked again before each delivery: a stream lives long, and a token revoked
                // (or a grant withdrawn) since it opened must not keep receiving.
                callContext.run(() -> CallContext.require(Permission.CONSUME, topic));
                deliver(readEpoch, batch);
            }
        } catch (RocksMqException e) {
            endFromReader(RemoteErrors.toStatus(e, topic, subscription));
        } catch (io.grpc.StatusRuntimeException e) {
            end(e); // the token was revoked or lost the permission
        } catch (RuntimeException e) {
            LOG.error("delivery of '{}/{}' to {} failed", topic, subscription, peer, e);
            end(Status.INTERNAL.withDescription("internal error").asRuntimeException());
        }
    }

    /** The messages of {@code batch} within {@link #MAX_DELIVERY_BYTES} (at least one); learns their size. */
    private int fitting(List<ConsumerMessage> batch) {
        long bytes = 0;
        int n = 0;
        for (ConsumerMessage m : batch) {
            if (n > 0 && bytes + m.payloadSize() > MAX_DELIVERY_BYTES) {
                break;
            }
            bytes += m.payloadSize();
            n++;
        }
        averagePayload = (int) Math.max(1, Math.min(FIRST_GUESS_PAYLOAD, bytes / n));
        return n;
    }

    /** Waits for news in storage; false once the registration ended (the session ends then). */
    private boolean awaitMessages() {
        AwaitResult r;
        do {
            r = registration.await(PARK);
        } while (r == AwaitResult.TIMED_OUT);
        if (!r.isTerminal()) {
            return true;
        }
        switch (r) {
            case QUEUE_CLOSED -> endFromReader(RemoteErrors.toStatus(
                    new QueueClosedException("the queue of topic '" + topic + "' was closed"), topic, subscription));
            case GROUP_DESTROYED -> {
                boolean topicGone;
                try {
                    topicGone = !mq.topicExists(topic);
                } catch (RocksMqException e) {
                    topicGone = false;
                }
                RocksMqException gone = topicGone ? new TopicNotFoundException(topic)
                        : new ConsumerGroupNotFoundException(topic, subscription);
                endFromReader(RemoteErrors.toStatus(gone, topic, subscription));
            }
            default -> {
                // UNREGISTERED: end() did it
            }
        }
        return false;
    }

    /** Ends the session with {@code status} unless it ended already (then the error is the ending's doing). */
    private void endFromReader(RuntimeException status) {
        boolean mine;
        lock.lock();
        try {
            mine = !ended;
        } finally {
            lock.unlock();
        }
        if (mine) {
            end(status);
        }
    }

    /** Sends {@code batch} as one delivery unless a seek or the end came since it was read. */
    private void deliver(long readEpoch, List<ConsumerMessage> batch) {
        SubscribeResponse.Delivery.Builder d = SubscribeResponse.Delivery.newBuilder();
        boolean plain = packed && allPlain(batch);
        if (plain) {
            d.setPacked(pack(batch));
        } else {
            for (ConsumerMessage m : batch) {
                d.addMessages(encode(m));
            }
        }
        lock.lock();
        try {
            if (ended || readEpoch != epoch) {
                return; // read before a seek: the reader reads again from where the seek put it
            }
            for (ConsumerMessage m : batch) {
                acks.read(m.id());
                acks.delivered(m.id());
            }
            credit -= batch.size();
            send(SubscribeResponse.newBuilder().setDelivery(d.setGeneration(generation)).build());
        } finally {
            lock.unlock();
        }
        metrics.delivered(batch.size());
    }

    private static boolean allPlain(List<ConsumerMessage> batch) {
        for (ConsumerMessage m : batch) {
            if (!m.properties().isEmpty()) { // a key is a property in storage
                return false;
            }
        }
        return true;
    }

    /** The packed columns of messages without properties or key: the payloads copied once, side by side. */
    static PackedMessages pack(List<ConsumerMessage> batch) {
        int bytes = 0;
        for (ConsumerMessage m : batch) {
            bytes = Math.addExact(bytes, m.payloadSize());
        }
        byte[] payloads = new byte[bytes];
        PackedMessages.Builder b = PackedMessages.newBuilder();
        int at = 0;
        for (ConsumerMessage m : batch) {
            ByteBuffer p = m.payloadBuffer();
            int size = p.remaining();
            p.get(payloads, at, size);
            at += size;
            b.addOffsets(m.id()).addPublishTimes(m.publishTime()).addPayloadSizes(size);
        }
        // the array is never written again: wrapping it saves a copy of every payload
        return b.setPayloads(UnsafeByteOperations.unsafeWrap(payloads)).build();
    }

    /** One message in full: the stored key property becomes the key again. */
    static io.rocksmq.remote.proto.Message encode(ConsumerMessage m) {
        Map<String, String> properties = m.properties();
        String key = properties.get(OutgoingMessage.KEY_PROPERTY);
        if (key != null) {
            properties = new HashMap<>(properties);
            properties.remove(OutgoingMessage.KEY_PROPERTY);
        }
        io.rocksmq.remote.proto.Message.Builder b = io.rocksmq.remote.proto.Message.newBuilder()
                .setOffset(m.id())
                .setPayload(ByteString.copyFrom(m.payloadBuffer()))
                .putAllProperties(properties)
                .setPublishTime(m.publishTime());
        if (key != null) {
            b.setKey(key);
        }
        return b.build();
    }
}
