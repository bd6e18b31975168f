package io.rocksmq.core;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A deliberately broken {@link WriteCombiner}: a caller writes at most one group, and returns even if
 * its own request was queued behind more than one group's worth. It exists to show that
 * {@link WriteCombinerTest} catches a caller returning before its request is written.
 */
final class OneGroupWriteCombiner<R extends WriteCombiner.Request> extends WriteCombiner<R> {
    OneGroupWriteCombiner(ReentrantLock lock, long maxGroupBytes) {
        super(lock, maxGroupBytes);
    }

    @Override
    void submit(R request, GroupWriter<R> writer) {
        enqueue(request);
        lock();
        try {
            if (!request.isDone()) { // the bug: "if", not "while"
                writeGroup(writer);
            }
        } finally {
            unlock();
        }
        rethrowFailure(request);
    }
}
