package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;

import java.time.Instant;

/**
 * Names one scheduled message ({@link RocksMq#schedule}) until it is delivered: what
 * {@link RocksMq#cancelScheduled} takes. Its {@link #token()} is a short text form (for tools and logs;
 * {@link #parse} reads it back).
 *
 * <p>Thread-safe (immutable).
 *
 * @param topic       the topic the message is to appear on
 * @param dueAtMillis when it is to appear, epoch milliseconds
 * @param sequence    tells apart messages due at the same time (unique within the queue)
 */
public record ScheduleHandle(String topic, long dueAtMillis, long sequence) {
    /** When the message is to appear. */
    public Instant dueAt() {
        return Instant.ofEpochMilli(dueAtMillis);
    }

    /** {@code <due millis>-<sequence>}, as {@code rmq schedules list} shows it. */
    public String token() {
        return dueAtMillis + "-" + sequence;
    }

    /**
     * The handle of {@code topic}'s scheduled message whose {@link #token()} is {@code token}.
     *
     * @throws InvalidArgumentException if the token is not of that form
     */
    public static ScheduleHandle parse(String topic, String token) {
        int dash = token == null ? -1 : token.indexOf('-');
        try {
            if (dash > 0) {
                long due = Long.parseLong(token.substring(0, dash));
                long sequence = Long.parseLong(token.substring(dash + 1));
                if (due >= 0 && sequence >= 0) {
                    return new ScheduleHandle(topic, due, sequence);
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidArgumentException("not a schedule token (<due millis>-<sequence>): '" + token + "'");
    }
}
