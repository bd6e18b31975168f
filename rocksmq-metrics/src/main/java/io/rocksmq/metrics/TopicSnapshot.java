package io.rocksmq.metrics;

import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.core.RocksMq;

import java.util.ArrayList;
import java.util.List;

/**
 * What a topic holds right now, read through the public {@link RocksMq} API: its id range, the number
 * of retained messages, and each consumer group's position and lag. The command line's
 * {@code topics describe} / {@code groups describe} and the {@link RocksMqMetrics} gauges both read
 * topics this way, so every figure is computed in one place.
 *
 * <p>The values are read one after another without a lock: under concurrent produce or consume they
 * are each exact but not one atomic picture (a lag may be computed against a slightly newer latest id).
 *
 * <p>Thread-safe (immutable).
 *
 * @param name       the topic
 * @param earliestId id of the oldest retained message, {@code -1} when the topic holds none
 * @param latestId   id of the newest message ever produced, {@code -1} when none was
 * @param messages   retained messages; ids of one topic are consecutive, so this is
 *                   {@code latestId - earliestId + 1}
 * @param groups     the consumer groups, sorted by name
 */
public record TopicSnapshot(String name, long earliestId, long latestId, long messages, List<GroupSnapshot> groups) {

    public TopicSnapshot {
        groups = List.copyOf(groups);
    }

    /**
     * One consumer group of a topic. Thread-safe (immutable).
     *
     * @param name     the group
     * @param position the id the group's next consume starts at (or after)
     * @param lag      retained messages the group has not consumed yet
     */
    public record GroupSnapshot(String name, long position, long lag) {
    }

    /**
     * Reads one topic.
     *
     * @throws TopicNotFoundException if there is no such topic (or it is destroyed while being read)
     */
    public static TopicSnapshot of(RocksMq mq, String topic) {
        long latest = mq.latestMessageId(topic);
        long earliest = mq.earliestMessageId(topic);
        List<GroupSnapshot> groups = new ArrayList<>();
        for (String g : mq.consumerGroups(topic)) {
            try {
                long position = mq.position(topic, g);
                groups.add(new GroupSnapshot(g, position, lag(earliest, latest, position)));
            } catch (ConsumerGroupNotFoundException destroyedMeanwhile) {
                // destroyed between listing and reading: it is simply not there any more
            }
        }
        // -------------------------------------------------------------------------------------------
        // The one place where the topic's storage statistics belong: once RocksMq.admin().topicStats(topic)
        // lands in core, read it here and add its stored bytes (and exact message count and retention
        // settings) as components of this record; `rmq topics describe` and the
        // rocksmq.topic.* gauges then pick them up from this record.
        // -------------------------------------------------------------------------------------------
        return new TopicSnapshot(topic, earliest, latest, retained(earliest, latest), groups);
    }

    /** Reads every topic; topics destroyed while reading are left out. */
    public static List<TopicSnapshot> all(RocksMq mq) {
        List<TopicSnapshot> out = new ArrayList<>();
        for (String t : mq.topics()) {
            try {
                out.add(of(mq, t));
            } catch (TopicNotFoundException destroyedMeanwhile) {
                // not there any more
            }
        }
        return out;
    }

    /** Finds a group by name, or null. */
    public GroupSnapshot group(String group) {
        for (GroupSnapshot g : groups) {
            if (g.name().equals(group)) {
                return g;
            }
        }
        return null;
    }

    /** Retained messages given the id range ({@code -1} meaning none). */
    static long retained(long earliest, long latest) {
        return earliest < 0 || latest < earliest ? 0 : latest - earliest + 1;
    }

    /**
     * Retained messages at or after {@code position}: what the group would still receive. Messages
     * below the earliest retained id no longer exist and do not count.
     */
    static long lag(long earliest, long latest, long position) {
        if (latest < 0 || earliest < 0) {
            return 0;
        }
        long from = Math.max(position, earliest);
        return Math.max(0, latest + 1 - from);
    }
}
