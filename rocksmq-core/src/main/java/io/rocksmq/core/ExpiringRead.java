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
        return read(reader, from, latest, now, defaultTtlMillis, null);
    }

    /**
     * As {@link #read(LongFunction, long, long, long, long)}, and adds the id of each expired message
     * skipped to {@code skipped} (if not null).
     */
    static Result read(LongFunction<MessageList> reader, long from, long latest, long now, long defaultTtlMillis,
                       ExpiredIds skipped) {
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
            if (skipped != null && kept.size() != read.size()) {
                addDropped(read, kept, skipped);
            }
            if (!kept.isEmpty()) {
                return new Result(kept, next, expired);
            }
        }
        return new Result(new MessageList(1), next, expired);
    }

    /** Adds the ids of {@code read} missing from {@code kept} (a subsequence of it, both ascending). */
    private static void addDropped(MessageList read, MessageList kept, ExpiredIds skipped) {
        int k = 0;
        for (int i = 0; i < read.size(); i++) {
            long id = read.id(i);
            if (k < kept.size() && kept.id(k) == id) {
                k++;
            } else {
                skipped.add(id);
            }
        }
    }
}
