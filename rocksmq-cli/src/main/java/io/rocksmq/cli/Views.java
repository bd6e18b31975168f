package io.rocksmq.cli;

import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.metrics.TopicSnapshot;

import java.util.List;

/**
 * What the topic, group and check commands show alike: groups as rows or JSON, a message's publish time.
 *
 * <p>Thread-safe: stateless.
 */
final class Views {
    private Views() {
    }

    /** Publish time of the first message with an id at or after {@code id}, or null if there is none. */
    static Long publishTime(RocksMq mq, String topic, long id) {
        if (id < 0) {
            return null;
        }
        List<ConsumerMessage> m = mq.read(topic, id, 1);
        return m.isEmpty() ? null : m.get(0).publishTime();
    }

    /** A publish time for JSON, or null. */
    static String time(Long epochMillis) {
        return epochMillis == null ? null : Text.time(epochMillis);
    }

    /** "  published TIME" after an id in a table, or nothing. */
    static String published(Long epochMillis) {
        return epochMillis == null ? "" : "  published " + Text.time(epochMillis);
    }

    static List<Object> groupsJson(TopicSnapshot t) {
        return t.groups().stream().map(g -> (Object) Json.object("name", g.name(), "position", g.position(),
                "lag", g.lag())).toList();
    }

    /** A table of one topic's groups: GROUP, POSITION, LAG. */
    static List<List<String>> groupRows(TopicSnapshot topic) {
        List<List<String>> rows = Text.rows("GROUP", "POSITION", "LAG");
        for (TopicSnapshot.GroupSnapshot g : topic.groups()) {
            rows.add(List.of(g.name(), Long.toString(g.position()), Long.toString(g.lag())));
        }
        return rows;
    }
}
