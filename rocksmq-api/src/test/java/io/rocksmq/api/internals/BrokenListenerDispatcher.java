package io.rocksmq.api.internals;

import io.rocksmq.api.Message;
import io.rocksmq.api.MessageListener;

import java.util.concurrent.Executor;

/**
 * A deliberately broken dispatcher for {@link ListenerDispatcherTest}: it schedules a task for every
 * dispatch instead of one at a time, so on a multi-threaded executor listener calls overlap and lose their
 * order. The test shows that its scenario catches this.
 */
final class BrokenListenerDispatcher {
    private final ListenerDispatcher.Target target;
    private final MessageListener listener;
    private final Executor executor;

    BrokenListenerDispatcher(ListenerDispatcher.Target target, MessageListener listener, Executor executor) {
        this.target = target;
        this.listener = listener;
        this.executor = executor;
    }

    void dispatch() {
        executor.execute(() -> {
            Message m;
            while ((m = target.nextForListener()) != null) {
                listener.received(target.consumer(), m);
            }
        });
    }
}
