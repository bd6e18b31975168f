package io.rocksmq.core;

/**
 * Deliberately broken schedule code, kept so that {@code ScheduleRaceTest} can show it catches it.
 *
 * <p>Thread-safe as far as the broken code is: not at all, which is the point.
 */
final class ScheduleVariants {
    private ScheduleVariants() {
    }

    /**
     * Cancel that checks and deletes without the scheduler's lock: a move that read the entry before the
     * delete still appends the message, and the cancel reports success for a message that appears.
     */
    static final Scheduler.Cancel UNLOCKED_CANCEL = Scheduler::cancelEntry;
}
