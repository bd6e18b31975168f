package io.rocksmq.cli;

import io.rocksmq.core.ScheduleHandle;
import io.rocksmq.core.ScheduledMessage;
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
 * ({@code rmq produce --deliver-at/--deliver-after} makes them).
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
            List<ScheduledMessage> shown = q.mq().admin().scheduled(topic, max);
            List<Object> json = new ArrayList<>();
            List<List<String>> rows = Text.rows("HANDLE", "DUE", "BYTES", "PAYLOAD");
            for (ScheduledMessage s : shown) {
                ScheduleHandle h = s.handle();
                String payload = new String(s.message().payload(), StandardCharsets.UTF_8);
                json.add(Json.object("handle", h.token(), "due", Text.time(h.dueAtMillis()),
                        "bytes", s.message().payload().length, "payload", payload));
                rows.add(List.of(h.token(), Text.time(h.dueAtMillis()), Integer.toString(s.message().payload().length),
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
            return 0;
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
    }
}
