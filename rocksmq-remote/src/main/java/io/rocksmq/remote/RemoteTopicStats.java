package io.rocksmq.remote;

/**
 * What a served topic retains ({@link RemoteMqClient#topicStats}).
 *
 * <p>Thread-safe (immutable).
 *
 * @param retainedMessages messages stored and not yet removed by retention
 * @param retainedBytes    their stored size
 * @param earliestOffset   the oldest retained message, -1 when none
 * @param latestOffset     the newest stored message, -1 when none
 */
public record RemoteTopicStats(long retainedMessages, long retainedBytes, long earliestOffset, long latestOffset) {
}
