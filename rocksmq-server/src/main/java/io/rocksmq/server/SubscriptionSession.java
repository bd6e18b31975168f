package io.rocksmq.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.api.internals.BytePoll;
import io.rocksmq.api.internals.ReceiveBuffer;
import io.rocksmq.remote.RemoteErrors;
import io.rocksmq.remote.ServerBusyException;
import io.rocksmq.remote.Wire;
import io.rocksmq.remote.proto.InitialPosition;
import io.rocksmq.remote.proto.PackedMessages;
import io.rocksmq.remote.proto.SubscribeRequest;
import io.rocksmq.remote.proto.SubscribeResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@code Subscribe} stream: an embedded consumer of the subscription, and a pump thread that pushes
 * what the client granted credit for. A {@code flow} request that finds the pump idle (waiting for credit)
 * sends what the embedded consumer already holds itself, on the request's thread, without waiting for
 * messages, then wakes the pump: a reader that keeps up gets its next delivery one thread hand-off sooner.
 *
 * <h2>States</h2>
 * NEW (no {@code open} yet) → OPEN (embedded consumer subscribed, pump running) → ENDED. {@link #lock}
 * guards {@link #credit}, {@link #generation}, {@link #ended} and {@link #consumer}; {@link #changed} is
 * signalled when credit arrives, the transport becomes ready, or the session ends. Whoever polls the
 * embedded consumer and sends the result holds {@link #pollLock}: the pump, or a {@code flow} request
 * that got it with {@code tryLock} (never waiting for it, nor for messages); a seek takes it too, so a
 * batch read before a seek is always sent with the generation of before the seek. To make a seek wait only
 * for a batch in progress, not for a poll waiting for messages, the seek counts itself in
 * {@link #seeksWaiting} (the pump starts no poll while it is not zero) and interrupts the pump (an
 * interrupted poll returns at once, empty).
 *
 * <h2>Memory</h2>
 * The pump polls at most the credit left, and only while gRPC says the transport can take more
 * ({@code isReady}): a client that grants nothing, or does not read, holds at most one batch in the
 * server, plus the embedded consumer's read-ahead. Both are bounded in messages ({@link #MAX_BATCH},
 * {@link #READ_AHEAD}) and in payload bytes: the session's budget ({@code rmq serve
 * --session-buffer-size}, {@link RmqServer.Builder#sessionBufferBytes}) goes half to the read-ahead
 * ({@code receiveBufferBytes}) and half to one poll ({@link BytePoll}), so a session holds about its budget
 * whatever the message sizes (each half may hold one larger message instead, alone). A delivery taken by a
 * poll goes to gRPC's outbound buffer, and the pump polls again only once gRPC is ready.
 *
 * <p>The budget is reserved from the server's ({@link ServerBufferBudget}, {@code --server-buffer-size}) at
 * {@code open}, after the permission check and before the embedded consumer is created: the full session
 * buffer, or what the server has left down to its floor, or nothing, and then the open fails with
 * {@link ServerBusyException} (RESOURCE_EXHAUSTED) having changed nothing. {@link #reservation} (under
 * {@link #lock}) holds what was reserved; {@link #end} takes it and gives it back, once, after the embedded
 * consumer is closed: every way a session ends (cancel, error, completion, a failed open, server shutdown)
 * goes through {@code end}, and {@link #ended} makes it run once.
 *
 * <h2>Byte credit</h2>
 * A client that opens with {@code credit_bytes} grants payload bytes besides messages: {@link #creditBytes}
 * (under {@link #lock}) goes down by each delivery's payload bytes and up by each {@code flow}'s, a seek
 * replaces it, and the pump polls only while it is positive, for at most that many bytes (but always one
 * message): so the client receives less than one message beyond what it granted. A client without it
 * ({@link #creditBytes} is {@code Long.MAX_VALUE}) is bounded by its message credit only. Credits arrive
 * as unsigned protobuf integers ({@code uint32} messages, {@code uint64} bytes) and are read unsigned
 * ({@link Unsigned}): a client granting the largest value gets the most the session holds
 * ({@link #MOST_MESSAGE_CREDIT}, {@link #MOST_BYTE_CREDIT}), never a negative credit that stalls it.
 *
 * <h2>Authorisation</h2>
 * The token is checked at open, on every ack and seek, and by the pump before each delivery (in the call's
 * context: the token store answers as the file says now), so a token revoked while the stream is open
 * ends it with UNAUTHENTICATED (PERMISSION_DENIED if only the grant went) before anything more is sent.
 *
 * <p>Thread-safe: requests arrive on gRPC's threads one at a time (so a flow's delivery never overlaps a
 * seek); the pump is the only other thread. Deliveries are sent under {@link #pollLock}, in poll order.
 */
final class SubscriptionSession implements StreamObserver<SubscribeRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionSession.class);
    /** Most messages one poll of the embedded consumer takes for a delivery. */
    static final int MAX_BATCH = 500;
    /**
     * The embedded consumer's read-ahead buffer. 2 000 (with batches of 2 000) cut CPU a message on a
     * busy machine but lowered W4's rate on an idle one in 3 of 3 alternating runs ("Served read, round
     * four" in BENCHMARKS.md), and holds four times the messages for a client that grants nothing: kept at 500.
     */
    static final int READ_AHEAD = 500;
    /**
     * Payload bytes after which a poll's messages are cut into another delivery, so one gRPC message stays
     * far below protobuf's 2 GiB limit whatever the message sizes (a single larger message goes alone).
     */
    static final int MAX_DELIVERY_BYTES = 4 << 20;
    /** The most message credit a session holds; a client granting more (up to a uint32's 2^32-1) gets this. */
    static final long MOST_MESSAGE_CREDIT = Integer.MAX_VALUE;
    /**
     * The most byte credit a session holds, one below {@code Long.MAX_VALUE}, which {@link #creditBytes}
     * reserves for "no byte credit"; a client granting more (up to a uint64's 2^64-1) gets this.
     */
    static final long MOST_BYTE_CREDIT = Long.MAX_VALUE - 1;
    /** How long one poll waits for a message before the pump looks at its state again. */
    private static final Duration POLL_WAIT = Duration.ofSeconds(5);

    private final MqClient queue;
    private final ServerCallStreamObserver<SubscribeResponse> responses;
    private final String peer;
    private final ServerMetrics metrics;
    private final java.util.function.Consumer<SubscriptionSession> onEnd;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Fair: a waiting seek gets it before the pump takes it again. */
    private final ReentrantLock pollLock = new ReentrantLock(true);
    /** Seeks waiting for {@link #pollLock}: the pump does not start a poll while there are any. */
    private final java.util.concurrent.atomic.AtomicInteger seeksWaiting = new java.util.concurrent.atomic.AtomicInteger();
    private Consumer consumer;
    private long credit;
    /** Payload bytes granted and not yet used; {@code Long.MAX_VALUE} if the client grants no byte credit. */
    private long creditBytes = Long.MAX_VALUE;
    /** The buffer this session asks the server's budget for. */
    private final long sessionBufferBytes;
    private final ServerBufferBudget budget;
    /** What this session reserved of {@link #budget} (0 before open and after end). */
    private long reservation;
    /** Most payload bytes one poll takes: half the reservation (set at open). */
    private long pollBytes;
    /** The embedded consumer's read-ahead, in payload bytes: the other half (set at open). */
    private long readAheadBytes;
    private long generation;
    private boolean ended;
    private Thread pump;
    private String topic = "";
    private String subscription = "";
    /** The client reads packed deliveries (set at open, read by the pump). */
    private volatile boolean packed;
    /** The Subscribe call's context (its token), for the pump's permission check before each delivery. */
    private io.grpc.Context callContext;

    /**
     * @param bufferBytes the session's budget in payload bytes (at least 2): half read ahead, half polled
     * @param budget      the server's budget, which {@code bufferBytes} (or less) is reserved from at open
     */
    SubscriptionSession(MqClient queue, StreamObserver<SubscribeResponse> responses, String peer, ServerMetrics metrics,
                        long bufferBytes, ServerBufferBudget budget, java.util.function.Consumer<SubscriptionSession> onEnd) {
        this.sessionBufferBytes = bufferBytes;
        this.budget = budget;
        this.onEnd = onEnd;
        this.queue = queue;
        this.responses = (ServerCallStreamObserver<SubscribeResponse>) responses;
        this.peer = peer;
        this.metrics = metrics;
        this.responses.setOnReadyHandler(this::signal);
        this.responses.setOnCancelHandler(() -> end(null));
    }

    @Override
    public void onNext(SubscribeRequest r) {
        try {
            if (r.getKindCase() != SubscribeRequest.KindCase.OPEN) {
                openConsumer(); // anything before 'open' ends the stream, not just that request
            }
            switch (r.getKindCase()) {
                case OPEN -> open(r.getOpen());
                case FLOW -> flow(r.getFlow().getCredit(), r.getFlow().getCreditBytes());
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

    private void open(SubscribeRequest.Open open) {
        lock.lock();
        try {
            if (consumer != null || ended) {
                throw new InvalidArgumentException("'open' must be the first request of a subscribe stream, and only once");
            }
            topic = open.getTopic();
            subscription = open.getSubscription();
            CallContext.require(Permission.CONSUME, topic);
            callContext = io.grpc.Context.current();
            // Before the consumer exists: a refusal leaves no group created and no position moved.
            long granted = budget.reserve(sessionBufferBytes);
            if (granted == 0) {
                long reserved = budget.reserved();
                LOG.warn("subscribe refused topic={} subscription={} by={} peer={}: server buffer budget used up"
                                + " (reservedBytes={} serverBufferBytes={} floorBytes={})", topic, subscription,
                        CallContext.principal(), peer, reserved, budget.budget(), budget.floor());
                throw new ServerBusyException("the server's subscription buffer budget is used up: open subscriptions"
                        + " have reserved " + reserved + " of its " + budget.budget() + " bytes, less than the "
                        + Math.min(budget.floor(), sessionBufferBytes) + " a subscription needs are left; retry when"
                        + " another subscription ends (the server's --server-buffer-size)");
            }
            reservation = granted; // from here on, end() gives it back
            readAheadBytes = Math.max(1, granted / 2);
            pollBytes = Math.max(1, granted - readAheadBytes);
            consumer = queue.subscribe(ConsumerOptions.builder(open.getTopic(), open.getSubscription())
                    .initialPosition(open.getInitialPosition() == InitialPosition.EARLIEST
                            ? SubscriptionInitialPosition.EARLIEST : SubscriptionInitialPosition.LATEST)
                    .receiveBufferSize(READ_AHEAD)
                    .receiveBufferBytes(readAheadBytes)
                    .build());
            credit = messageCredit(open.getCredit());
            creditBytes = open.getCreditBytes() != 0 ? Unsigned.atMost(open.getCreditBytes(), MOST_BYTE_CREDIT)
                    : Long.MAX_VALUE;
            generation = open.getGeneration();
            packed = open.getPacked();
            pump = new Thread(this::pump, "rocksmq-serve-" + open.getTopic() + "/" + open.getSubscription());
            pump.setDaemon(true);
        } finally {
            lock.unlock();
        }
        LOG.info("subscribe topic={} subscription={} by={} peer={}", topic, subscription, CallContext.principal(), peer);
        send(SubscribeResponse.newBuilder().setOpened(SubscribeResponse.Opened.getDefaultInstance()).build());
        metrics.subscriptionOpened();
        pump.start();
    }

    private Consumer openConsumer() {
        lock.lock();
        try {
            if (consumer == null) {
                throw new InvalidArgumentException("'open' must be the first request of a subscribe stream");
            }
            return consumer;
        } finally {
            lock.unlock();
        }
    }

    /** {@code more} and {@code moreBytes} as on the wire: a uint32 and a uint64. */
    private void flow(int more, long moreBytes) {
        Consumer c = openConsumer();
        lock.lock();
        try {
            credit = Unsigned.plusAtMost(credit, Integer.toUnsignedLong(more), MOST_MESSAGE_CREDIT);
            if (creditBytes != Long.MAX_VALUE) {
                creditBytes = Unsigned.plusAtMost(creditBytes, moreBytes, MOST_BYTE_CREDIT);
            }
        } finally {
            lock.unlock();
        }
        try {
            deliverReadyNow(c);
        } finally {
            signal(); // the pump goes on from here (and waits for what was not there yet)
        }
    }

    /**
     * Sends, on this request's thread, what the embedded consumer already holds for the credit that just
     * arrived, instead of waking the pump to do it: in a stream that keeps up, the client's grant is
     * answered without a hand-off to the pump thread. Only if the pump is not polling (it holds
     * {@link #pollLock} then, and will see the credit itself) and the transport can take more; never
     * waits for messages (that stays the pump's job).
     */
    private void deliverReadyNow(Consumer c) {
        if (!responses.isReady() || !pollLock.tryLock()) {
            return;
        }
        try {
            deliverLocked(c, Duration.ZERO);
        } finally {
            pollLock.unlock();
        }
    }

    private void ack(SubscribeRequest.Ack ack) {
        CallContext.require(Permission.CONSUME, topic);
        MessageId id = messageId(ack.getOffset());
        if (ack.getCumulative()) {
            openConsumer().ackCumulative(id);
        } else {
            openConsumer().ack(id);
        }
    }

    private void seek(SubscribeRequest.Seek seek) {
        Consumer c = openConsumer();
        CallContext.require(Permission.CONSUME, topic);
        seeksWaiting.incrementAndGet();
        try {
            Thread p = pump;
            if (p != null) {
                p.interrupt(); // ends a poll that waits for messages, so the lock below comes quickly
            }
            pollLock.lock();
            try {
                switch (seek.getTargetCase()) {
                    case OFFSET -> c.seek(messageId(seek.getOffset()), seek.getInclusive());
                    case TIMESTAMP -> c.seekToTimestamp(seek.getTimestamp());
                    default -> throw new InvalidArgumentException("a seek needs an offset or a timestamp");
                }
                lock.lock();
                try {
                    generation = seek.getGeneration();
                    credit = messageCredit(seek.getCredit());
                    if (creditBytes != Long.MAX_VALUE) {
                        creditBytes = Unsigned.atMost(seek.getCreditBytes(), MOST_BYTE_CREDIT);
                    }
                } finally {
                    lock.unlock();
                }
            } finally {
                pollLock.unlock();
            }
        } finally {
            seeksWaiting.decrementAndGet();
            signal();
        }
    }

    /** A message credit as on the wire (a uint32), read unsigned and held to {@link #MOST_MESSAGE_CREDIT}. */
    private static long messageCredit(int wire) {
        return Unsigned.atMost(Integer.toUnsignedLong(wire), MOST_MESSAGE_CREDIT);
    }

    /**
     * The message id of an offset as on the wire (a uint64): one at or above 2^63 reads negative here and
     * names no message (ids are below 2^63), which is bad input rather than an id to clamp.
     */
    private static MessageId messageId(long wireOffset) {
        if (wireOffset < 0) {
            throw new InvalidArgumentException("offset " + Long.toUnsignedString(wireOffset)
                    + " names no message: message ids are below 2^63");
        }
        return MessageId.of(Wire.PARTITION, wireOffset);
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

    /** Ends the session once: stops the pump, closes the embedded consumer (unacked messages go to the next one). */
    void end(RuntimeException status) {
        Consumer c;
        Thread p;
        long reserved;
        lock.lock();
        try {
            if (ended) {
                return;
            }
            ended = true;
            c = consumer;
            p = pump;
            reserved = reservation;
            reservation = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            onEnd.accept(this);
            if (c != null) {
                try {
                    c.close(); // ends a poll in progress with QueueClosedException
                } catch (RuntimeException e) {
                    LOG.warn("closing the consumer of '{}/{}' failed", topic, subscription, e);
                }
                metrics.subscriptionClosed();
            }
            if (p != null && p != Thread.currentThread()) {
                io.rocksmq.api.internals.Threads.joinUninterruptibly(p);
            }
        } finally {
            if (reserved > 0) { // given back once the buffers it paid for are gone with the consumer
                budget.release(reserved);
            }
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
        if (c != null) {
            LOG.info("subscription ended topic={} subscription={} peer={}{}", topic, subscription, peer,
                    status == null ? "" : " status=" + io.grpc.Status.fromThrowable(status).getCode());
        }
    }

    /** Payload bytes the embedded consumer holds read ahead (0 before open), for tests. */
    long readAheadBytes() {
        Consumer c;
        lock.lock();
        try {
            c = consumer;
        } finally {
            lock.unlock();
        }
        return c instanceof io.rocksmq.api.internals.BufferedBytes b ? b.bufferedBytes() : 0;
    }

    /** What this session reserved of the server's buffer budget (0 before open and after end), for tests. */
    long reservedBytes() {
        lock.lock();
        try {
            return reservation;
        } finally {
            lock.unlock();
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

    // ------------------------------------------------------------------ the pump thread

    /** Packed if the client reads that and no message has properties or a key; one Message each otherwise. */
    private SubscribeResponse.Delivery.Builder delivery(long gen, List<Message> got) {
        SubscribeResponse.Delivery.Builder d = SubscribeResponse.Delivery.newBuilder().setGeneration(gen);
        PackedMessages p = packed ? Wire.pack(got) : null;
        if (p != null) {
            return d.setPacked(p);
        }
        for (Message m : got) {
            d.addMessages(Wire.encode(m));
        }
        return d;
    }

    /**
     * Polls the embedded consumer for at most the credit left ({@link #MAX_BATCH} at most; in payload bytes,
     * the byte credit left and {@link #pollBytes} at most, but always one message), waiting up to
     * {@code wait} for the first message, and sends what it got as one delivery (several if it holds more
     * than {@link #MAX_DELIVERY_BYTES}). The caller holds
     * {@link #pollLock}. Returns at once if there is no credit.
     */
    private void deliverLocked(Consumer c, Duration wait) {
        long gen;
        int want;
        long wantBytes;
        lock.lock();
        try {
            gen = generation;
            want = ended ? 0 : (int) Math.min(credit, MAX_BATCH);
            wantBytes = Math.min(creditBytes, pollBytes);
        } finally {
            lock.unlock();
        }
        if (want <= 0 || wantBytes <= 0) {
            return;
        }
        List<Message> got = c instanceof BytePoll bounded ? bounded.poll(want, wantBytes, wait) : c.poll(want, wait);
        if (got.isEmpty()) {
            return;
        }
        // The token is checked again before each delivery: a stream lives long, and a token revoked (or
        // a grant withdrawn) since it opened must not keep receiving. What was polled stays
        // unacknowledged and goes to the subscription's next consumer.
        callContext.run(() -> CallContext.require(Permission.CONSUME, topic));
        long payloadBytes = 0;
        for (int i = 0, n = got.size(); i < n; i++) {
            payloadBytes += ReceiveBuffer.sizeOf(got.get(i));
        }
        lock.lock();
        try {
            credit -= got.size();
            if (creditBytes != Long.MAX_VALUE) {
                creditBytes -= payloadBytes;
            }
        } finally {
            lock.unlock();
        }
        int from = 0;
        long bytes = 0;
        for (int i = 0, n = got.size(); i < n; i++) {
            long size = sizeOf(got.get(i));
            if (i > from && bytes + size > MAX_DELIVERY_BYTES) {
                send(SubscribeResponse.newBuilder().setDelivery(delivery(gen, got.subList(from, i))).build());
                from = i;
                bytes = 0;
            }
            bytes += size;
        }
        send(SubscribeResponse.newBuilder().setDelivery(delivery(gen, got.subList(from, got.size()))).build());
        metrics.delivered(got.size());
    }

    /** What a message adds to a delivery, roughly: its payload, key and properties. */
    private static long sizeOf(Message m) {
        long size = m.payload().length + m.key().map(String::length).orElse(0);
        if (!m.properties().isEmpty()) {
            for (java.util.Map.Entry<String, String> e : m.properties().entrySet()) {
                size += e.getKey().length() + e.getValue().length();
            }
        }
        return size;
    }

    private void pump() {
        Consumer c = consumer;
        try {
            while (true) {
                lock.lock();
                try {
                    while (!ended && (credit <= 0 || creditBytes <= 0 || !responses.isReady() || seeksWaiting.get() > 0)) {
                        try {
                            changed.await();
                        } catch (InterruptedException e) {
                            // a seek wakes us: look again
                        }
                    }
                    if (ended) {
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                pollLock.lock();
                try {
                    if (seeksWaiting.get() > 0) {
                        continue; // let the seek have the lock first
                    }
                    deliverLocked(c, POLL_WAIT);
                    Thread.interrupted(); // a seek's wake-up, now served
                } finally {
                    pollLock.unlock();
                }
            }
        } catch (RocksMqException e) {
            boolean mine;
            lock.lock();
            try {
                mine = !ended;
            } finally {
                lock.unlock();
            }
            if (mine) { // the topic or subscription was deleted, or the queue closed
                end(RemoteErrors.toStatus(e, topic, subscription));
            }
        } catch (io.grpc.StatusRuntimeException e) {
            end(e); // the token was revoked or lost the permission
        } catch (RuntimeException e) {
            LOG.error("delivery of '{}/{}' to {} failed", topic, subscription, peer, e);
            end(Status.INTERNAL.withDescription("internal error").asRuntimeException());
        }
    }
}
