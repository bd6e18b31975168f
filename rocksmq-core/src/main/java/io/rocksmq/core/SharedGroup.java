package io.rocksmq.core;

import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.DeliveryNotFoundException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.LockExpiredException;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.api.StaleDeliveryException;
import io.rocksmq.api.internals.Durations;

import java.time.Duration;
import java.util.List;

/**
 * A shared consumer group (a work queue), from {@link RocksMq#sharedGroup}: any number of workers
 * {@link #acquire} messages from it, each message goes to one of them, locked for the group's lock
 * duration, and each delivery ends in {@link #ack}, {@link #release} (redeliver, perhaps later),
 * {@link #reject} (dead-letter) or an expired lock (redeliver to anyone).
 *
 * <pre>{@code
 * mq.createSharedGroup("jobs", "workers", SharedGroupOptions.DEFAULTS.withDeadLetterTopic("jobs-dlq"));
 * SharedGroup workers = mq.sharedGroup("jobs", "workers");
 * for (SharedGroup.Delivery d : workers.acquire(10, Duration.ofSeconds(1))) {
 *     try { handle(d.message()); workers.ack(d); }
 *     catch (RuntimeException e) { workers.release(d); }   // after the 5th delivery: dead-lettered
 * }
 * }</pre>
 *
 * <p>A delivery is named by (message id, delivery attempt), like a receipt handle: once its lock expired
 * and another worker acquired the message, the first worker's ack, release, reject or renew fails with
 * {@link StaleDeliveryException} and changes nothing. Delivery counts, acknowledgements and dead letters
 * are persisted with each operation; locks are not (after a restart every unfinished message is available
 * again, its count kept). Retention counts everything below the group's ack floor as consumed.
 *
 * <p>The handle holds names only: it finds the group anew on every call, so a handle on a destroyed
 * group throws {@link ConsumerGroupNotFoundException}, and after the group is re-created works on the new
 * one. A {@link Delivery} names its group's incarnation: an answer taking one refuses a delivery of the
 * destroyed group ({@link DeliveryNotFoundException}) even where the new group has handed out the same
 * message and attempt; the answers by id and attempt name the current incarnation's delivery.
 *
 * <p>Thread-safe: share one handle among all workers.
 */
public final class SharedGroup {
    /** Answers by id and attempt: on whatever incarnation of the group the name finds. */
    /** The incarnation an answer by id and attempt names: whichever is current. */
    public static final long ANY_INCARNATION = 0;

    private final SharedGroups groups;
    private final String topic;
    private final String group;

    SharedGroup(SharedGroups groups, String topic, String group) {
        this.groups = groups;
        this.topic = topic;
        this.group = group;
    }

    public String topic() {
        return topic;
    }

    public String group() {
        return group;
    }

    /** The group's options, as created. */
    public SharedGroupOptions options() {
        return groups.call(topic, group, (s, op) -> s.options());
    }

    /**
     * Takes up to {@code max} messages, each locked to the caller until its lock deadline; waits up to
     * {@code timeout} for at least one. Messages never delivered come in id order; messages available
     * again (released, expired, or unfinished at the last restart) come first. With the group's
     * {@code maxInFlight} messages locked, it waits for room. The wait is woken by produces, releases
     * and the acknowledgements or rejects that make room, and ends by itself at the next lock expiry or
     * release delay's end.
     *
     * <p>If the thread is interrupted it returns early (possibly empty) with the interrupt status set.
     *
     * @throws InvalidArgumentException       if {@code max <= 0} or the timeout is null or negative
     * @throws ConsumerGroupNotFoundException if there is no such group, or it is destroyed while waiting
     * @throws QueueClosedException           if the queue is closed, or closes while waiting
     */
    public List<Delivery> acquire(int max, Duration timeout) {
        return acquire(max, timeout, null);
    }

    /**
     * As {@link #acquire(int, Duration)}, waiting on the caller's registration of this group (from
     * {@link RocksMq#registerConsumer}) rather than on one of its own: closing that registration ends the
     * wait at once (the result is then empty). A consumer that must be able to stop a waiting acquire uses
     * this. At most one thread may wait on a registration at a time.
     *
     * @throws InvalidArgumentException if the registration is of another topic or group
     */
    public List<Delivery> acquire(int max, Duration timeout, ConsumerRegistration wakeUp) {
        if (wakeUp != null && (!wakeUp.topic().equals(topic) || !wakeUp.group().equals(group))) {
            throw new InvalidArgumentException("the registration is of " + wakeUp.topic() + "/" + wakeUp.group()
                    + ", not of " + topic + "/" + group);
        }
        if (max <= 0) {
            throw new InvalidArgumentException("max must be positive, was " + max);
        }
        if (timeout == null || timeout.isNegative()) {
            throw new InvalidArgumentException("timeout must be zero or positive, was " + timeout);
        }
        groups.requireWritable();
        long deadline = System.nanoTime() + Durations.saturatedNanos(timeout);
        ConsumerRegistration registration = wakeUp;
        try {
            while (true) {
                long[] nextDue = new long[1];
                List<Delivery> got = groups.call(topic, group, (s, op) -> {
                    List<Delivery> d = s.acquire(op, max);
                    nextDue[0] = s.nextDueMillis();
                    return d;
                });
                long remaining = deadline - System.nanoTime();
                if (!got.isEmpty() || remaining <= 0 || Thread.currentThread().isInterrupted()) {
                    return got;
                }
                if (registration == null) {
                    // Registered, then tried again: whatever arrives from here on is seen by await.
                    registration = groups.register(topic, group);
                    continue;
                }
                if (nextDue[0] != Long.MAX_VALUE) {
                    long dueIn = Math.max(1, nextDue[0] - groups.config().clock().millis());
                    remaining = Math.min(remaining, Math.min(dueIn, Long.MAX_VALUE / 1_000_000) * 1_000_000);
                }
                AwaitResult r = registration.await(Duration.ofNanos(remaining));
                if (r == AwaitResult.GROUP_DESTROYED) {
                    throw new ConsumerGroupNotFoundException(topic, group);
                }
                if (r == AwaitResult.QUEUE_CLOSED) {
                    throw new QueueClosedException("queue closed while acquiring from shared group '" + group + "'");
                }
                if (r == AwaitResult.UNREGISTERED) {
                    return List.of();
                }
            }
        } finally {
            if (registration != null && registration != wakeUp) {
                registration.close();
            }
        }
    }

    /**
     * Finishes the delivery: the message is never delivered again. Accepted while the delivery is the
     * message's latest, even if its lock expired, as long as no one acquired the message since.
     *
     * @throws StaleDeliveryException    if the message was delivered again since, or the delivery released
     * @throws DeliveryNotFoundException if the message is not delivered or already finished
     */
    public void ack(Delivery delivery) {
        ack(requireDelivery(delivery).id(), delivery.attempt(), delivery.incarnation());
    }

    /**
     * {@link #ack(Delivery)} by message id and delivery attempt, on the group's current incarnation: after
     * the group was destroyed and re-created, this names the new group's delivery (the {@link Delivery}
     * overload refuses an old incarnation's delivery).
     */
    public void ack(long messageId, int attempt) {
        ack(messageId, attempt, ANY_INCARNATION);
    }

    /**
     * {@link #ack(Delivery)} by its receipt: message id, delivery attempt and the group incarnation that
     * handed it out ({@link Delivery#incarnation()}; {@link #ANY_INCARNATION}: the current one). This is
     * how an answer that crossed a process boundary (the server's clients) keeps the fencing of a
     * {@code Delivery}.
     */
    public void ack(long messageId, int attempt, long incarnation) {
        groups.requireWritable();
        groups.call(topic, group, SharedGroupState::full, (s, op) -> {
            fence(s, messageId, incarnation);
            s.ack(op, messageId, attempt);
            return null;
        });
    }

    /** Releases with the group's redelivery delay for this attempt; see {@link #release(long, int, Duration)}. */
    public void release(Delivery delivery) {
        release(requireDelivery(delivery).id(), delivery.attempt(), null, delivery.incarnation());
    }

    /** {@link #release(long, int, Duration)} of a delivery (refused if of an earlier incarnation, as {@link #ack(Delivery)}). */
    public void release(Delivery delivery, Duration delay) {
        release(requireDelivery(delivery).id(), delivery.attempt(), requireDelay(delay), delivery.incarnation());
    }

    /**
     * Gives the message back (a negative acknowledgement): it is delivered again after {@code delay}
     * (null: the group's redelivery delay for this attempt), or dead-lettered at once if this was its
     * last allowed delivery.
     *
     * @throws LockExpiredException      if the delivery's lock expired
     * @throws StaleDeliveryException    if the message was delivered again since, or already released
     * @throws DeliveryNotFoundException if the message is not delivered or already finished
     */
    public void release(long messageId, int attempt, Duration delay) {
        release(messageId, attempt, delay, ANY_INCARNATION);
    }

    /** {@link #release(long, int, Duration)} by a receipt that names the group's incarnation, as {@link #ack(long, int, long)}. */
    public void release(long messageId, int attempt, Duration delay, long incarnation) {
        long delayMillis = delay == null ? -1 : requireDelay(delay).toMillis();
        groups.requireWritable();
        groups.call(topic, group, true, (s, op) -> {
            fence(s, messageId, incarnation);
            s.release(op, messageId, attempt, delayMillis);
            return null;
        });
    }

    /**
     * Dead-letters the message now: produced to the group's dead-letter topic in the same atomic write
     * that finishes it, or, without one, archived as rejected and counted. Accepted like {@link #ack}.
     */
    public void reject(Delivery delivery) {
        reject(requireDelivery(delivery).id(), delivery.attempt(), delivery.incarnation());
    }

    /** {@link #reject(Delivery)} by message id and delivery attempt, on the current incarnation (as {@link #ack(long, int)}). */
    public void reject(long messageId, int attempt) {
        reject(messageId, attempt, ANY_INCARNATION);
    }

    /** {@link #reject(long, int)} by a receipt that names the group's incarnation, as {@link #ack(long, int, long)}. */
    public void reject(long messageId, int attempt, long incarnation) {
        groups.requireWritable();
        groups.call(topic, group, SharedGroupState::full, (s, op) -> {
            fence(s, messageId, incarnation);
            s.reject(op, messageId, attempt);
            return null;
        });
    }

    /**
     * Extends the delivery's lock to the lock duration from now.
     *
     * @return the new lock deadline (epoch milliseconds of the queue's clock)
     * @throws LockExpiredException if the lock expired already (the message may be taken by anyone)
     */
    public long renew(Delivery delivery) {
        return renew(requireDelivery(delivery).id(), delivery.attempt(), delivery.incarnation());
    }

    /** {@link #renew(Delivery)} by message id and delivery attempt, on the current incarnation (as {@link #ack(long, int)}). */
    public long renew(long messageId, int attempt) {
        return renew(messageId, attempt, ANY_INCARNATION);
    }

    /** {@link #renew(long, int)} by a receipt that names the group's incarnation, as {@link #ack(long, int, long)}. */
    public long renew(long messageId, int attempt, long incarnation) {
        groups.requireWritable();
        return groups.call(topic, group, (s, op) -> {
            fence(s, messageId, incarnation);
            return s.renew(op, messageId, attempt);
        });
    }

    /** Refuses a delivery of an earlier incarnation of the group (destroyed, then re-created under its name). */
    private void fence(SharedGroupState s, long messageId, long incarnation) {
        if (incarnation != ANY_INCARNATION && incarnation != s.incarnation) {
            throw new DeliveryNotFoundException(group, messageId,
                    "the delivery is of an earlier incarnation of the group, destroyed since");
        }
    }

    /** The group's counts now; see {@link Stats}. */
    public Stats stats() {
        return groups.call(topic, group, (s, op) -> s.stats(op));
    }

    private static Delivery requireDelivery(Delivery d) {
        if (d == null) {
            throw new InvalidArgumentException("delivery must not be null");
        }
        return d;
    }

    private static Duration requireDelay(Duration delay) {
        if (delay == null || delay.isNegative() || delay.compareTo(SharedGroupOptions.MAX_DURATION) > 0) {
            throw new InvalidArgumentException("delay must be 0 to " + SharedGroupOptions.MAX_DURATION + ", was " + delay);
        }
        return delay;
    }

    /**
     * One delivery of a message to one worker.
     *
     * @param message      the message
     * @param attempt      which delivery of the message this is, from 1; names the delivery in acks
     * @param lockDeadline when the lock expires (epoch milliseconds of the queue's clock)
     * @param incarnation  which incarnation of the group handed it out (a group destroyed and re-created under
     *                     the same name is a new one, in this JVM): the answers taking a {@code Delivery}
     *                     refuse it on another with {@link DeliveryNotFoundException}
     */
    public record Delivery(ConsumerMessage message, int attempt, long lockDeadline, long incarnation) {
        /** The message id. */
        public long id() {
            return message.id();
        }
    }

    /**
     * A shared group's counts. Persisted: {@code ackFloor}, {@code rejected}, {@code deadLettered}; the
     * rest count since the queue opened.
     *
     * @param ackFloor          every message below it is finished (the group's position)
     * @param inFlight          messages locked to a worker
     * @param available         messages delivered before and available again now (not counting fresh ones)
     * @param delayed           released messages waiting for their redelivery delay
     * @param oldestLockDeadline the earliest lock deadline in flight, or -1
     * @param acquired          deliveries handed out
     * @param acked             deliveries acknowledged
     * @param released          deliveries released
     * @param expiredLocks      deliveries whose lock expired
     * @param redelivered       deliveries of a message delivered before
     * @param rejected          messages dead-lettered with no dead-letter topic (archived)
     * @param deadLettered      messages produced to the dead-letter topic
     * @param expired           messages whose expiry time passed before a delivery: finished, never delivered
     */
    public record Stats(long ackFloor, int inFlight, int available, int delayed, long oldestLockDeadline,
                        long acquired, long acked, long released, long expiredLocks, long redelivered,
                        long rejected, long deadLettered, long expired) {
    }
}
