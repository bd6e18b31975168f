package io.rocksmq.core;

import java.util.function.LongFunction;

/**
 * A read that never returns an expired message ({@link ProducerMessage#withTtl}, the topic's default
 * time-to-live): it drops them, and reads on while a read held only expired messages, so an empty answer
 * still means "nothing more to deliver now" (a consumer that drains until empty and then waits never
 * waits in front of messages hidden behind expired ones).
 *
 * <p>Thread-safe: stateless; the reads it runs follow their caller's locking (a group's position lock).
 */
final class ExpiringRead {
    /**
     * @param messages what to deliver
     * @param next     the id after the last message examined, delivered or expired ({@code from} if none)
     * @param expired  how many expired messages were skipped
     */
    record Result(MessageList messages, long next, long expired) {
    }

    private ExpiringRead() {
    }

    /**
     * @param reader reads from an id (an empty list: nothing stored from there)
     * @param latest the newest committed id: no read starts past it
     */
    static Result read(LongFunction<MessageList> reader, long from, long latest, long now, long defaultTtlMillis) {
        long next = from;
        long expired = 0;
        while (next <= latest) {
            MessageList read = reader.apply(next);
            if (read.isEmpty()) {
                break;
            }
            next = read.id(read.size() - 1) + 1;
            MessageList kept = read.unexpired(now, defaultTtlMillis);
            expired += read.size() - kept.size();
            if (!kept.isEmpty()) {
                return new Result(kept, next, expired);
            }
        }
        return new Result(new MessageList(1), next, expired);
    }
}
