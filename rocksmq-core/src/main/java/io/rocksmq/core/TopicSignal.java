package io.rocksmq.core;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The wake-up primitive of one topic: a sequence that every commit to the topic advances, and the
 * registrations to unpark when it does.
 *
 * <p>Waiting is a sequence comparison (the Disruptor's wait-strategy idea), not a one-slot signal:
 * a waiter remembers the value it last saw and returns as soon as the current value differs, so a
 * signal can never be lost between a consumer's empty read and its wait.
 *
 * <p>No lost wake-up, by a Dekker-style handshake on sequentially consistent atomics:
 * <ul>
 *   <li>waiter: publish its thread, then {@code parked++}, then re-read the sequence, then park;</li>
 *   <li>signaller: {@code sequence++}, then read {@code parked}; if non-zero, unpark every waiter.</li>
 * </ul>
 * Either the waiter's re-read sees the new sequence, or the signaller sees {@code parked > 0} and the
 * published thread. When nobody waits, a signal costs one atomic increment and one read: a produce to
 * a topic with a thousand idle registered groups does not touch them.
 *
 * <p>Thread-safe. {@link #signal()} takes no lock and allocates nothing. {@link #add} and
 * {@link #remove} copy the registration array and must be called under the topic's admin lock.
 */
final class TopicSignal {
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger parked = new AtomicInteger();
    /** Replaced only under the owning topic's admin lock, read lock-free. */
    private final RegistrationSet registrations = new RegistrationSet();

    long sequence() {
        return sequence.get();
    }

    /** Advances the sequence and unparks every registration currently waiting. */
    void signal() {
        sequence.incrementAndGet();
        if (parked.get() != 0) {
            for (ConsumerRegistration r : registrations.snapshot()) {
                r.unparkWaiter();
            }
        }
    }

    void beforePark() {
        parked.incrementAndGet();
    }

    void afterPark() {
        parked.decrementAndGet();
    }

    /** Under the topic's admin lock. */
    void add(ConsumerRegistration r) {
        registrations.add(r);
    }

    /** Under the topic's admin lock. */
    void remove(ConsumerRegistration r) {
        registrations.remove(r);
    }

    int registrationCount() {
        return registrations.size();
    }
}
