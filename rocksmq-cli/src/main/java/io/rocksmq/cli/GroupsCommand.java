package io.rocksmq.cli;

import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.SharedSubscription;
import io.rocksmq.api.SubscriptionType;
import io.rocksmq.remote.RemoteMqClient;
import io.rocksmq.remote.RemoteSubscription;
import io.rocksmq.remote.RemoteTopicStats;
import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.SubscriptionInfo;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.api.WrongGroupTypeException;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.SharedGroup;
import io.rocksmq.core.SharedGroupOptions;
import io.rocksmq.metrics.TopicSnapshot;
import io.rocksmq.remote.Wire;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
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

    /**
     * {@code groups list}: position, lag and, with {@code --server}, the expired messages each group moved
     * past undelivered since the server's queue opened ("?" / absent from servers before that count). On a
     * directory the expired counts are not known ("?" / absent): they live in the process that has the
     * queue open and are not persisted, so an open by this command would count only its own (none).
     */
    @Command(name = "list", description = "List the consumer groups of one topic, or of every topic, with position,"
            + " lag and (with --server) expired messages skipped.")
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
            List<List<String>> rows = Text.rows("TOPIC", "GROUP", "POSITION", "LAG", "EXPIRED");
            topics.forEach(t -> t.groups().forEach(g -> {
                json.add(Json.object("topic", t.name(), "group", g.name(), "position", g.position(), "lag", g.lag()));
                rows.add(List.of(t.name(), g.name(), Long.toString(g.position()), Long.toString(g.lag()), expired(-1)));
            }));
            output.print(out, () -> Json.object("groups", json), () -> {
                if (json.isEmpty()) {
                    out.println(topic == null ? "no consumer groups" : "no consumer groups on '" + topic + "'");
                } else {
                    Text.table(out, rows);
                }
            });
            return 0;
        }

        @Override
        boolean worksRemotely() {
            return true;
        }

        /** On a server: groups with their position and lag. */
        @Override
        int runRemote(MqClient client, PrintWriter out) {
            List<String> topics = topic == null ? client.listTopics() : List.of(topic);
            List<Object> json = new ArrayList<>();
            List<List<String>> rows = Text.rows("TOPIC", "GROUP", "POSITION", "LAG", "EXPIRED");
            for (String t : topics) {
                for (RemoteSubscription g : client.unwrap(RemoteMqClient.class).describeSubscriptions(t)) {
                    json.add(g.expired() < 0
                            ? Json.object("topic", t, "group", g.name(), "position", g.position(), "lag", g.lag())
                            : Json.object("topic", t, "group", g.name(), "position", g.position(), "lag", g.lag(),
                                    "expired", g.expired()));
                    rows.add(List.of(t, g.name(), Long.toString(g.position()), Long.toString(g.lag()),
                            expired(g.expired())));
                }
            }
            output.print(out, () -> Json.object("groups", json), () -> {
                if (json.isEmpty()) {
                    out.println(topic == null ? "no consumer groups" : "no consumer groups on '" + topic + "'");
                } else {
                    Text.table(out, rows);
                }
            });
            return 0;
        }
    }

    /** An expired count for a table: "?" if not known (-1). */
    private static String expired(long count) {
        return count < 0 ? "?" : Long.toString(count);
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

        /** On a server: the group's lag; a typed error if it does not exist. */
        long remoteLag(MqClient client) {
            return remote(client).lag();
        }

        /** On a server: the group as the server describes it; a typed error if it does not exist. */
        RemoteSubscription remote(MqClient client) {
            return client.unwrap(RemoteMqClient.class).describeSubscriptions(topic).stream()
                    .filter(g -> g.name().equals(group)).findFirst()
                    .orElseThrow(() -> new ConsumerGroupNotFoundException(topic, group));
        }

        /** On a server: holds the group's subscription while {@code target} moves it (the group must be free). */
        void remoteMove(MqClient client, Target target) {
            try (Consumer c = client.subscribe(ConsumerOptions.builder(topic, group).initialPosition(
                    target != null && target.latest ? SubscriptionInitialPosition.LATEST
                            : SubscriptionInitialPosition.EARLIEST).build())) {
                if (target != null) {
                    target.apply(c);
                }
            }
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
            SharedGroup.Stats s = sharedStats(mq);
            if (s != null) {
                describeShared(out, mq.sharedGroup(topic, group).options(), s, g);
                return 0;
            }
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

        @Override
        boolean worksRemotely() {
            return true;
        }

        /**
         * On a server: position, lag and the next message's id (the protocol gives no publish time, and
         * of a shared group only its ack floor, as the position).
         */
        @Override
        int runRemote(MqClient client, PrintWriter out) {
            RemoteSubscription g = remote(client);
            RemoteTopicStats t = client.unwrap(RemoteMqClient.class).topicStats(topic);
            long next = g.lag() == 0 ? -1 : Math.max(g.position(), t.earliestOffset());
            output.print(out, () -> Json.object("topic", topic, "group", group, "position", g.position(),
                    "lag", g.lag(), "latestId", t.latestOffset(), "nextId", next, "nextTime", null), () -> {
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("topic", topic));
                rows.add(List.of("group", group));
                rows.add(List.of("position", Long.toString(g.position())));
                rows.add(List.of("lag", g.lag() + " (latest id " + Text.id(t.latestOffset()) + ")"));
                rows.add(List.of("next message", next < 0 ? "none yet" : "id " + next));
                Text.table(out, rows);
            });
            return 0;
        }

        /** The shared group's counts, or null for a stream group. */
        private SharedGroup.Stats sharedStats(RocksMq mq) {
            try {
                return mq.sharedGroup(topic, group).stats();
            } catch (WrongGroupTypeException stream) {
                return null;
            }
        }

        /**
         * A shared group as this (read-only) process sees it: what is persisted. Locks live in the process
         * that holds the queue open, so in flight shows there, not here.
         */
        private void describeShared(PrintWriter out, SharedGroupOptions o, SharedGroup.Stats s,
                                    TopicSnapshot.GroupSnapshot g) {
            output.print(out, () -> Json.object("topic", topic, "group", group, "type", "shared",
                    "ackFloor", s.ackFloor(), "lag", g.lag(), "redeliveryPending", s.available(),
                    "deadLettered", s.deadLettered(), "rejected", s.rejected(),
                    "lockMillis", o.lockDuration().toMillis(), "maxDeliveries", o.maxDeliveries(),
                    "deadLetterTopic", o.deadLetterTopic(), "maxInFlight", o.maxInFlight()), () -> {
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("topic", topic));
                rows.add(List.of("group", group + " (shared)"));
                rows.add(List.of("ack floor", s.ackFloor() + " (everything below is finished)"));
                rows.add(List.of("unfinished", g.lag() + " at or above the floor"));
                rows.add(List.of("redelivered next", s.available() + " (delivered before, not finished)"));
                rows.add(List.of("dead-lettered", s.deadLettered() + (o.deadLetterTopic() == null ? ""
                        : " to '" + o.deadLetterTopic() + "'")));
                rows.add(List.of("rejected", s.rejected() + " (archived, no dead-letter topic)"));
                rows.add(List.of("settings", "lock " + o.lockDuration() + ", max deliveries "
                        + (o.maxDeliveries() < 0 ? "unlimited" : o.maxDeliveries()) + ", max in flight "
                        + o.maxInFlight() + ", redelivery delays " + o.redeliveryDelays()));
                rows.add(List.of("in flight", "held by the process that has the queue open (not shown here)"));
                Text.table(out, rows);
            });
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

        /** The same move through a subscription of the client API (on a server). */
        void apply(Consumer c) {
            if (earliest) {
                c.seekToEarliest();
            } else if (latest) {
                c.seekToLatest();
            } else if (id != null) {
                c.seek(MessageId.of(Wire.PARTITION, id), true);
            } else {
                c.seekToTimestamp(time);
            }
        }
    }

    /** A shared group (a work queue) and its settings. */
    static final class Shared {
        @Option(names = "--shared", required = true,
                description = "A shared group (work queue): each message to one worker, acked one by one.")
        boolean shared;
        @Option(names = "--lock", paramLabel = "DURATION", converter = Args.Span.class,
                description = "How long a delivery stays locked to its worker (default 30s).")
        Duration lock = SharedGroupOptions.DEFAULT_LOCK_DURATION;
        @Option(names = "--max-deliveries", paramLabel = "N",
                description = "Deliveries before a message is dead-lettered; -1: unlimited (default 5).")
        int maxDeliveries = SharedGroupOptions.DEFAULT_MAX_DELIVERIES;
        @Option(names = "--dead-letter-topic", paramLabel = "TOPIC",
                description = "Where dead letters go (must exist); default: archived as rejected and counted.")
        String deadLetterTopic;
        @Option(names = "--redelivery-delay", paramLabel = "DURATION", converter = Args.Span.class, split = ",",
                description = "Wait before redelivering a released message, by attempt (1s,10s,1m); default none.")
        List<Duration> delays = new ArrayList<>();
        @Option(names = "--max-in-flight", paramLabel = "N",
                description = "Most messages locked to workers at once (default 1000).")
        int maxInFlight = SharedGroupOptions.DEFAULT_MAX_IN_FLIGHT;

        SharedGroupOptions options() {
            return new SharedGroupOptions(lock, maxDeliveries, deadLetterTopic, delays, maxInFlight);
        }
    }

    /** Either a position for a stream group, or a shared group. */
    static final class Kind {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;
        @ArgGroup(exclusive = false, multiplicity = "1")
        Shared shared;
    }

    @Command(name = "create", description = "Create a consumer group: a stream group (at the earliest retained"
            + " message unless told otherwise) or, with --shared, a shared one (a work queue).")
    static final class Create extends OneGroup {
        @ArgGroup(exclusive = true, multiplicity = "0..1")
        Kind kind;

        @Override
        int run(QueueOptions.OpenQueue q, PrintWriter out) {
            if (kind != null && kind.shared != null) {
                q.mq().createSharedGroup(topic, group, kind.shared.options());
                out.println("created shared group '" + group + "' on '" + topic + "' at ack floor "
                        + q.mq().position(topic, group));
                return 0;
            }
            Target target = kind == null ? null : kind.target;
            q.mq().createConsumerGroup(topic, group);
            if (target != null) {
                target.apply(q.mq(), topic, group);
            }
            TopicSnapshot.GroupSnapshot g = snapshot(q.mq());
            out.println("created group '" + group + "' on '" + topic + "' at position " + g.position()
                    + " (lag " + g.lag() + ")");
            return 0;
        }

        @Override
        boolean worksRemotely() {
            return true;
        }

        @Override
        int runRemote(MqClient client, PrintWriter out) {
            if (kind != null && kind.shared != null) {
                if (client.listSubscriptions(topic).stream().anyMatch(g -> g.name().equals(group))) {
                    throw new ConsumerGroupExistsException(topic, group); // joining would take its settings silently
                }
                Shared s = kind.shared;
                try (Consumer c = client.subscribe(ConsumerOptions.builder(topic, group)
                        .subscriptionType(SubscriptionType.SHARED)
                        .shared(new SharedSubscription(s.lock, s.maxDeliveries, s.deadLetterTopic, s.delays, s.maxInFlight))
                        .build())) {
                    // opening it created it; this consumer takes nothing
                }
                out.println("created shared group '" + group + "' on '" + topic + "' at ack floor "
                        + remote(client).position());
                return 0;
            }
            remoteMove(client, kind == null ? null : kind.target);
            out.println("created group '" + group + "' on '" + topic + "' (lag " + remoteLag(client) + ")");
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

        @Override
        boolean worksRemotely() {
            return true;
        }

        @Override
        int runRemote(MqClient client, PrintWriter out) {
            remoteLag(client); // an unknown group is an error here too
            client.deleteSubscription(topic, group);
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

        @Override
        boolean worksRemotely() {
            return true;
        }

        /** On a server: the lag before and after (the protocol gives no positions). */
        @Override
        int runRemote(MqClient client, PrintWriter out) {
            long before = remoteLag(client);
            remoteMove(client, target);
            long after = remoteLag(client);
            output.print(out, () -> Json.object("topic", topic, "group", group, "previousLag", before, "lag", after),
                    () -> out.println("group '" + group + "' on '" + topic + "': lag " + before + " -> " + after));
            return 0;
        }
    }
}
