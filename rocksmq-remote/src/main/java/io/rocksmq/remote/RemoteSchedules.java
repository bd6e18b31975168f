package io.rocksmq.remote;

import io.rocksmq.api.OutgoingMessage;

import java.time.Instant;
import java.util.List;

/**
 * The scheduled messages of a served topic still waiting for their time ({@link RemoteMqClient#listSchedules}).
 *
 * <p>Thread-safe (immutable).
 *
 * @param total    how many wait on the topic in all ({@code messages} may hold fewer)
 * @param messages the earliest due first
 */
public record RemoteSchedules(long total, List<Scheduled> messages) {
    public RemoteSchedules {
        messages = List.copyOf(messages);
    }

    /**
     * One scheduled message.
     *
     * @param handle  what {@link RemoteMqClient#cancelSchedule} and {@link io.rocksmq.api.Producer#cancelScheduled} take
     * @param dueAt   when it appears on the topic
     * @param message the message as it will appear (without its delivery time)
     */
    public record Scheduled(String handle, Instant dueAt, OutgoingMessage message) {
    }
}
