package io.rocksmq.core;

import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.TopicNotFoundException;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * A deliberately broken consumer registry, modelled on Milvus RocksMQ before its race fixes (see
 * shared/reference/milvus-rocksmq.md sections 3.3-3.4). It exists only so the race tests can show that
 * they catch the bugs the real design rules out. Its bugs, on purpose:
 * <ul>
 *   <li>The consumers of a topic are a plain array read by {@link #notifyGroup} with no lock, grown by
 *       {@link #register} with an unlocked read-copy-write (concurrent registrations overwrite each
 *       other: a registration is lost), and shrunk by {@link #destroyGroup} by shifting elements
 *       inside the array readers may be iterating.</li>
 *   <li>Destroy closes the consumer's channel first and removes it afterwards (check-then-act):
 *       a notify in between sends on a closed channel, which throws like Go's panic.</li>
 *   <li>The wake-up is a one-slot, Go-style unbuffered signal sent with "select default": a signal
 *       sent while the consumer is not parked yet is dropped (a lost wake-up).</li>
 * </ul>
 * Produce, consume and destroy hold the topic's mutex, as in Milvus; notify and register do not.
 *
 * <p>Not thread-safe, by design.
 */
final class NaiveRegistry implements GroupRegistryHarness {
    private final Map<String, NaiveTopic> topics = new ConcurrentHashMap<>();

    @Override
    public void createTopic(String topic) {
        topics.putIfAbsent(topic, new NaiveTopic());
    }

    @Override
    public void createGroup(String topic, String group) {
        NaiveTopic t = topic(topic);
        if (t.positions.putIfAbsent(group, 0L) != null) {
            throw new ConsumerGroupExistsException(topic, group);
        }
    }

    @Override
    public void destroyGroup(String topic, String group) {
        NaiveTopic t = topic(topic);
        synchronized (t) {
            NaiveConsumer[] list = t.consumers;
            for (int i = 0; i < list.length; i++) {
                if (list[i].group.equals(group)) {
                    list[i].channel.close();
                    t.positions.remove(group);
                    // In-place removal, then store the shorter view: readers of `list` see a shifted array.
                    System.arraycopy(list, i + 1, list, i, list.length - i - 1);
                    t.consumers = Arrays.copyOf(list, list.length - 1);
                    return;
                }
            }
            t.positions.remove(group);
        }
    }

    @Override
    public boolean groupExists(String topic, String group) {
        return topic(topic).positions.containsKey(group);
    }

    @Override
    public Waiter register(String topic, String group) {
        NaiveTopic t = topic(topic);
        if (!t.positions.containsKey(group)) {
            throw new ConsumerGroupNotFoundException(topic, group);
        }
        NaiveConsumer c = new NaiveConsumer(group);
        NaiveConsumer[] old = t.consumers;               // unlocked read ...
        NaiveConsumer[] grown = Arrays.copyOf(old, old.length + 1);
        grown[old.length] = c;
        t.consumers = grown;                             // ... then write: a concurrent add is lost
        return c.channel::receive;
    }

    @Override
    public void notifyGroup(String topic, String group) {
        NaiveTopic t = topics.get(topic);
        if (t == null) {
            return;
        }
        for (NaiveConsumer c : t.consumers) {            // no lock: races with destroy's close-then-remove
            if (c != null && c.group.equals(group)) {
                c.channel.trySend();
            }
        }
    }

    @Override
    public void produce(String topic) {
        NaiveTopic t = topic(topic);
        synchronized (t) {
            t.latest++;
            for (NaiveConsumer c : t.consumers) {
                c.channel.trySend();
            }
        }
    }

    @Override
    public long[] consume(String topic, String group, int max) {
        NaiveTopic t = topic(topic);
        synchronized (t) {
            Long position = t.positions.get(group);
            if (position == null) {
                throw new ConsumerGroupNotFoundException(topic, group);
            }
            long end = Math.min(t.latest + 1, position + max);
            long[] ids = new long[(int) Math.max(0, end - position)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = position + i;
            }
            t.positions.put(group, position + ids.length);
            return ids;
        }
    }

    @Override
    public void close() {
        topics.clear();
    }

    @Override
    public String toString() {
        return "naive";
    }

    private NaiveTopic topic(String name) {
        NaiveTopic t = topics.get(name);
        if (t == null) {
            throw new TopicNotFoundException(name);
        }
        return t;
    }

    private static final class NaiveTopic {
        /** Written by register without a lock and by destroy under the monitor; read by notify with none. */
        NaiveConsumer[] consumers = new NaiveConsumer[0];
        final Map<String, Long> positions = new ConcurrentHashMap<>();
        /** Id of the newest message, -1 if none; under the monitor. */
        long latest = -1;
    }

    private static final class NaiveConsumer {
        final String group;
        final NaiveChannel channel = new NaiveChannel();

        NaiveConsumer(String group) {
            this.group = group;
        }
    }

    /** Go's unbuffered {@code chan struct{}} with a non-blocking send, and {@code close}. */
    static final class NaiveChannel {
        private static final long WAKEUP_GAP_NANOS = 20_000;
        private volatile boolean closed;
        private volatile boolean token;
        private volatile Thread receiver;

        /** "select { case ch <- x: default: }": delivered only to a receiver parked right now. */
        void trySend() {
            if (closed) {
                throw new IllegalStateException("send on closed channel");
            }
            Thread r = receiver;
            if (r != null) {
                token = true;
                LockSupport.unpark(r);
            }
        }

        void close() {
            closed = true;
            Thread r = receiver;
            if (r != null) {
                LockSupport.unpark(r);
            }
        }

        AwaitResult receive(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            token = false;
            // The consumer found nothing and is about to wait; in Go the scheduler may run other
            // goroutines right here. Widening that gap (it exists in any case) makes the naive design's
            // lost wake-up show up in a bounded test run even on a loaded machine.
            LockSupport.parkNanos(WAKEUP_GAP_NANOS);
            receiver = Thread.currentThread();
            try {
                while (true) {
                    if (closed) {
                        return AwaitResult.GROUP_DESTROYED;
                    }
                    if (token) {
                        return AwaitResult.SIGNALLED;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return AwaitResult.TIMED_OUT;
                    }
                    LockSupport.parkNanos(this, left);
                }
            } finally {
                receiver = null;
            }
        }
    }
}
