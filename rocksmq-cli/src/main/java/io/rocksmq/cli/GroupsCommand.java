package io.rocksmq.cli;

import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.core.RocksMq;
import io.rocksmq.metrics.TopicSnapshot;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code rmq groups list|describe|create|delete|reset}.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "groups", description = "List, describe, create, delete and reset consumer groups.",
        subcommands = {GroupsCommand.ListGroups.class, GroupsCommand.Describe.class, GroupsCommand.Create.class,
                GroupsCommand.Delete.class, GroupsCommand.Reset.class})
final class GroupsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", description = "List the consumer groups of one topic, or of every topic, with position and lag.")
    static final class ListGroups implements Callable<Integer> {
        @Mixin
        QueueOptions queue;
        @Parameters(arity = "0..1", paramLabel = "TOPIC", description = "Only this topic's groups.")
        String topic;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (QueueOptions.OpenQueue q = queue.open()) {
                List<TopicSnapshot> topics = topic == null ? TopicSnapshot.all(q.mq())
                        : List.of(TopicSnapshot.of(q.mq(), topic));
                if (json) {
                    List<Object> list = new ArrayList<>();
                    topics.forEach(t -> t.groups().forEach(g -> list.add(Json.object("topic", t.name(),
                            "group", g.name(), "position", g.position(), "lag", g.lag()))));
                    out.println(Json.write(Json.object("groups", list)));
                } else {
                    List<List<String>> rows = Text.rows("TOPIC", "GROUP", "POSITION", "LAG");
                    topics.forEach(t -> t.groups().forEach(g -> rows.add(List.of(t.name(), g.name(),
                            Long.toString(g.position()), Text.count(g.lag())))));
                    if (rows.size() == 1) {
                        out.println(topic == null ? "no consumer groups" : "no consumer groups on '" + topic + "'");
                    } else {
                        Text.table(out, rows);
                    }
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "describe", description = "Show a group: position, lag, and the next message it will get.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        QueueOptions queue;
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;
        @Parameters(index = "1", paramLabel = "GROUP")
        String group;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (QueueOptions.OpenQueue q = queue.open()) {
                TopicSnapshot t = TopicSnapshot.of(q.mq(), topic);
                TopicSnapshot.GroupSnapshot g = t.group(group);
                if (g == null) {
                    throw new ConsumerGroupNotFoundException(topic, group);
                }
                long next = g.lag() == 0 ? -1 : Math.max(g.position(), t.earliestId());
                Long nextTime = TopicsCommand.publishTime(q.mq(), topic, next);
                if (json) {
                    out.println(Json.write(Json.object("topic", topic, "group", group, "position", g.position(),
                            "lag", g.lag(), "latestId", t.latestId(), "nextId", next,
                            "nextTime", nextTime == null ? null : Text.time(nextTime))));
                } else {
                    List<List<String>> rows = new ArrayList<>();
                    rows.add(List.of("topic", topic));
                    rows.add(List.of("group", group));
                    rows.add(List.of("position", Long.toString(g.position())));
                    rows.add(List.of("lag", Text.count(g.lag()) + " (latest id " + Text.id(t.latestId()) + ")"));
                    rows.add(List.of("next message", next < 0 ? "none yet"
                            : "id " + next + (nextTime == null ? "" : "  published " + Text.time(nextTime))));
                    Text.table(out, rows);
                }
            }
            out.flush();
            return 0;
        }
    }

    /** Where to put a group: exactly one of these. */
    static final class Target {
        @Option(names = "--to-earliest", required = true, description = "The earliest retained message.")
        boolean earliest;
        @Option(names = "--to-latest", required = true, description = "After the latest message: only new ones.")
        boolean latest;
        @Option(names = "--to-id", required = true, paramLabel = "ID",
                description = "The first retained message with an id >= ID.")
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
    static final class Create implements Callable<Integer> {
        @Mixin
        QueueOptions queue;
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;
        @Parameters(index = "1", paramLabel = "GROUP")
        String group;
        @ArgGroup(exclusive = true, multiplicity = "0..1")
        Target target;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (QueueOptions.OpenQueue q = queue.open()) {
                q.mq().createConsumerGroup(topic, group);
                if (target != null) {
                    target.apply(q.mq(), topic, group);
                }
                TopicSnapshot.GroupSnapshot g = TopicSnapshot.of(q.mq(), topic).group(group);
                out.println("created group '" + group + "' on '" + topic + "' at position "
                        + (g == null ? "?" : g.position() + " (lag " + Text.count(g.lag()) + ")"));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a consumer group and its position.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        QueueOptions queue;
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;
        @Parameters(index = "1", paramLabel = "GROUP")
        String group;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (QueueOptions.OpenQueue q = queue.open()) {
                // The API treats an unknown group as a no-op; on the command line a typo should say so.
                if (!q.mq().consumerGroups(topic).contains(group)) {
                    throw new ConsumerGroupNotFoundException(topic, group);
                }
                q.mq().destroyConsumerGroup(topic, group);
                out.println("deleted group '" + group + "' from '" + topic + "'");
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "reset", description = "Move a group's position: to the earliest or latest message, an id, or a time.")
    static final class Reset implements Callable<Integer> {
        @Mixin
        QueueOptions queue;
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;
        @Parameters(index = "1", paramLabel = "GROUP")
        String group;
        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (QueueOptions.OpenQueue q = queue.open()) {
                long before = q.mq().position(topic, group);
                target.apply(q.mq(), topic, group);
                TopicSnapshot.GroupSnapshot g = TopicSnapshot.of(q.mq(), topic).group(group);
                if (g == null) {
                    throw new ConsumerGroupNotFoundException(topic, group);
                }
                if (json) {
                    out.println(Json.write(Json.object("topic", topic, "group", group, "previousPosition", before,
                            "position", g.position(), "lag", g.lag())));
                } else {
                    out.println("group '" + group + "' on '" + topic + "': position " + before + " -> "
                            + g.position() + " (lag " + Text.count(g.lag()) + ")");
                }
            }
            out.flush();
            return 0;
        }
    }
}
