package io.rocksmq.cli;

import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.metrics.TopicSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rmq topics list|create|delete|describe}.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "topics", description = "List, create, delete and describe topics.",
        subcommands = {TopicsCommand.ListTopics.class, TopicsCommand.Create.class, TopicsCommand.Delete.class,
                TopicsCommand.Describe.class})
final class TopicsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", description = "List topics with their message counts, id ranges and group counts.")
    static final class ListTopics implements Callable<Integer> {
        @Mixin
        QueueOptions queue;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (QueueOptions.OpenQueue q = queue.open()) {
                List<TopicSnapshot> topics = TopicSnapshot.all(q.mq());
                if (json) {
                    List<Object> list = new ArrayList<>();
                    topics.forEach(t -> list.add(Json.object("name", t.name(), "messages", t.messages(),
                            "earliestId", t.earliestId(), "latestId", t.latestId(), "groups", t.groups().size())));
                    out.println(Json.write(Json.object("topics", list)));
                } else if (topics.isEmpty()) {
                    out.println("no topics in " + queue.data);
                } else {
                    List<List<String>> rows = Text.rows("TOPIC", "MESSAGES", "EARLIEST", "LATEST", "GROUPS");
                    topics.forEach(t -> rows.add(List.of(t.name(), Text.count(t.messages()), Text.id(t.earliestId()),
                            Text.id(t.latestId()), Integer.toString(t.groups().size()))));
                    Text.table(out, rows);
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "create", description = "Create topics (creating the data directory if needed); existing ones are kept.")
    static final class Create implements Callable<Integer> {
        @Mixin
        QueueOptions queue;
        @Parameters(arity = "1..*", paramLabel = "TOPIC")
        List<String> names;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (QueueOptions.OpenQueue q = queue.open(true, null)) {
                for (String name : names) {
                    boolean existed = q.mq().topicExists(name);
                    q.mq().createTopic(name);
                    out.println(existed ? "topic '" + name + "' exists" : "created topic '" + name + "'");
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete topics with their messages and consumer groups.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        QueueOptions queue;
        @Parameters(arity = "1..*", paramLabel = "TOPIC")
        List<String> names;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (QueueOptions.OpenQueue q = queue.open()) {
                for (String name : names) {
                    if (!q.mq().topicExists(name)) {
                        throw new TopicNotFoundException(name); // before deleting any: all or nothing
                    }
                }
                for (String name : names) {
                    long messages = TopicSnapshot.of(q.mq(), name).messages();
                    q.mq().destroyTopic(name);
                    out.println("deleted topic '" + name + "' (" + Text.messages(messages) + ")");
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "describe", description = "Show a topic: messages, id range and publish times, groups with position and lag.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        QueueOptions queue;
        @Parameters(paramLabel = "TOPIC")
        String name;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (QueueOptions.OpenQueue q = queue.open()) {
                TopicSnapshot t = TopicSnapshot.of(q.mq(), name);
                Long earliestTime = publishTime(q.mq(), name, t.earliestId());
                Long latestTime = t.earliestId() < 0 ? null : publishTime(q.mq(), name, t.latestId());
                if (json) {
                    Map<String, Object> o = Json.object("name", t.name(), "messages", t.messages(),
                            "earliestId", t.earliestId(), "latestId", t.latestId(),
                            "earliestTime", earliestTime == null ? null : Text.time(earliestTime),
                            "latestTime", latestTime == null ? null : Text.time(latestTime),
                            "groups", groupsJson(t));
                    out.println(Json.write(o));
                } else {
                    List<List<String>> rows = new ArrayList<>();
                    rows.add(List.of("topic", t.name()));
                    rows.add(List.of("messages", Text.count(t.messages())));
                    rows.add(List.of("earliest id", Text.id(t.earliestId())
                            + (earliestTime == null ? "" : "  published " + Text.time(earliestTime))));
                    rows.add(List.of("latest id", Text.id(t.latestId())
                            + (latestTime == null ? "" : "  published " + Text.time(latestTime))));
                    rows.add(List.of("groups", Integer.toString(t.groups().size())));
                    Text.table(out, rows);
                    if (!t.groups().isEmpty()) {
                        out.println();
                        List<List<String>> groups = Text.rows("GROUP", "POSITION", "LAG");
                        t.groups().forEach(g -> groups.add(List.of(g.name(), Long.toString(g.position()),
                                Text.count(g.lag()))));
                        Text.table(out, groups);
                    }
                }
            }
            out.flush();
            return 0;
        }
    }

    static List<Object> groupsJson(TopicSnapshot t) {
        List<Object> groups = new ArrayList<>();
        t.groups().forEach(g -> groups.add(Json.object("name", g.name(), "position", g.position(), "lag", g.lag())));
        return groups;
    }

    /** Publish time of the message with that id, or null if there is none. */
    static Long publishTime(RocksMq mq, String topic, long id) {
        if (id < 0) {
            return null;
        }
        List<ConsumerMessage> m = mq.read(topic, id, 1);
        return m.isEmpty() ? null : m.get(0).publishTime();
    }
}
