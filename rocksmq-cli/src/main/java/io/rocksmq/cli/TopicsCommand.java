package io.rocksmq.cli;

import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.TopicNotFoundException;
import io.rocksmq.remote.RemoteMqClient;
import io.rocksmq.remote.RemoteSubscription;
import io.rocksmq.remote.RemoteTopicStats;
import io.rocksmq.core.MessageSettings;
import io.rocksmq.core.RetentionPolicy;
import io.rocksmq.core.RocksMq;
import io.rocksmq.metrics.TopicSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code rmq topics list|create|delete|describe}.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "topics", description = "List, create, delete and describe topics.",
        subcommands = {TopicsCommand.ListTopics.class, TopicsCommand.Create.class, TopicsCommand.Delete.class,
                TopicsCommand.Describe.class, TopicsCommand.Alter.class})
final class TopicsCommand extends CommandGroup {

    @Command(name = "list", description = "List topics with their message counts, id ranges and group counts.")
    static final class ListTopics extends LookingCommand {
        @Mixin
        JsonOption output;

        @Override
        int run(QueueOptions.OpenQueue q, PrintWriter out) {
            List<TopicSnapshot> topics = TopicSnapshot.all(q.mq());
            output.print(out, () -> Json.object("topics", topics.stream().map(t -> Json.object("name", t.name(),
                    "messages", t.messages(), "earliestId", t.earliestId(), "latestId", t.latestId(),
                    "groups", t.groups().size())).toList()), () -> {
                if (topics.isEmpty()) {
                    out.println("no topics in " + queue().data());
                    return;
                }
                List<List<String>> rows = Text.rows("TOPIC", "MESSAGES", "EARLIEST", "LATEST", "GROUPS");
                topics.forEach(t -> rows.add(List.of(t.name(), Long.toString(t.messages()), Text.id(t.earliestId()),
                        Text.id(t.latestId()), Integer.toString(t.groups().size()))));
                Text.table(out, rows);
            });
            return 0;
        }

        @Override
        boolean worksRemotely() {
            return true;
        }

        /** On a server: names and group counts (the protocol does not give message counts or id ranges). */
        @Override
        int runRemote(MqClient client, PrintWriter out) {
            List<String> names = client.listTopics();
            List<Integer> groups = names.stream().map(n -> client.listSubscriptions(n).size()).toList();
            output.print(out, () -> Json.object("topics", java.util.stream.IntStream.range(0, names.size())
                    .mapToObj(i -> Json.object("name", names.get(i), "groups", groups.get(i))).toList()), () -> {
                if (names.isEmpty()) {
                    out.println("no topics on the server");
                    return;
                }
                List<List<String>> rows = Text.rows("TOPIC", "GROUPS");
                for (int i = 0; i < names.size(); i++) {
                    rows.add(List.of(names.get(i), Integer.toString(groups.get(i))));
                }
                Text.table(out, rows);
            });
            return 0;
        }
    }

    @Command(name = "create", description = "Create topics (creating the data directory if needed); existing ones are kept.")
    static final class Create extends QueueCommand {
        @Parameters(arity = "1..*", paramLabel = "TOPIC")
        List<String> names;

        @Override
        QueueOptions.OpenQueue open() {
            return queue().open(true, null);
        }

        @Override
        int run(QueueOptions.OpenQueue q, PrintWriter out) {
            for (String name : names) {
                boolean existed = q.mq().topicExists(name);
                q.mq().createTopic(name);
                out.println(existed ? "topic '" + name + "' exists" : "created topic '" + name + "'");
            }
            return 0;
        }

        @Override
        boolean worksRemotely() {
            return true;
        }

        @Override
        int runRemote(MqClient client, PrintWriter out) {
            for (String name : names) {
                boolean existed = client.listTopics().contains(name);
                client.createTopic(name);
                out.println(existed ? "topic '" + name + "' exists" : "created topic '" + name + "'");
            }
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete topics with their messages and consumer groups.")
    static final class Delete extends QueueCommand {
        @Parameters(arity = "1..*", paramLabel = "TOPIC")
        List<String> names;

        @Override
        int run(QueueOptions.OpenQueue q, PrintWriter out) {
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
            return 0;
        }

        @Override
        boolean worksRemotely() {
            return true;
        }

        @Override
        int runRemote(MqClient client, PrintWriter out) {
            List<String> existing = client.listTopics();
            for (String name : names) {
                if (!existing.contains(name)) {
                    throw new TopicNotFoundException(name); // before deleting any: all or nothing
                }
            }
            for (String name : names) {
                client.deleteTopic(name);
                out.println("deleted topic '" + name + "'");
            }
            return 0;
        }
    }

    @Command(name = "describe", description = "Show a topic: messages, id range and publish times, groups with position and lag.")
    static final class Describe extends LookingCommand {
        @Parameters(paramLabel = "TOPIC")
        String name;
        @Mixin
        JsonOption output;

        @Override
        int run(QueueOptions.OpenQueue q, PrintWriter out) {
            RocksMq mq = q.mq();
            TopicSnapshot t = TopicSnapshot.of(mq, name);
            Long earliestTime = Views.publishTime(mq, name, t.earliestId());
            Long latestTime = t.earliestId() < 0 ? null : Views.publishTime(mq, name, t.latestId());
            RetentionPolicy retention = mq.admin().retention(name);
            RetentionPolicy own = mq.admin().retentionOverride(name);
            MessageSettings settings = mq.admin().messageSettings(name);
            long duplicates = mq.admin().topicStats(name).deduplicatedMessages();
            long scheduled = mq.admin().scheduledCount(name);
            output.print(out, () -> Json.object("name", t.name(), "messages", t.messages(),
                    "earliestId", t.earliestId(), "latestId", t.latestId(),
                    "earliestTime", Views.time(earliestTime), "latestTime", Views.time(latestTime),
                    "retention", Json.object("retentionTimeMillis", retention.retentionTime(),
                            "retentionBytes", retention.retentionBytes(),
                            "maxRetentionTimeMillis", retention.maxRetentionTime(),
                            "maxRetentionBytes", retention.maxRetentionBytes(),
                            "topicOverride", !own.equals(RetentionPolicy.INHERIT_ALL)),
                    "deduplication", Json.object("windowMillis", settings.deduplicationWindow().toMillis(),
                            "deduplicatedMessages", duplicates),
                    "defaultTtlMillis", settings.defaultTtl().toMillis(),
                    "scheduledMessages", scheduled,
                    "groups", Views.groupsJson(t)), () -> {
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("topic", t.name()));
                rows.add(List.of("messages", Long.toString(t.messages())));
                rows.add(List.of("earliest id", Text.id(t.earliestId()) + Views.published(earliestTime)));
                rows.add(List.of("latest id", Text.id(t.latestId()) + Views.published(latestTime)));
                rows.add(List.of("groups", Integer.toString(t.groups().size())));
                rows.add(List.of("retention", "read by every group: kept " + Text.millis(retention.retentionTime())
                        + own(own.retentionTime()) + ", up to " + Text.limitBytes(retention.retentionBytes())
                        + own(own.retentionBytes())));
                rows.add(List.of("", "any data: kept " + Text.millis(retention.maxRetentionTime())
                        + own(own.maxRetentionTime()) + ", up to " + Text.limitBytes(retention.maxRetentionBytes())
                        + own(own.maxRetentionBytes())));
                rows.add(List.of("dedup", settings.deduplicationWindow().isZero() ? "off"
                        : "window " + Text.millis(settings.deduplicationWindow().toMillis()) + ", "
                        + Text.messages(duplicates) + " not stored again"));
                rows.add(List.of("expiry", settings.defaultTtl().isZero() ? "only messages with their own"
                        : "default ttl " + Text.millis(settings.defaultTtl().toMillis())));
                rows.add(List.of("scheduled", Text.messages(scheduled) + " waiting for their delivery time"));
                Text.table(out, rows);
                if (!t.groups().isEmpty()) {
                    out.println();
                    Text.table(out, Views.groupRows(t));
                }
            });
            return 0;
        }

        @Override
        boolean worksRemotely() {
            return true;
        }

        /**
         * On a server: retained messages, the id range and the groups with position and lag (the protocol
         * gives neither publish times nor retention settings).
         */
        @Override
        int runRemote(MqClient client, PrintWriter out) {
            RemoteMqClient remote = client.unwrap(RemoteMqClient.class);
            List<RemoteSubscription> groups = remote.describeSubscriptions(name);
            RemoteTopicStats stats = remote.topicStats(name);
            output.print(out, () -> Json.object("name", name, "messages", stats.retainedMessages(),
                    "earliestId", stats.earliestOffset(), "latestId", stats.latestOffset(), "groups", groups.stream()
                            .map(g -> (Object) Json.object("name", g.name(), "position", g.position(), "lag", g.lag()))
                            .toList()), () -> {
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("topic", name));
                rows.add(List.of("messages", Long.toString(stats.retainedMessages())));
                rows.add(List.of("earliest id", Text.id(stats.earliestOffset())));
                rows.add(List.of("latest id", Text.id(stats.latestOffset())));
                rows.add(List.of("groups", Integer.toString(groups.size())));
                Text.table(out, rows);
                if (!groups.isEmpty()) {
                    out.println();
                    List<List<String>> g = Text.rows("GROUP", "POSITION", "LAG");
                    groups.forEach(s -> g.add(List.of(s.name(), Long.toString(s.position()), Long.toString(s.lag()))));
                    Text.table(out, g);
                }
            });
            return 0;
        }

        private static String own(long overrideValue) {
            return overrideValue == RetentionPolicy.INHERIT ? "" : " (topic's own)";
        }
    }

    @Command(name = "alter", description = {"Change a topic's retention or deduplication window (persisted; see README, Retention, and docs/retention.md).",
            "Times: 90m, 12h, 7d; sizes: 64MiB, 1GiB; 'unlimited' disables a limit, 'default' follows the"
                    + " queue's default again."})
    static final class Alter extends QueueCommand implements DirectoryOnly {
        @Override
        public String whyNotRemote() {
            return "the protocol has no call for retention and deduplication settings yet; stop the server and"
                    + " run it with --data";
        }

        @Parameters(paramLabel = "TOPIC")
        String name;
        @Option(names = "--retention-time", paramLabel = "TIME",
                description = "How long data every group has read is kept.")
        String retentionTime;
        @Option(names = "--retention-bytes", paramLabel = "SIZE",
                description = "How much data every group has read is kept.")
        String retentionBytes;
        @Option(names = "--max-retention-time", paramLabel = "TIME",
                description = "Hard cap: how long any data is kept, read or not.")
        String maxRetentionTime;
        @Option(names = "--max-retention-bytes", paramLabel = "SIZE",
                description = "Hard cap: how much data is kept, read or not.")
        String maxRetentionBytes;
        @Option(names = "--default-retention", description = "Drop the topic's own settings: follow the queue's defaults.")
        boolean reset;
        @Option(names = "--dedup-window", paramLabel = "TIME",
                description = "Deduplication window: how long a stored deduplication id keeps a resend from being stored (0 turns it off).")
        String dedupWindow;
        @Option(names = "--default-ttl", paramLabel = "TIME",
                description = "Messages without their own expiry expire TIME after their publish time ('none': never);"
                        + " applies to stored messages too.")
        String defaultTtl;

        /** The parsed limits, null where not given or not changed (the topic keeps its setting). */
        private Long[] limits;
        private java.time.Duration window;
        private java.time.Duration ttl;

        @Override
        void validate() {
            boolean anyLimit = retentionTime != null || retentionBytes != null || maxRetentionTime != null
                    || maxRetentionBytes != null;
            if (dedupWindow != null || defaultTtl != null) {
                try {
                    window = dedupWindow == null ? null : dedupWindow.trim().equals("0") ? java.time.Duration.ZERO
                            : Args.parseDuration(dedupWindow.trim());
                    ttl = defaultTtl == null ? null : defaultTtl.trim().equals("none") ? java.time.Duration.ZERO
                            : Args.parseDuration(defaultTtl.trim());
                } catch (picocli.CommandLine.TypeConversionException e) {
                    throw usage(e.getMessage());
                }
                if (!reset && !anyLimit) {
                    return;
                }
            }
            if (reset == anyLimit) {
                throw usage(reset ? "--default-retention cannot be combined with a limit"
                        : "give at least one of --retention-time, --retention-bytes, --max-retention-time,"
                        + " --max-retention-bytes, --default-retention, --dedup-window, --default-ttl");
            }
            limits = new Long[] {limit(retentionTime, true), limit(retentionBytes, false),
                    limit(maxRetentionTime, true), limit(maxRetentionBytes, false)};
        }

        @Override
        int run(QueueOptions.OpenQueue q, PrintWriter out) {
            RocksMq mq = q.mq();
            if (window != null || ttl != null) {
                MessageSettings settings = mq.admin().messageSettings(name);
                settings = window == null ? settings : settings.withDeduplicationWindow(window);
                settings = ttl == null ? settings : settings.withDefaultTtl(ttl);
                mq.admin().setMessageSettings(name, settings);
                out.println("topic '" + name + "': deduplication " + (settings.deduplicationWindow().isZero() ? "off"
                        : "window " + Text.millis(settings.deduplicationWindow().toMillis())) + ", default ttl "
                        + (settings.defaultTtl().isZero() ? "none" : Text.millis(settings.defaultTtl().toMillis())));
                if (limits == null) {
                    return 0;
                }
            }
            RetentionPolicy own = reset ? RetentionPolicy.INHERIT_ALL : mq.admin().retentionOverride(name);
            if (!reset) {
                own = new RetentionPolicy(or(limits[0], own.retentionTime()), or(limits[1], own.retentionBytes()),
                        or(limits[2], own.maxRetentionTime()), or(limits[3], own.maxRetentionBytes()));
            }
            mq.admin().setRetention(name, own);
            RetentionPolicy now = mq.admin().retention(name);
            out.println("topic '" + name + "': keeps data read by every group " + Text.millis(now.retentionTime())
                    + ", up to " + Text.limitBytes(now.retentionBytes()) + "; any data " + Text.millis(now.maxRetentionTime())
                    + ", up to " + Text.limitBytes(now.maxRetentionBytes()));
            return 0;
        }

        private static long or(Long given, long current) {
            return given == null ? current : given;
        }

        private Long limit(String given, boolean time) {
            if (given == null) {
                return null;
            }
            String v = given.trim().toLowerCase(java.util.Locale.ROOT);
            try {
                return switch (v) {
                    case "unlimited", "-1" -> RetentionPolicy.UNLIMITED;
                    case "default" -> RetentionPolicy.INHERIT;
                    default -> time ? Args.parseDuration(v).toMillis() : Args.parseSize(v);
                };
            } catch (picocli.CommandLine.TypeConversionException e) {
                throw usage(e.getMessage());
            }
        }
    }
}
