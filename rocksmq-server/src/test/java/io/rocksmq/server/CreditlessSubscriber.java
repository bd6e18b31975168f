package io.rocksmq.server;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.rocksmq.remote.QueueGrpc;
import io.rocksmq.remote.proto.InitialPosition;
import io.rocksmq.remote.proto.SubscribeRequest;
import io.rocksmq.remote.proto.SubscribeResponse;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A raw subscribe stream on topic {@code t} that never grants credit: once open it holds its share of the
 * server's buffer budget and reads nothing. Records whether it opened and how it ended.
 */
final class CreditlessSubscriber extends ClientCall.Listener<SubscribeResponse> {
    final CountDownLatch opened = new CountDownLatch(1);
    final CountDownLatch ended = new CountDownLatch(1);
    volatile Status closed;
    volatile Metadata trailers;

    /** Opens a creditless stream on {@code subscription} and waits until the server says it is open. */
    static ClientCall<SubscribeRequest, SubscribeResponse> open(RawClient raw, String subscription)
            throws InterruptedException {
        CreditlessSubscriber s = new CreditlessSubscriber();
        ClientCall<SubscribeRequest, SubscribeResponse> call = s.start(raw, subscription);
        assertThat(s.opened.await(30, TimeUnit.SECONDS)).as("opened " + subscription).isTrue();
        return call;
    }

    /** Sends the open request (credit 0, from the earliest message) without waiting for the answer. */
    ClientCall<SubscribeRequest, SubscribeResponse> start(RawClient raw, String subscription) {
        ClientCall<SubscribeRequest, SubscribeResponse> call = raw.channel.newCall(QueueGrpc.SUBSCRIBE, CallOptions.DEFAULT);
        call.start(this, new Metadata());
        call.request(Integer.MAX_VALUE);
        call.sendMessage(SubscribeRequest.newBuilder().setOpen(SubscribeRequest.Open.newBuilder().setTopic("t")
                .setSubscription(subscription).setInitialPosition(InitialPosition.EARLIEST).setCredit(0)).build());
        return call;
    }

    @Override
    public void onMessage(SubscribeResponse r) {
        if (r.hasOpened()) {
            opened.countDown();
        }
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
        this.trailers = trailers;
        closed = status;
        ended.countDown();
    }
}
