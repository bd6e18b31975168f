package io.rocksmq.core;

/**
 * A message waiting in the schedule ({@link RocksMq#scheduled}): its handle and the message as it will be
 * produced (without the delivery time).
 *
 * <p>Thread-safe (immutable; the payload array is the caller's copy).
 *
 * @param handle  names it, for {@link RocksMq#cancelScheduled}
 * @param message what will appear on the topic
 */
public record ScheduledMessage(ScheduleHandle handle, ProducerMessage message) {
}
