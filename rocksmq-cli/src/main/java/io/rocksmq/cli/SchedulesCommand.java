package io.rocksmq.cli;

import io.rocksmq.api.MqClient;
import io.rocksmq.core.ScheduleHandle;
import io.rocksmq.core.ScheduledMessage;
import io.rocksmq.remote.RemoteMqClient;
import io.rocksmq.remote.RemoteSchedules;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code rmq schedules list|cancel}: the scheduled messages waiting for their delivery time
 * ({@code rmq produce --deliver-at/--deliver-after} makes them), in a data directory or, with
 * {@code --server}, on a running server (its ListSchedules and CancelSchedule calls).
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "schedules", description = "List and cancel scheduled messages (waiting for their delivery time).",
        subcommands = {SchedulesCommand.ListSchedules.class, SchedulesCommand.Cancel.class})
final class SchedulesCommand extends CommandGroup {

    @Command(name = "list", description = "List a topic's scheduled messages, earliest due first.")
    static final class ListSchedules extends LookingCommand {
        @Parameters(paramLabel = "TOPIC")
        String topic;
        @Option(names = {"-n", "--max"}, defaultValue = "100", paramLabel = "N",
                description = "Show at most N (default: ${DEFAULT-VALUE}).")
        int max;
        @Mixin
        JsonOption output;

        @Override
        void validate() {
            if (max < 1) {
                throw usage("--max must be at least 1, was " + max);
            }
        }

        @Override
        int run(QueueOptions.OpenQueue q, PrintWriter out) {
            long total = q.mq().admin().scheduledCount(topic);
            List<Row> shown = new ArrayList<>();
            for (ScheduledMessage s : q.mq().admin().scheduled(topic, max)) {
                shown.add(new Row(s.handle().token(), s.handle().dueAtMillis(), s.message().payload()));
            }
            print(out, total, shown);
            return 0;
        }

        @Override
        boolean worksRemotely() {
            return true;
        }

        /** On a server: the ListSchedules call (produce permission on the topic), at most 1000 per call. */
        @Override
        int runRemote(MqClient client, PrintWriter out) {
            if (max > RemoteMqClient.MAX_LISTED_SCHEDULES) {
                throw usage("--max must be at most " + RemoteMqClient.MAX_LISTED_SCHEDULES + " with --server, was " + max);
            }
            RemoteSchedules listed = client.unwrap(RemoteMqClient.class).listSchedules(topic, max);
            List<Row> shown = new ArrayList<>();
            for (RemoteSchedules.Scheduled s : listed.messages()) {
                shown.add(new Row(s.handle(), s.dueAt().toEpochMilli(), s.message().payload()));
            }
            print(out, listed.total(), shown);
            return 0;
        }

        private record Row(String handle, long dueAtMillis, byte[] payload) {
        }

        private void print(PrintWriter out, long total, List<Row> shown) {
            List<Object> json = new ArrayList<>();
            List<List<String>> rows = Text.rows("HANDLE", "DUE", "BYTES", "PAYLOAD");
            for (Row s : shown) {
                String payload = new String(s.payload(), StandardCharsets.UTF_8);
                json.add(Json.object("handle", s.handle(), "due", Text.time(s.dueAtMillis()),
                        "bytes", s.payload().length, "payload", payload));
                rows.add(List.of(s.handle(), Text.time(s.dueAtMillis()), Integer.toString(s.payload().length),
                        payload.length() > 40 ? payload.substring(0, 40) + "..." : payload));
            }
            output.print(out, () -> Json.object("topic", topic, "scheduled", total, "messages", json), () -> {
                if (shown.isEmpty()) {
                    out.println("no scheduled messages on '" + topic + "'");
                    return;
                }
                Text.table(out, rows);
                if (total > shown.size()) {
                    out.println("(" + shown.size() + " of " + Text.messages(total) + " shown)");
                }
            });
        }
    }

    @Command(name = "cancel", description = "Cancel a scheduled message before it is due: it will never appear.")
    static final class Cancel extends QueueCommand {
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;
        @Parameters(index = "1", paramLabel = "HANDLE", description = "As 'rmq schedules list' shows it.")
        String handle;

        @Override
        int run(QueueOptions.OpenQueue q, PrintWriter out) {
            q.mq().cancelScheduled(ScheduleHandle.parse(topic, handle));
            out.println("cancelled scheduled message " + handle + " of '" + topic + "'");
            return 0;
        }

        @Override
        boolean worksRemotely() {
            return true;
        }

        /** On a server: the CancelSchedule call (produce permission on the topic). */
        @Override
        int runRemote(MqClient client, PrintWriter out) {
            client.unwrap(RemoteMqClient.class).cancelSchedule(topic, handle);
            out.println("cancelled scheduled message " + handle + " of '" + topic + "'");
            return 0;
        }
    }
}
