package io.rocksmq.remote;

import com.google.protobuf.ByteString;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.internals.AutoDeduplicationIds;
import io.rocksmq.api.internals.Threads;
import io.rocksmq.remote.proto.PackedPayloads;
import io.rocksmq.remote.proto.ProduceRequest;
import io.rocksmq.remote.proto.ProduceResponse;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The remote {@link Producer}: sends are queued and go to the server in batches over one
 * {@code ProduceStream} call, up to {@link #MAX_IN_FLIGHT} batches (and {@link #MAX_IN_FLIGHT_BYTES})
 * in flight. The server stores the batches of a stream one after the other and answers in order, so ids
 * follow the order sends were accepted. Like Nagle's algorithm: a full batch leaves as soon as the window
 * has room, so the server always has the next one at hand (no round trip between batches); a partial
 * batch leaves at once only while fewer than {@link #PARTIAL_IN_FLIGHT} batches are in flight, so a lone
 * message pays no batching delay, and under load single sends wait for an answer and leave together
 * (group commit) instead of queueing one by one at the server.
 * {@link ProducerOptions#batchingMaxDelay()} is not needed for that and is not applied. A batch whose
 * messages all have nothing but a payload travels packed ({@link PackedPayloads}: their sizes and one
 * block of bytes, no protobuf message per message) when the server says it reads that form.
 *
 * <h2>States and locks</h2>
 * {@link #lock} guards {@link #queue} (accepted, not yet sent), {@link #inFlight} (sent batches, oldest
 * first, answered in that order), their {@link #inFlightBytes} and {@link #queuedBytes}, {@link #pending}
 * (accepted, not yet completed), {@link #stream} (the current call, opened on demand) and {@link #closed}.
 * Batches are sent under the lock, so requests leave in queue order; the futures are completed outside it. When the call fails, every batch in flight on it
 * fails with the typed error (it may or may not have been stored) and the next batch opens a new call.
 * {@link #roomOrDone} is signalled whenever {@code pending} shrinks.
 *
 * <h2>Resending (with a producer name)</h2>
 * With {@link ProducerOptions#producerName()} every message carries a deduplication id
 * ({@link AutoDeduplicationIds}), so a batch may be sent again without being stored twice: when the call
 * fails with {@link ServerUnavailableException} (connection lost, server restarted) the batches in flight
 * go back to the front of {@link #queue}, in order, and are sent on a new call after a backoff
 * ({@link #resendAt}: 100 ms doubling to 2 s; no call is opened meanwhile), each until
 * {@link ProducerOptions#sendTimeout()} after it was accepted, then it fails with that error. A batch the
 * server had stored is answered with the original ids. Other errors are never resent. Without a
 * producer name nothing is resent (a resend could store a message twice).
 *
 * <p>Thread-safe.
 */
public final class RemoteProducer implements Producer {
    /** Room left in a request for the protobuf framing of the messages. */
    private static final int REQUEST_HEADROOM = 64 << 10;
    /** A payload's share of a packed request beyond its bytes: its size, a varint of at most 5 bytes. */
    private static final int PACKED_FRAMING_BYTES = 5;
    /**
     * Batches sent and not yet answered, at most: deep enough that the server never waits a round trip
     * for the next full batch.
     */
    static final int MAX_IN_FLIGHT = 32;
    /**
     * A batch smaller than the producer's batch size leaves only while fewer than this many are in flight:
     * the window every batch had before full ones could pipeline deeper, so single sends behave as they
     * did (2 gave a worse W5 p99 in one run on a busy machine; not conclusive, runs there vary tenfold).
     */
    static final int PARTIAL_IN_FLIGHT = 4;
    /** Bytes sent and not yet answered, at most (one batch may exceed it alone). */
    static final long MAX_IN_FLIGHT_BYTES = 16L << 20;

    private final RemoteMqClient client;
    private final String topic;
    private final byte[] topicUtf8;
    private final int maxBatchMessages;
    private final long maxBatchBytes;
    private final int maxPending;
    /** Whether payload-only sends travel packed: the server reads {@code ProduceRequest.packed}. */
    private final boolean packed;
    /** Null without a producer name. */
    private final AutoDeduplicationIds autoIds;
    private final long sendTimeoutNanos;
    /** Under {@link #lock}: while positive, a resend is scheduled at this {@code nanoTime} and no call is opened. */
    private long resendAt;
    private long backoffMs = FIRST_BACKOFF_MS;
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 2_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition roomOrDone = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final ArrayDeque<List<Pending>> inFlight = new ArrayDeque<>();
    /** The bytes of the batches in {@link #inFlight}. */
    private long inFlightBytes;
    /** The bytes of the messages in {@link #queue}. */
    private long queuedBytes;
    private int pending;
    private Link stream;
    private boolean closed;
    /** The last send accepted: flush waits for it (batches complete in order). */
    private CompletableFuture<MessageId> last = CompletableFuture.completedFuture(null);

    /**
     * An accepted send: {@code payload} alone if the message has nothing else and the server reads
     * packed requests ({@code message} null: it travels in {@link PackedPayloads}, read when its request is
     * written into the call's buffers ({@link PackedRequestWriter}), which the API allows: the caller leaves the payload alone until the send completes),
     * otherwise its protobuf form ({@code payload} null).
     */
    private record Pending(io.rocksmq.remote.proto.OutgoingMessage message, byte[] payload, int bytes,
                           CompletableFuture<MessageId> future, long acceptedNanos) {
        /** This send as a protobuf message, for a batch that cannot be packed. */
        io.rocksmq.remote.proto.OutgoingMessage wire() {
            return message != null ? message : io.rocksmq.remote.proto.OutgoingMessage.newBuilder()
                    .setPayload(ByteString.copyFrom(payload)).build();
        }
    }

    RemoteProducer(RemoteMqClient client, ProducerOptions options) {
        this.client = client;
        this.topic = options.topic();
        this.topicUtf8 = PackedRequestWriter.utf8(topic);
        this.maxBatchMessages = options.batchingMaxMessages();
        this.maxBatchBytes = Math.max(1, Math.min(options.batchingMaxBytes(), client.maxRequestBytes() - REQUEST_HEADROOM));
        this.maxPending = options.maxPendingMessages();
        this.packed = client.producePacked();
        this.autoIds = AutoDeduplicationIds.of(options);
        this.sendTimeoutNanos = options.sendTimeout().toNanos();
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public CompletableFuture<MessageId> sendAsync(OutgoingMessage message) {
        if (message == null) {
            throw new InvalidArgumentException("message must not be null");
        }
        if (message.scheduled()) {
            throw new InvalidArgumentException("message has a delivery time: use schedule()");
        }
        io.rocksmq.remote.proto.OutgoingMessage wire = null;
        byte[] payload = null;
        int bytes;
        long payloadAndProperties;
        if (packed && autoIds == null && Wire.payloadOnly(message)) {
            payload = message.payload();
            bytes = payload.length + PACKED_FRAMING_BYTES;
            payloadAndProperties = payload.length;
        } else {
            wire = Wire.encode(message);
            if (autoIds != null && !wire.hasDeduplicationId()) {
                wire = wire.toBuilder().setDeduplicationId(autoIds.next()).build();
            }
            bytes = wire.getSerializedSize();
            payloadAndProperties = (long) wire.getPayload().size() + propertyBytes(wire);
        }
        if (payloadAndProperties > client.maxMessageBytes()) {
            throw new InvalidArgumentException("message of " + payloadAndProperties + " bytes (payload and properties) is"
                    + " larger than the server's maximum of " + client.maxMessageBytes() + " bytes");
        }
        CompletableFuture<MessageId> future = new CompletableFuture<>();
        lock.lock();
        try {
            while (!closed && pending >= maxPending) {
                Threads.await(roomOrDone, "waiting for room to send");
            }
            checkOpen();
            queue.add(new Pending(wire, payload, bytes, future, System.nanoTime()));
            queuedBytes += bytes;
            pending++;
            last = future;
            sendBatchesLocked();
        } finally {
            lock.unlock();
        }
        return future;
    }

    private static long propertyBytes(io.rocksmq.remote.proto.OutgoingMessage m) {
        long n = m.hasKey() ? m.getKeyBytes().size() : 0;
        for (var e : m.getPropertiesMap().entrySet()) {
            n += e.getKey().length() + e.getValue().length();
        }
        return n;
    }

    /** Under {@link #lock}: sends queued messages as batches while the in-flight window has room. */
    private void sendBatchesLocked() {
        if (stream == null && resendAt != 0) {
            return; // backing off after a lost connection: the scheduled resend sends
        }
        while (!queue.isEmpty() && inFlight.size() < MAX_IN_FLIGHT
                && (inFlight.isEmpty() || inFlightBytes < MAX_IN_FLIGHT_BYTES)
                && (inFlight.size() < PARTIAL_IN_FLIGHT || queue.size() >= maxBatchMessages
                        || queuedBytes >= maxBatchBytes)) {
            List<Pending> batch = new ArrayList<>(Math.min(queue.size(), maxBatchMessages));
            long bytes = 0;
            boolean allPayloadOnly = true;
            while (!queue.isEmpty() && batch.size() < maxBatchMessages) {
                Pending p = queue.peek();
                if (!batch.isEmpty() && bytes + p.bytes() > maxBatchBytes) {
                    break;
                }
                queue.poll();
                queuedBytes -= p.bytes();
                batch.add(p);
                allPayloadOnly &= p.message() == null;
                bytes += p.bytes();
            }
            if (stream == null) {
                stream = new Link();
            }
            inFlight.add(batch);
            inFlightBytes += bytes;
            stream.send(request(batch, allPayloadOnly));
        }
    }

    /**
     * The request of one batch: packed if every message of it is a payload alone (then written from the
     * payload arrays straight into the call's buffers, {@link PackedRequestWriter}), otherwise a
     * {@link ProduceRequest} with one {@code OutgoingMessage} each.
     */
    private Object request(List<Pending> batch, boolean allPayloadOnly) {
        if (allPayloadOnly) {
            List<byte[]> payloads = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                payloads.add(p.payload());
            }
            return new PackedRequestWriter(topicUtf8, payloads);
        }
        ProduceRequest.Builder request = ProduceRequest.newBuilder().setTopic(topic);
        for (Pending p : batch) {
            request.addMessages(p.wire());
        }
        return request.build();
    }

    /** One ProduceStream call; its responses answer {@link #inFlight} in order. */
    private final class Link implements StreamObserver<ProduceResponse> {
        private final StreamObserver<Object> requests = ClientCalls.asyncBidiStreamingCall(
                client.channel().newCall(PackedRequestWriter.PRODUCE_STREAM, io.grpc.CallOptions.DEFAULT), this);

        void send(Object r) {
            try {
                requests.onNext(r);
            } catch (RuntimeException e) {
                // the call is over: onError reports it and fails the batch
            }
        }

        void finish() {
            try {
                requests.onCompleted();
            } catch (RuntimeException e) {
                // already over
            }
        }

        @Override
        public void onNext(ProduceResponse response) {
            List<Pending> batch;
            lock.lock();
            try {
                batch = inFlight.poll();
                if (batch != null) {
                    inFlightBytes -= bytes(batch);
                    backoffMs = FIRST_BACKOFF_MS; // the call works
                }
            } finally {
                lock.unlock();
            }
            if (batch == null) {
                return; // cannot happen with a conforming server
            }
            if (response.hasError()) {
                RocksMqException e = RemoteErrors.fromError(response.getError());
                batch.forEach(p -> p.future().completeExceptionally(e));
            } else if (response.hasFirstOffset() && response.getOffsetsCount() == 0) {
                long first = response.getFirstOffset();
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).future().complete(MessageId.of(Wire.PARTITION, first + i));
                }
            } else if (response.getOffsetsCount() != batch.size()) {
                RocksMqException e = new RocksMqException("the server answered a batch of " + batch.size() + " with "
                        + response.getOffsetsCount() + " ids");
                batch.forEach(p -> p.future().completeExceptionally(e));
            } else {
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).future().complete(MessageId.of(Wire.PARTITION, response.getOffsets(i)));
                }
            }
            done(batch.size());
        }

        @Override
        public void onError(Throwable t) {
            ended(RemoteErrors.fromStatus(t));
        }

        @Override
        public void onCompleted() {
            ended(new ServerUnavailableException("the server ended the produce stream of topic '" + topic + "'", null));
        }

        private void ended(RocksMqException e) {
            List<Pending> failed = new ArrayList<>();
            lock.lock();
            try {
                if (stream == this) {
                    stream = null;
                }
                boolean resend = autoIds != null && e instanceof ServerUnavailableException;
                long now = System.nanoTime();
                List<Pending> again = new ArrayList<>();
                for (List<Pending> batch : inFlight) {
                    for (Pending p : batch) {
                        (resend && now - p.acceptedNanos() < sendTimeoutNanos ? again : failed).add(p);
                    }
                }
                inFlight.clear();
                inFlightBytes = 0;
                for (int i = again.size() - 1; i >= 0; i--) {
                    queue.addFirst(again.get(i)); // before what was queued after them: order is kept
                    queuedBytes += again.get(i).bytes();
                }
                if (!again.isEmpty() && resendAt == 0) {
                    scheduleResendLocked();
                }
            } finally {
                lock.unlock();
            }
            failed.forEach(p -> p.future().completeExceptionally(e));
            done(failed.size());
        }
    }

    /**
     * One {@code Schedule} call (not batched: its order against sends does not matter); the server stores
     * the message durably before it answers.
     */
    @Override
    public String schedule(OutgoingMessage message) {
        if (message == null || !message.scheduled()) {
            throw new InvalidArgumentException("message must not be null and must have a delivery time");
        }
        io.rocksmq.remote.proto.OutgoingMessage wire = Wire.encode(message);
        long payloadAndProperties = (long) wire.getPayload().size() + propertyBytes(wire);
        if (payloadAndProperties > client.maxMessageBytes()) {
            throw new InvalidArgumentException("message of " + payloadAndProperties + " bytes (payload and properties) is"
                    + " larger than the server's maximum of " + client.maxMessageBytes() + " bytes");
        }
        requireOpen();
        return client.call(QueueGrpc.SCHEDULE, io.rocksmq.remote.proto.ScheduleRequest.newBuilder()
                .setTopic(topic).setMessage(wire).build()).getHandle();
    }

    @Override
    public void cancelScheduled(String handle) {
        if (handle == null || handle.isEmpty()) {
            throw new InvalidArgumentException("handle must not be null or empty");
        }
        requireOpen();
        client.call(QueueGrpc.CANCEL_SCHEDULE, io.rocksmq.remote.proto.CancelScheduleRequest.newBuilder()
                .setTopic(topic).setHandle(handle).build());
    }

    private void requireOpen() {
        lock.lock();
        try {
            checkOpen();
        } finally {
            lock.unlock();
        }
    }

    /** Under {@link #lock}: sends the queue again after the backoff, on a new call. */
    private void scheduleResendLocked() {
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        resendAt = System.nanoTime() + delay * 1_000_000;
        RemoteConsumer.RECONNECTS.schedule(this::resend, delay, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void resend() {
        lock.lock();
        try {
            resendAt = 0;
            sendBatchesLocked();
        } finally {
            lock.unlock();
        }
    }

    private static long bytes(List<Pending> batch) {
        long n = 0;
        for (Pending p : batch) {
            n += p.bytes();
        }
        return n;
    }

    private void done(int n) {
        lock.lock();
        try {
            pending -= n;
            sendBatchesLocked();
            roomOrDone.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() {
        CompletableFuture<MessageId> waitFor;
        lock.lock();
        try {
            checkOpen();
            waitFor = last;
        } finally {
            lock.unlock();
        }
        awaitQuietly(waitFor);
    }

    private static void awaitQuietly(CompletableFuture<MessageId> f) {
        try {
            f.get();
        } catch (ExecutionException e) {
            // flush waits for completion, successful or not; the send's own future reports the failure
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RocksMqException("interrupted while flushing");
        }
    }

    @Override
    public void close() {
        CompletableFuture<MessageId> waitFor;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            roomOrDone.signalAll();
            waitFor = last;
        } finally {
            lock.unlock();
        }
        try {
            awaitQuietly(waitFor);
        } finally {
            Link open;
            lock.lock();
            try {
                open = stream;
                stream = null;
            } finally {
                lock.unlock();
            }
            if (open != null) {
                open.finish();
            }
            client.producerClosed(this);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new QueueClosedException("producer of topic '" + topic + "' is closed");
        }
    }
}
