package io.rocksmq.remote;

import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.api.Producer;
import io.rocksmq.api.ProducerOptions;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.internals.Threads;
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
 * The remote {@link Producer}: sends are queued and go to the server in batches, one {@code Produce} call
 * in flight at a time. While a batch is in flight the next one fills up, so batches grow with the load
 * (group commit) and ids stay in the order sends were accepted; {@link ProducerOptions#batchingMaxDelay()}
 * is not needed for that and is not applied.
 *
 * <h2>States and locks</h2>
 * {@link #lock} guards {@link #queue} (accepted, not yet sent), {@link #pending} (accepted, not yet
 * completed: queued plus in flight), {@link #inFlight} and {@link #closed}. A batch is started under the
 * lock by whoever finds nothing in flight (a sender, or the completion of the previous batch); the futures
 * are completed outside the lock. {@link #roomOrDone} is signalled whenever {@code pending} shrinks.
 *
 * <p>Thread-safe.
 */
public final class RemoteProducer implements Producer {
    /** Room left in a request for the protobuf framing of the messages. */
    private static final int REQUEST_HEADROOM = 64 << 10;

    private final RemoteMqClient client;
    private final String topic;
    private final int maxBatchMessages;
    private final long maxBatchBytes;
    private final int maxPending;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition roomOrDone = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int pending;
    private boolean inFlight;
    private boolean closed;
    /** The last send accepted: flush waits for it (batches complete in order). */
    private CompletableFuture<MessageId> last = CompletableFuture.completedFuture(null);

    private record Pending(io.rocksmq.remote.proto.OutgoingMessage message, int bytes,
                           CompletableFuture<MessageId> future) {
    }

    RemoteProducer(RemoteMqClient client, ProducerOptions options) {
        this.client = client;
        this.topic = options.topic();
        this.maxBatchMessages = options.batchingMaxMessages();
        this.maxBatchBytes = Math.max(1, Math.min(options.batchingMaxBytes(), client.maxRequestBytes() - REQUEST_HEADROOM));
        this.maxPending = options.maxPendingMessages();
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
        io.rocksmq.remote.proto.OutgoingMessage wire = Wire.encode(message);
        int bytes = wire.getSerializedSize();
        long payloadAndProperties = (long) wire.getPayload().size() + propertyBytes(wire);
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
            queue.add(new Pending(wire, bytes, future));
            pending++;
            last = future;
            if (!inFlight) {
                startBatchLocked();
            }
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

    /** Under {@link #lock}, with nothing in flight and something queued: sends the next batch. */
    private void startBatchLocked() {
        List<Pending> batch = new ArrayList<>();
        ProduceRequest.Builder request = ProduceRequest.newBuilder().setTopic(topic);
        long bytes = 0;
        while (!queue.isEmpty() && batch.size() < maxBatchMessages) {
            Pending p = queue.peek();
            if (!batch.isEmpty() && bytes + p.bytes() > maxBatchBytes) {
                break;
            }
            queue.poll();
            batch.add(p);
            request.addMessages(p.message());
            bytes += p.bytes();
        }
        inFlight = true;
        ClientCalls.asyncUnaryCall(client.channel().newCall(QueueGrpc.PRODUCE, client.callOptions()), request.build(),
                new StreamObserver<>() {
                    private ProduceResponse response;

                    @Override
                    public void onNext(ProduceResponse value) {
                        response = value;
                    }

                    @Override
                    public void onError(Throwable t) {
                        RocksMqException e = RemoteErrors.fromStatus(t);
                        for (Pending p : batch) {
                            p.future().completeExceptionally(e);
                        }
                        batchDone(batch.size());
                    }

                    @Override
                    public void onCompleted() {
                        if (response == null || response.getOffsetsCount() != batch.size()) {
                            onError(new RocksMqException("the server answered a batch of " + batch.size() + " with "
                                    + (response == null ? "nothing" : response.getOffsetsCount() + " ids")));
                            return;
                        }
                        for (int i = 0; i < batch.size(); i++) {
                            batch.get(i).future().complete(MessageId.of(Wire.PARTITION, response.getOffsets(i)));
                        }
                        batchDone(batch.size());
                    }
                });
    }

    private void batchDone(int n) {
        lock.lock();
        try {
            pending -= n;
            inFlight = false;
            if (!queue.isEmpty()) {
                startBatchLocked();
            }
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
            client.producerClosed(this);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new QueueClosedException("producer of topic '" + topic + "' is closed");
        }
    }
}
