package io.rocksmq.remote;

import io.grpc.ClientCall;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SubscriptionInUseException;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.api.internals.AckRing;
import io.rocksmq.api.internals.ListenerDispatcher;
import io.rocksmq.api.internals.ListenerErrors;
import io.rocksmq.api.internals.BufferedBytes;
import io.rocksmq.api.internals.ReceiveBuffer;
import io.rocksmq.remote.proto.InitialPosition;
import io.rocksmq.remote.proto.SubscribeRequest;
import io.rocksmq.remote.proto.SubscribeResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The remote {@link Consumer}: one {@code Subscribe} stream to the server, which reads the subscription
 * with an embedded consumer and pushes what this consumer has room for. Built from the shared toolkit:
 * the {@link ReceiveBuffer} holds what arrived, the {@link AckRing} applies the acknowledgement rules
 * (only delivered messages, never past what the application got), the {@link ListenerDispatcher} runs the
 * listener.
 *
 * <h2>Flow control</h2>
 * The stream opens with a credit of {@code receiveBufferSize} messages; every message the application
 * takes frees a place, and freed places are granted back ({@code flow}) once half the buffer's worth has
 * accumulated. So what the server pushed and this consumer did not take never exceeds the buffer size.
 * If the server honours byte credit ({@code ServerInfoResponse.subscribe_byte_credit}), the stream also
 * opens with {@code receiveBufferBytes} of payload bytes, and freed bytes are granted back the same way
 * (with the places, once half of either bound was freed): the server pushes less than one message beyond
 * the grant, so this consumer holds at most {@code receiveBufferBytes} plus one message. A server before
 * byte credit bounds the stream by messages only.
 *
 * <h2>Acknowledgements and seeks</h2>
 * The AckRing decides locally what an acknowledgement means; an acknowledgement of a delivered message is
 * then sent to the server, which commits it, and the call waits for the server's reply. A seek starts a
 * new <em>generation</em>: the buffer is dropped, the server is told the new generation with the seek, and
 * deliveries of older generations still on the wire are discarded when they arrive.
 *
 * <h2>Lost connection</h2>
 * When the stream fails with UNAVAILABLE (server stopped or restarted, network down) the consumer
 * re-subscribes by itself with backoff (100 ms doubling to 5 s) until it succeeds or is closed, as a new
 * generation: the buffer is dropped, and the server delivers again from the persisted position, so
 * messages delivered but not acknowledged are delivered again (at-least-once); a server whose buffer budget
 * is used up ({@link ServerBusyException}) is retried the same way. Meanwhile receive finds
 * nothing, and acknowledgements and seeks fail with {@link ServerUnavailableException}.
 *
 * <h2>Locks</h2>
 * {@link #lock} guards the buffer, the ring, {@link #generation}, {@link #lastDelivered}, {@link #owed} and
 * {@link #stream}; it is never held while waiting for the server. A {@link Stream}'s sends are serialized
 * by the stream itself. gRPC calls the response observer of one stream from one thread at a time.
 *
 * <p>Thread-safe.
 */
public final class RemoteConsumer implements Consumer, BufferedBytes, ListenerDispatcher.Target {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteConsumer.class);
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;
    /** Re-subscriptions (and producers' resends) after a lost connection, for the whole JVM (rare, short tasks). */
    static final ScheduledExecutorService RECONNECTS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rocksmq-remote-reconnect");
        t.setDaemon(true);
        return t;
    });

    private final RemoteMqClient client;
    private final String topic;
    private final String subscription;
    private final SubscriptionInitialPosition initialPosition;
    private final boolean autoAck;
    private final int capacity;
    private final long byteCapacity;
    /** The server honours byte credit: the stream grants bytes too. */
    private final boolean byteCredit;
    /** Null without a listener. */
    private final ListenerDispatcher dispatcher;
    /**
     * With a listener, this consumer's own thread (null without one). It runs the listener when the
     * application gave no executor; when it gave one, it is the dispatcher's hand-off thread. Either way
     * the listener never runs on the stream's callback thread: gRPC runs one call's callbacks one at a
     * time, so a listener there (an executor such as {@code Runnable::run}) that acknowledges would wait
     * for the ack's reply, which that same thread must deliver.
     */
    private final ExecutorService ownListenerThread;

    private final ReentrantLock lock = new ReentrantLock();
    private final ReceiveBuffer buffer;
    private final AckRing acks = new AckRing(0);
    /** The generation whose deliveries are current. */
    private long generation;
    /** The newest offset delivered to the application in this generation; -1 if none. */
    private long lastDelivered = -1;
    /** Places freed since the last credit grant. */
    private int owed;
    /** Payload bytes freed since the last credit grant (counted only with {@link #byteCredit}). */
    private long owedBytes;
    private Stream stream;

    private RemoteConsumer(RemoteMqClient client, ConsumerOptions options) {
        this.client = client;
        this.topic = options.topic();
        this.subscription = options.subscription();
        this.initialPosition = options.initialPosition();
        this.autoAck = options.autoAck();
        this.capacity = options.receiveBufferSize();
        this.byteCapacity = options.receiveBufferBytes();
        this.byteCredit = client.subscribeByteCredit();
        this.buffer = new ReceiveBuffer(lock, capacity, byteCapacity, this::closedException);
        if (options.messageListener().isPresent()) {
            this.ownListenerThread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "rocksmq-listener-" + topic + "/" + subscription);
                t.setDaemon(true);
                return t;
            });
            this.dispatcher = new ListenerDispatcher(this, options.messageListener().get(),
                    options.listenerExecutor().orElse(ownListenerThread),
                    options.listenerExecutor().isPresent() ? ownListenerThread : null, autoAck, ListenerErrors.LOGGING);
        } else {
            this.ownListenerThread = null;
            this.dispatcher = null;
        }
    }

    /**
     * Opens the subscription on the server (creating topic and subscription if needed).
     *
     * @throws SubscriptionInUseException if another consumer (of any client) has it open
     */
    static RemoteConsumer open(RemoteMqClient client, ConsumerOptions options) {
        RemoteConsumer c = new RemoteConsumer(client, options);
        Stream s = c.new Stream();
        c.lock.lock();
        try {
            c.stream = s; // before the open: deliveries may arrive right after the server's answer
        } finally {
            c.lock.unlock();
        }
        try {
            s.open(0);
        } catch (RuntimeException e) {
            c.shutdownListenerThread();
            throw e;
        }
        return c;
    }

    /** Deliveries may reach the listener from now on. */
    void start() {
        if (dispatcher != null) {
            dispatcher.dispatch();
        }
    }

    @Override
    public long bufferedBytes() {
        lock.lock();
        try {
            return buffer.bytes();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public String subscription() {
        return subscription;
    }

    @Override
    public List<Message> poll(int maxMessages, Duration timeout) {
        long nanos = ReceiveBuffer.checkPoll(maxMessages, timeout, dispatcher != null);
        List<Message> out;
        long ackUpTo = -1;
        Grant grant;
        Stream s;
        lock.lock();
        try {
            out = buffer.take(maxMessages, nanos);
            for (Message m : out) {
                deliveredLocked(m);
            }
            if (autoAck && !out.isEmpty()) {
                ackUpTo = out.get(out.size() - 1).id().offset();
                acks.ackUpTo(ackUpTo);
            }
            grant = grantLocked();
            s = stream;
        } finally {
            lock.unlock();
        }
        s.grant(grant);
        if (ackUpTo >= 0) {
            s.request(SubscribeRequest.newBuilder().setAck(
                    SubscribeRequest.Ack.newBuilder().setOffset(ackUpTo).setCumulative(true)));
        }
        return out;
    }

    @Override
    public void ack(MessageId id) {
        long offset = offsetOf(id);
        Stream s;
        lock.lock();
        try {
            buffer.checkUsable();
            acks.ack(offset);
            if (offset > lastDelivered) {
                return; // not delivered in this generation: the ring's rules say this changes nothing
            }
            s = stream;
        } finally {
            lock.unlock();
        }
        s.request(SubscribeRequest.newBuilder().setAck(SubscribeRequest.Ack.newBuilder().setOffset(offset)));
    }

    @Override
    public void ackCumulative(MessageId id) {
        long offset = offsetOf(id);
        long upTo;
        Stream s;
        lock.lock();
        try {
            buffer.checkUsable();
            acks.ackUpTo(offset);
            upTo = Math.min(offset, lastDelivered);
            if (upTo < 0) {
                return;
            }
            s = stream;
        } finally {
            lock.unlock();
        }
        s.request(SubscribeRequest.newBuilder().setAck(
                SubscribeRequest.Ack.newBuilder().setOffset(upTo).setCumulative(true)));
    }

    @Override
    public void seek(MessageId id, boolean inclusive) {
        long offset = offsetOf(id);
        seek(SubscribeRequest.Seek.newBuilder().setOffset(offset).setInclusive(inclusive));
    }

    @Override
    public void seekToTimestamp(long epochMillis) {
        seek(SubscribeRequest.Seek.newBuilder().setTimestamp(epochMillis));
    }

    private void seek(SubscribeRequest.Seek.Builder seek) {
        Stream s;
        lock.lock();
        try {
            buffer.checkUsable();
            newGenerationLocked();
            seek.setGeneration(generation).setCredit(capacity);
            if (byteCredit) {
                seek.setCreditBytes(byteCapacity);
            }
            s = stream;
        } finally {
            lock.unlock();
        }
        s.request(SubscribeRequest.newBuilder().setSeek(seek));
    }

    @Override
    public Optional<MessageId> latestMessageId() {
        lock.lock();
        try {
            if (buffer.isClosed()) {
                throw closedException();
            }
        } finally {
            lock.unlock();
        }
        return client.latestMessageId(topic);
    }

    @Override
    public void close() {
        Stream s;
        lock.lock();
        try {
            if (buffer.isClosed()) {
                return;
            }
            buffer.close();
            s = stream;
        } finally {
            lock.unlock();
        }
        try {
            s.finish();
        } finally {
            shutdownListenerThread();
            client.consumerClosed(this);
        }
    }

    private void shutdownListenerThread() {
        if (ownListenerThread != null) {
            ownListenerThread.shutdown();
        }
    }

    // ------------------------------------------------------------------ under the lock

    private void deliveredLocked(Message m) {
        acks.delivered(m.id().offset());
        lastDelivered = m.id().offset();
        owed++;
        if (byteCredit) {
            owedBytes += ReceiveBuffer.sizeOf(m);
        }
    }

    /** Credit to grant: places and (with {@link #byteCredit}) payload bytes. */
    private record Grant(int messages, long bytes) {
    }

    /** The credit to grant now, or null: not yet, wait until half the buffer's places or bytes were freed. */
    private Grant grantLocked() {
        if (owed < Math.max(1, capacity / 2) && (!byteCredit || owedBytes < Math.max(1, byteCapacity / 2))) {
            return null;
        }
        Grant grant = new Grant(owed, owedBytes);
        owed = 0;
        owedBytes = 0;
        return grant;
    }

    /** Drops what this generation buffered and starts the next one; the server gets a full credit with it. */
    private void newGenerationLocked() {
        generation++;
        buffer.clear();
        acks.reset(0);
        lastDelivered = -1;
        owed = 0;
        owedBytes = 0;
    }

    // ------------------------------------------------------------------ from the stream

    private void delivered(Stream from, SubscribeResponse.Delivery d) {
        List<Message> batch;
        try {
            batch = decode(d); // outside the lock: the application's poll need not wait for it
        } catch (RocksMqException e) {
            fail(e); // a malformed delivery: the server and this client do not agree on the protocol
            return;
        }
        lock.lock();
        try {
            if (from != stream || d.getGeneration() != generation || batch.isEmpty()) {
                return; // stale: from before a seek or a reconnect
            }
            if (!buffer.offer(buffer.generation(), batch)) {
                return;
            }
            for (Message m : batch) {
                acks.read(m.id().offset());
            }
        } finally {
            lock.unlock();
        }
        if (dispatcher != null) {
            dispatcher.dispatch();
        }
    }

    private List<Message> decode(SubscribeResponse.Delivery d) {
        if (d.hasPacked()) {
            return Wire.unpack(topic, d.getPacked());
        }
        List<Message> batch = new ArrayList<>(d.getMessagesCount());
        for (io.rocksmq.remote.proto.Message m : d.getMessagesList()) {
            batch.add(Wire.decode(topic, m));
        }
        return batch;
    }

    /** The stream ended without this consumer closing it. */
    private void streamFailed(Stream from, RocksMqException e) {
        lock.lock();
        try {
            if (from != stream || buffer.isStopped()) {
                return;
            }
        } finally {
            lock.unlock();
        }
        if (e instanceof ServerUnavailableException) {
            LOG.warn("subscription '{}' on topic '{}' lost its server ({}); re-subscribing", subscription, topic,
                    e.getMessage());
            reconnectLater(FIRST_BACKOFF_MS);
        } else {
            fail(e);
        }
    }

    private void reconnectLater(long delayMs) {
        RECONNECTS.schedule(() -> reconnect(delayMs), delayMs, TimeUnit.MILLISECONDS);
    }

    private void reconnect(long delayMs) {
        long gen;
        Stream s = new Stream();
        lock.lock();
        try {
            if (buffer.isStopped()) {
                return;
            }
            newGenerationLocked();
            gen = generation;
            stream = s; // deliveries of the new stream are accepted as soon as they arrive
        } finally {
            lock.unlock();
        }
        try {
            s.open(gen);
            LOG.info("subscription '{}' on topic '{}' re-subscribed", subscription, topic);
        } catch (ServerUnavailableException | SubscriptionInUseException | ServerBusyException e) {
            // Still down, or the server has not yet noticed that the old stream is gone, or the streams
            // open there have reserved its whole buffer budget for now (one may end; the others retry too).
            reconnectLater(Math.min(MAX_BACKOFF_MS, delayMs * 2));
            return;
        } catch (RocksMqException e) {
            fail(e);
            return;
        }
        boolean closedMeanwhile;
        lock.lock();
        try {
            closedMeanwhile = buffer.isStopped();
        } finally {
            lock.unlock();
        }
        if (closedMeanwhile) {
            s.finish();
        }
    }

    // ------------------------------------------------------------------ for the listener dispatcher

    @Override
    public boolean fail(RuntimeException e) {
        Stream s;
        lock.lock();
        try {
            if (!buffer.fail(e)) {
                return false;
            }
            s = stream;
        } finally {
            lock.unlock();
        }
        s.cancel(); // the server releases the subscription
        if (dispatcher != null) {
            dispatcher.reportStopped(e);
        }
        return true;
    }

    @Override
    public Consumer consumer() {
        return this;
    }

    @Override
    public Message nextForListener() {
        Message m;
        Grant grant;
        Stream s;
        lock.lock();
        try {
            m = buffer.poll();
            if (m == null) {
                return null;
            }
            deliveredLocked(m);
            grant = grantLocked();
            s = stream;
        } finally {
            lock.unlock();
        }
        s.grant(grant);
        return m;
    }

    @Override
    public boolean hasNextForListener() {
        lock.lock();
        try {
            return buffer.hasMessages();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void autoAck(MessageId id) {
        lock.lock();
        try {
            if (buffer.isClosed()) {
                return;
            }
        } finally {
            lock.unlock();
        }
        ack(id);
    }

    // ------------------------------------------------------------------ helpers

    private QueueClosedException closedException() {
        return new QueueClosedException("consumer of subscription '" + subscription + "' on topic '" + topic
                + "' is closed");
    }

    private static long offsetOf(MessageId id) {
        if (id == null) {
            throw new InvalidArgumentException("message id must not be null");
        }
        if (id.partition() != Wire.PARTITION) {
            throw new InvalidArgumentException("a served topic has only partition " + Wire.PARTITION
                    + ", got message id " + id);
        }
        return id.offset();
    }

    /**
     * One {@code Subscribe} call. Its sends are serialized by {@code synchronized (this)}; the replies it
     * waits for are keyed by request id.
     */
    private final class Stream implements StreamObserver<SubscribeResponse> {
        // Initialized before the call starts: gRPC may report its end on another thread at once.
        private final CompletableFuture<Void> opened = new CompletableFuture<>();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final ConcurrentHashMap<Long, CompletableFuture<Void>> replies = new ConcurrentHashMap<>();
        private final AtomicLong requestIds = new AtomicLong();
        private final ClientCall<SubscribeRequest, SubscribeResponse> call =
                client.channel().newCall(QueueGrpc.SUBSCRIBE, io.grpc.CallOptions.DEFAULT);
        private final StreamObserver<SubscribeRequest> requests = ClientCalls.asyncBidiStreamingCall(call, this);
        /** Set once the stream ended: why; later requests fail with it. */
        private volatile RocksMqException endedWith;
        private boolean halfClosed;

        void open(long gen) {
            SubscribeRequest.Open.Builder open = SubscribeRequest.Open.newBuilder()
                    .setTopic(topic == null ? "" : topic)
                    .setSubscription(subscription == null ? "" : subscription)
                    .setInitialPosition(initialPosition == SubscriptionInitialPosition.EARLIEST
                            ? InitialPosition.EARLIEST : InitialPosition.LATEST)
                    .setCredit(capacity)
                    .setGeneration(gen)
                    .setPacked(true);
            if (byteCredit) {
                open.setCreditBytes(byteCapacity);
            }
            send(SubscribeRequest.newBuilder().setOpen(open).build());
            await(opened, "opening the subscription");
        }

        void grant(Grant grant) {
            if (grant != null && endedWith == null) {
                send(SubscribeRequest.newBuilder().setFlow(SubscribeRequest.Flow.newBuilder()
                        .setCredit(grant.messages()).setCreditBytes(grant.bytes())).build());
            }
        }

        /** Sends a request that the server answers with a reply, and waits for it. */
        void request(SubscribeRequest.Builder request) {
            RocksMqException gone = endedWith;
            if (gone != null) {
                throw gone;
            }
            long id = requestIds.incrementAndGet();
            CompletableFuture<Void> reply = new CompletableFuture<>();
            replies.put(id, reply);
            if (endedWith != null) { // ended between the check and the put: onError may have missed it
                replies.remove(id);
                throw endedWith;
            }
            send(request.setRequestId(id).build());
            await(reply, "waiting for the server");
        }

        private synchronized void send(SubscribeRequest r) {
            if (halfClosed) {
                return;
            }
            try {
                requests.onNext(r);
            } catch (RuntimeException e) {
                // The call is already over; its end was (or will be) reported to onError.
            }
        }

        /** Ends the subscription on the server and waits (bounded) until the server confirmed it. */
        void finish() {
            synchronized (this) {
                if (!halfClosed) {
                    halfClosed = true;
                    try {
                        requests.onCompleted();
                    } catch (RuntimeException e) {
                        // already over
                    }
                }
            }
            try {
                ended.get(client.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                cancel();
            } catch (ExecutionException e) {
                // ended is never completed exceptionally
            } catch (InterruptedException e) {
                cancel();
                Thread.currentThread().interrupt();
            }
        }

        void cancel() {
            call.cancel("consumer closed", null);
        }

        private void await(CompletableFuture<Void> f, String what) {
            try {
                f.get(client.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RocksMqException r) {
                    throw r;
                }
                throw new RocksMqException("failed while " + what, cause);
            } catch (TimeoutException e) {
                cancel();
                throw new ServerUnavailableException("the server did not answer in "
                        + client.options().callTimeout() + " while " + what, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RocksMqException("interrupted while " + what);
            }
        }

        @Override
        public void onNext(SubscribeResponse r) {
            switch (r.getKindCase()) {
                case OPENED -> opened.complete(null);
                case DELIVERY -> delivered(this, r.getDelivery());
                case REPLY -> {
                    CompletableFuture<Void> f = replies.remove(r.getReply().getRequestId());
                    if (f != null) {
                        if (r.getReply().hasError()) {
                            f.completeExceptionally(RemoteErrors.fromError(r.getReply().getError()));
                        } else {
                            f.complete(null);
                        }
                    }
                }
                default -> {
                    // a newer server's message kind: ignore
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            ended(RemoteErrors.fromStatus(t));
        }

        @Override
        public void onCompleted() {
            ended(new ServerUnavailableException("the server ended the subscription '" + subscription + "' on topic '"
                    + topic + "'", null));
        }

        private void ended(RocksMqException e) {
            endedWith = e;
            boolean wasOpen = opened.isDone();
            opened.completeExceptionally(e);
            for (Long id : List.copyOf(replies.keySet())) {
                CompletableFuture<Void> f = replies.remove(id);
                if (f != null) {
                    f.completeExceptionally(e);
                }
            }
            ended.complete(null);
            if (wasOpen) {
                streamFailed(this, e);
            }
        }
    }
}
