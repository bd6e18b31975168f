package io.rocksmq.cli;

import io.rocksmq.api.Consumer;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.ConsumerOptions;
import io.rocksmq.api.Message;
import io.rocksmq.api.MessageId;
import io.rocksmq.api.MqClient;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.SubscriptionInitialPosition;
import io.rocksmq.api.QueueClosedException;
import io.rocksmq.core.AwaitResult;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.ConsumerRegistration;
import io.rocksmq.core.RocksMq;
import io.rocksmq.remote.RemoteMqClient;
import io.rocksmq.remote.RemoteSubscription;
import io.rocksmq.remote.Wire;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What {@code consume} and {@code tail} share: where to start (a group's position, an id, a time),
 * how to print, whether to follow, when to stop. {@code consume} with a group consumes (the group's
 * position advances and is persisted); {@code tail} never moves a group (it reads from the group's
 * position), and without a group both only read.
 *
 * <p>Following with a group waits on a {@link ConsumerRegistration} (woken by each produce); without
 * a group there is nothing to register, so it polls every {@code --poll} interval, each time catching up
 * with the process that writes the queue ({@link RocksMq#refresh()}): what it prints is at most one poll
 * interval plus one catch-up behind that process.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
abstract class MessageReadCommand extends QueueCommand {
    private static final int CHUNK = 1000;
    /** Following as a follower: with no new message for this long, open the follower again. */
    static final Duration REOPEN_IDLE = Duration.ofSeconds(5);
    /** On a server without -f: a poll that waits this long without a message ends the command. */
    static final Duration REMOTE_QUIET = Duration.ofSeconds(2);

    @Parameters(paramLabel = "TOPIC")
    String topic;

    /** Where to start: at most one of these. */
    static final class Start {
        @Option(names = {"-g", "--group"}, required = true, paramLabel = "GROUP",
                description = "Start at this group's position (consume advances it; tail does not).")
        String group;
        @Option(names = "--from-id", required = true, paramLabel = "ID", converter = Args.Id.class,
                description = "Read (no group) from the first message with id >= ID (42 or 0:42).")
        Long fromId;
        @Option(names = "--from-time", required = true, paramLabel = "TIME", converter = Args.Time.class,
                description = "Read (no group) from the first message published at or after TIME"
                        + " (2024-05-01T10:00:00Z, 2024-05-01T12:00, 2024-05-01, -10m, epoch ms).")
        Long fromTime;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Start start;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N messages.")
    Long maxOption;
    @Option(names = {"-f", "--follow"}, description = "Keep waiting for new messages (stop with Ctrl-C).")
    boolean follow;
    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
            description = "text, hex or json (one object per line). Default: ${DEFAULT-VALUE}.")
    MessagePrinter.Format format;
    @Option(names = "--meta", description = "text and hex: prefix id, publish time and properties (tab-separated).")
    boolean meta;
    @Option(names = "--poll", defaultValue = "100ms", converter = Args.Span.class, paramLabel = "DURATION",
            description = "Following without a group: how often to look for new messages (default: ${DEFAULT-VALUE}).")
    Duration poll;
    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://127.0.0.1:PORT/metrics meanwhile (0: any free port).")
    Integer metricsPort;

    /** The most messages to print, or {@link Long#MAX_VALUE}. */
    abstract long max();

    /** Whether a group given with -g consumes (its position advances) or is only read from. */
    abstract boolean consumesGroup();

    /** Where a group-less read starts when neither --from-id nor --from-time is given. */
    abstract long defaultStart(RocksMq mq);

    /**
     * On a server: where a group-less read starts when neither --from-id nor --from-time is given, from
     * the topic's latest id (-1: none); -1 means the earliest retained message.
     */
    abstract long defaultRemoteStart(long latest);

    @Override
    void validate() {
        if (max() < 0) {
            throw usage("the message limit must be >= 0, was " + max());
        }
    }

    /**
     * Read-only unless a group consumes (its position is the only thing a read writes); following, as a
     * follower always, so that it neither blocks an application from opening the queue for writing nor
     * fails while one has it open ({@link QueueOptions}).
     */
    @Override
    QueueOptions.OpenQueue open() {
        boolean writes = start != null && start.group != null && consumesGroup();
        return writes ? queue().open() : follow ? queue().openFollowing() : queue().openReadOnly();
    }

    @Override
    int run(QueueOptions.OpenQueue q, PrintWriter out) throws Exception {
        long max = max();
        MessagePrinter printer = new MessagePrinter(out, format, meta);
        try (MetricsServer metrics = metricsPort == null ? null : MetricsServer.start(q.mq(), metricsPort)) {
            if (metrics != null) {
                err().println("rmq: serving metrics on " + metrics.url());
            }
            if (follow) {
                q.closeOnShutdown();
            }
            RocksMq mq = q.mq();
            String group = start == null ? null : start.group;
            if (group != null && consumesGroup()) {
                return consumeGroup(mq, group, max, printer);
            }
            long from = group != null ? mq.position(topic, group)
                    : start != null && start.fromId != null ? start.fromId
                    : start != null && start.fromTime != null ? mq.messageIdAtOrAfter(topic, start.fromTime)
                    : defaultStart(mq);
            return readFrom(q, metrics == null, from, max, printer);
        } catch (QueueClosedException stopped) {
            printer.flush();
            return 0; // Ctrl-C while following: the shutdown hook closed the queue
        }
    }

    /**
     * On a server: with {@code -g} and {@link #consumesGroup()} the group consumes (each printed batch is
     * acknowledged, so its position advances); otherwise a temporary subscription named
     * {@code rmq-cli-read-…} reads from the group's position ({@code tail -g}, the group stays where it
     * is), {@code --from-id}, {@code --from-time} or {@link #defaultRemoteStart}, and is deleted at the
     * end. Without {@code -f} it stops at the topic's latest message as of the start, or after
     * {@link #REMOTE_QUIET} without a message.
     */
    @Override
    int runRemote(MqClient client, PrintWriter out) {
        if (metricsPort != null) {
            throw usage("--metrics-port with --server: the server serves its own (rmq serve --metrics-port)");
        }
        long max = max();
        MessagePrinter printer = new MessagePrinter(out, format, meta);
        String group = start == null ? null : start.group;
        boolean consumes = group != null && consumesGroup();
        List<RemoteSubscription> groups = client.unwrap(RemoteMqClient.class).describeSubscriptions(topic); // an unknown topic fails here
        RemoteSubscription named = group == null ? null : groups.stream().filter(g -> g.name().equals(group)).findFirst()
                .orElseThrow(() -> new ConsumerGroupNotFoundException(topic, group));
        if (named != null && !consumes && named.position() < 0) {
            throw new RocksMqException("the server does not report group positions (it is older than this rmq):"
                    + " read with --from-id instead of -g");
        }
        boolean temporary = !consumes;
        String subscription = consumes ? group : "rmq-cli-read-" + java.util.UUID.randomUUID();
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicReference<Consumer> open = new AtomicReference<>();
        java.util.concurrent.CountDownLatch cleanedUp = new java.util.concurrent.CountDownLatch(1);
        // Ctrl-C while following: the JVM exits once this hook ends, so the hook itself frees the
        // subscription and deletes a temporary one (left behind, it would hold back retention forever).
        Thread hook = follow && Rmq.root(spec).shutdownHooks ? new Thread(() -> {
            stopping.set(true);
            try {
                Consumer c = open.get();
                if (c != null) {
                    c.close();
                }
                if (temporary) {
                    client.deleteSubscription(topic, subscription);
                }
            } catch (RuntimeException e) {
                if (temporary) { // the server is gone or refused: say what is left behind
                    err().println("rmq: could not delete the temporary subscription '" + subscription + "': " + e.getMessage());
                    err().flush();
                }
            } finally {
                cleanedUp.countDown();
            }
        }, "rmq-shutdown") : null;
        if (hook != null) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try (Consumer c = client.subscribe(ConsumerOptions.builder(topic, subscription)
                .initialPosition(SubscriptionInitialPosition.EARLIEST).build())) {
            open.set(c);
            long latest = c.latestMessageId().map(MessageId::offset).orElse(-1L);
            long from = -1; // the earliest
            if (named != null && !consumes) {
                from = named.position();
            } else if (temporary && start != null && start.fromId != null) {
                from = start.fromId;
            } else if (temporary && start == null) {
                from = defaultRemoteStart(latest);
            }
            if (from >= 0) {
                c.seek(MessageId.of(Wire.PARTITION, from), true);
            } else if (temporary && start != null && start.fromTime != null) {
                c.seekToTimestamp(start.fromTime);
            }
            if (!follow && from > latest) {
                return 0; // nothing to print: do not wait for the quiet time
            }
            long printed = 0;
            long lastId = -1;
            while (!stopping.get() && printed < max && (follow || (latest >= 0 && lastId < latest))) {
                List<Message> got = c.poll((int) Math.min(CHUNK, max - printed), follow ? Duration.ofSeconds(1) : REMOTE_QUIET);
                got.forEach(printer::print);
                printed += got.size();
                printer.flush();
                if (got.isEmpty()) {
                    if (!follow) {
                        break;
                    }
                    continue;
                }
                lastId = got.get(got.size() - 1).id().offset();
                c.ackCumulative(got.get(got.size() - 1).id());
            }
            return 0;
        } catch (RocksMqException e) {
            if (stopping.get()) {
                printer.flush();
                return 0; // Ctrl-C while following: the hook closed the client
            }
            throw e;
        } finally {
            if (temporary && !stopping.get()) {
                client.deleteSubscription(topic, subscription);
            }
            if (hook != null && !stopping.get()) {
                Runtime.getRuntime().removeShutdownHook(hook);
            } else if (hook != null) {
                awaitQuietly(cleanedUp); // the caller closes the client next: not before the hook is done with it
            }
        }
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int consumeGroup(RocksMq mq, String group, long max, MessagePrinter printer) {
        ConsumerRegistration reg = follow ? mq.registerConsumer(topic, group) : null;
        try {
            long printed = 0;
            while (printed < max) {
                List<ConsumerMessage> got = mq.consume(topic, group, (int) Math.min(CHUNK, max - printed));
                got.forEach(printer::print);
                printed += got.size();
                printer.flush();
                if (!got.isEmpty()) {
                    continue;
                }
                if (reg == null) {
                    break;
                }
                AwaitResult r = reg.await(Duration.ofSeconds(1));
                if (r == AwaitResult.QUEUE_CLOSED) {
                    break;
                }
                if (r.isTerminal()) {
                    throw new ConsumerGroupNotFoundException(topic, group);
                }
            }
            return 0;
        } finally {
            if (reg != null) {
                reg.close();
            }
        }
    }

    /**
     * Reads from {@code from} on; following, polls, catching up each time, and opens a follower again
     * after {@link #REOPEN_IDLE} without a new message (see {@link QueueOptions.OpenQueue#reopenFollower()};
     * never while the metrics of this queue are served, which are bound to it). The idle time grows to 20
     * opens' worth when opening is slow, so reopening an idle follower costs at most 5% of a core.
     */
    private int readFrom(QueueOptions.OpenQueue q, boolean mayReopen, long from, long max, MessagePrinter printer)
            throws InterruptedException {
        long next = Math.max(0, from);
        long printed = 0;
        long lastNews = System.nanoTime();
        long reopenIdle = REOPEN_IDLE.toNanos();
        while (printed < max) {
            RocksMq mq = q.mq();
            List<ConsumerMessage> got = mq.read(topic, next, (int) Math.min(CHUNK, max - printed));
            got.forEach(printer::print);
            printed += got.size();
            printer.flush();
            if (!got.isEmpty()) {
                next = got.get(got.size() - 1).id() + 1;
                lastNews = System.nanoTime();
                continue;
            }
            if (!follow) {
                break;
            }
            if (!mq.isOpen()) {
                throw new QueueClosedException("closed");
            }
            Thread.sleep(Math.max(1, poll.toMillis()));
            if (mayReopen && mq.config().follow() && System.nanoTime() - lastNews > reopenIdle) {
                long started = System.nanoTime();
                q.reopenFollower();
                lastNews = System.nanoTime();
                reopenIdle = Math.max(REOPEN_IDLE.toNanos(), 20 * (lastNews - started));
            } else {
                mq.refresh(); // a follower catches up with the writer (nothing to do for a queue of our own)
            }
        }
        return 0;
    }
}
