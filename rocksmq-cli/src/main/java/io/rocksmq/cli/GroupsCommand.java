package io.rocksmq.cli;

import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.core.RocksMq;
import io.rocksmq.metrics.TopicSnapshot;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code rmq groups list|describe|create|delete|reset}.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "groups", description = "List, describe, create, delete and reset consumer groups.",
        subcommands = {GroupsCommand.ListGroups.class, GroupsCommand.Describe.class, GroupsCommand.Create.class,
                GroupsCommand.Delete.class, GroupsCommand.Reset.class})
final class GroupsCommand extends CommandGroup {

    @Command(name = "list", description = "List the consumer groups of one topic, or of every topic, with position and lag.")
    static final class ListGroups extends LookingCommand {
        @Parameters(arity = "0..1", paramLabel = "TOPIC", description = "Only this topic's groups.")
        String topic;
        @Mixin
        JsonOption output;

        @Override
        int run(QueueOptions.OpenQueue q, PrintWriter out) {
            List<TopicSnapshot> topics = topic == null ? TopicSnapshot.all(q.mq())
                    : List.of(TopicSnapshot.of(q.mq(), topic));
            List<Object> json = new ArrayList<>();
            topics.forEach(t -> t.groups().forEach(g -> json.add(Json.object("topic", t.name(),
                    "group", g.name(), "position", g.position(), "lag", g.lag()))));
            output.print(out, () -> Json.object("groups", json), () -> {
                if (json.isEmpty()) {
                    out.println(topic == null ? "no consumer groups" : "no consumer groups on '" + topic + "'");
                } else {
                    Text.table(out, Views.groupRows(topics, true));
                }
            });
            return 0;
        }
    }

    /** The commands that name one group of one topic. */
    abstract static class OneGroup extends QueueCommand {
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;
        @Parameters(index = "1", paramLabel = "GROUP")
        String group;

        /** The group as it is now; a typed error if it does not exist. */
        TopicSnapshot.GroupSnapshot snapshot(RocksMq mq) {
            TopicSnapshot.GroupSnapshot g = TopicSnapshot.of(mq, topic).group(group);
            if (g == null) {
                throw new ConsumerGroupNotFoundException(topic, group);
            }
            return g;
        }
    }

    @Command(name = "describe", description = "Show a group: position, lag, and the next message it will get.")
    static final class Describe extends OneGroup {
        @Mixin
        JsonOption output;

        @Override
        QueueOptions.OpenQueue open() {
            return queue().openReadOnly(); // only looks (a LookingCommand, but it shares OneGroup's parameters)
        }

        @Override
        int run(QueueOptions.OpenQueue q, PrintWriter out) {
            RocksMq mq = q.mq();
            TopicSnapshot t = TopicSnapshot.of(mq, topic);
            TopicSnapshot.GroupSnapshot g = snapshot(mq);
            long next = g.lag() == 0 ? -1 : Math.max(g.position(), t.earliestId());
            Long nextTime = Views.publishTime(mq, topic, next);
            output.print(out, () -> Json.object("topic", topic, "group", group, "position", g.position(),
                    "lag", g.lag(), "latestId", t.latestId(), "nextId", next, "nextTime", Views.time(nextTime)), () -> {
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("topic", topic));
                rows.add(List.of("group", group));
                rows.add(List.of("position", Long.toString(g.position())));
                rows.add(List.of("lag", g.lag() + " (latest id " + Text.id(t.latestId()) + ")"));
                rows.add(List.of("next message", next < 0 ? "none yet" : "id " + next + Views.published(nextTime)));
                Text.table(out, rows);
            });
            return 0;
        }
    }

    /** Where to put a group: exactly one of these. */
    static final class Target {
        @Option(names = "--to-earliest", required = true, description = "The earliest retained message.")
        boolean earliest;
        @Option(names = "--to-latest", required = true, description = "After the latest message: only new ones.")
        boolean latest;
        @Option(names = "--to-id", required = true, paramLabel = "ID", converter = Args.Id.class,
                description = "The first retained message with an id >= ID (42 or 0:42).")
        Long id;
        @Option(names = "--to-time", required = true, paramLabel = "TIME", converter = Args.Time.class,
                description = "The first message published at or after TIME (2024-05-01T10:00:00Z, 2024-05-01, -10m, epoch ms).")
        Long time;

        void apply(RocksMq mq, String topic, String group) {
            if (earliest) {
                long first = mq.earliestMessageId(topic);
                if (first < 0) {
                    mq.seekToLatest(topic, group);
                } else {
                    mq.seek(topic, group, first);
                }
            } else if (latest) {
                mq.seekToLatest(topic, group);
            } else if (id != null) {
                mq.seek(topic, group, id);
            } else {
                mq.seekToTimestamp(topic, group, time);
            }
        }
    }

    @Command(name = "create", description = "Create a consumer group (at the earliest retained message unless told otherwise).")
    static final class Create extends OneGroup {
        @ArgGroup(exclusive = true, multiplicity = "0..1")
        Target target;

        @Override
        int run(QueueOptions.OpenQueue q, PrintWriter out) {
            q.mq().createConsumerGroup(topic, group);
            if (target != null) {
                target.apply(q.mq(), topic, group);
            }
            TopicSnapshot.GroupSnapshot g = snapshot(q.mq());
            out.println("created group '" + group + "' on '" + topic + "' at position " + g.position()
                    + " (lag " + g.lag() + ")");
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a consumer group and its position.")
    static final class Delete extends OneGroup {
        @Override
        int run(QueueOptions.OpenQueue q, PrintWriter out) {
            snapshot(q.mq()); // the API treats an unknown group as a no-op; on the command line a typo should say so
            q.mq().destroyConsumerGroup(topic, group);
            out.println("deleted group '" + group + "' from '" + topic + "'");
            return 0;
        }
    }

    @Command(name = "reset", description = "Move a group's position: to the earliest or latest message, an id, or a time.")
    static final class Reset extends OneGroup {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;
        @Mixin
        JsonOption output;

        @Override
        int run(QueueOptions.OpenQueue q, PrintWriter out) {
            long before = q.mq().position(topic, group);
            target.apply(q.mq(), topic, group);
            TopicSnapshot.GroupSnapshot g = snapshot(q.mq());
            output.print(out, () -> Json.object("topic", topic, "group", group, "previousPosition", before,
                    "position", g.position(), "lag", g.lag()),
                    () -> out.println("group '" + group + "' on '" + topic + "': position " + before + " -> "
                            + g.position() + " (lag " + g.lag() + ")"));
            return 0;
        }
    }
}
