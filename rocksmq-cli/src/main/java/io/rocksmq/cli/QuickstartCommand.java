package io.rocksmq.cli;

import io.rocksmq.core.AwaitResult;
import io.rocksmq.core.ConsumerMessage;
import io.rocksmq.core.ConsumerRegistration;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A guided, self-checking demo: produce, two consumer groups (one woken by push), a group destroyed and
 * re-created while notifications fly, a restart, and a check that nothing was lost or repeated.
 * Exits 1 if any check fails.
 */
@Command(name = "quickstart", description = "Run a guided, self-checking demo in the data directory.")
final class QuickstartCommand implements Callable<Integer> {
    static final String TOPIC = "quickstart";

    @Option(names = "--messages", defaultValue = "20000", description = "Messages to produce (default: ${DEFAULT-VALUE}).")
    int messages;

    @Spec
    CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Path data = Rmq.root(spec).data();
        if (messages < 2 || messages % 2 != 0) {
            spec.commandLine().getErr().println("rmq: --messages must be an even number >= 2");
            return 2;
        }
        out.println("RocksMQ quickstart in " + data.toAbsolutePath().normalize());
        long half = messages / 2;
        long[] firstId = new long[1];
        long auditResumeAt;
        try (RocksMq mq = step("opened the queue", () -> RocksMq.open(data))) {
            if (mq.topicExists(TOPIC)) {
                mq.destroyTopic(TOPIC);
                say("removed the topic of an earlier quickstart run");
            }
            mq.createTopic(TOPIC);
            mq.createConsumerGroup(TOPIC, "billing");
            mq.createConsumerGroup(TOPIC, "audit");
            say("created topic '" + TOPIC + "' with consumer groups 'billing' and 'audit'");

            // 'billing' consumes on its own thread, woken by every produce (no polling).
            AtomicReference<String> billingProblem = new AtomicReference<>();
            AtomicLong billingCount = new AtomicLong();
            Thread billing = new Thread(() -> consumeAll(mq, messages, billingCount, billingProblem), "billing");
            billing.start();

            // Meanwhile a group is destroyed and re-created while another thread notifies it non-stop.
            AtomicBoolean churning = new AtomicBoolean(true);
            AtomicLong notifications = new AtomicLong();
            AtomicLong churns = new AtomicLong();
            AtomicReference<Throwable> churnProblem = new AtomicReference<>();
            Thread notifier = new Thread(() -> {
                try {
                    while (churning.get()) {
                        mq.notifyGroup(TOPIC, "churn");
                        notifications.incrementAndGet();
                    }
                } catch (Throwable t) {
                    churnProblem.compareAndSet(null, t);
                }
            }, "notifier");
            Thread churner = new Thread(() -> {
                try {
                    while (churning.get()) {
                        mq.createConsumerGroup(TOPIC, "churn");
                        ConsumerRegistration r = mq.registerConsumer(TOPIC, "churn");
                        mq.destroyConsumerGroup(TOPIC, "churn");
                        if (r.await(Duration.ofSeconds(5)) != AwaitResult.GROUP_DESTROYED
                                && r.await(Duration.ofSeconds(5)) != AwaitResult.GROUP_DESTROYED) {
                            throw new IllegalStateException("a destroyed group's consumer was not told so");
                        }
                        churns.incrementAndGet();
                    }
                } catch (Throwable t) {
                    churnProblem.compareAndSet(null, t);
                }
            }, "churner");
            notifier.start();
            churner.start();

            long start = System.nanoTime();
            for (int sent = 0; sent < messages; sent += 100) {
                List<ProducerMessage> batch = new ArrayList<>(100);
                for (int i = sent; i < Math.min(messages, sent + 100); i++) {
                    batch.add(ProducerMessage.of(payload(i), Map.of("order", Integer.toString(i))));
                }
                long[] ids = mq.produce(TOPIC, batch);
                if (sent == 0) {
                    firstId[0] = ids[0];
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            say(String.format("produced %,d messages in batches of 100 (%,.0f msgs/s, while the other threads ran)",
                    messages, messages / seconds));

            billing.join(60_000);
            check(!billing.isAlive() && billingProblem.get() == null && billingCount.get() == messages,
                    "'billing' got " + billingCount.get() + " of " + messages
                            + (billingProblem.get() == null ? "" : ": " + billingProblem.get()));
            say(String.format("'billing' was woken by the produces and received all %,d messages, in order, once each",
                    messages));

            // A small run can finish before the churner's first round (each round makes synced writes):
            // let it complete at least one before stopping it, so the check below judges a real round.
            long churnDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (churns.get() == 0 && churnProblem.get() == null && churner.isAlive()
                    && System.nanoTime() < churnDeadline) {
                Thread.sleep(1);
            }
            churning.set(false);
            notifier.join(10_000);
            churner.join(30_000);
            check(!churner.isAlive() && !notifier.isAlive(), "group churn did not stop within 30 s");
            check(churnProblem.get() == null && churns.get() > 0, "group churn failed: "
                    + (churnProblem.get() == null ? "no round completed within 30 s" : churnProblem.get()));
            say(String.format("destroyed and re-created group 'churn' %,d times while %,d notifications flew:"
                    + " no error, every waiting consumer told 'destroyed'", churns.get(), notifications.get()));

            List<ConsumerMessage> auditFirstHalf = drain(mq, "audit", half);
            checkSequence(auditFirstHalf, 0, firstId[0]);
            auditResumeAt = mq.position(TOPIC, "audit");
            say(String.format("'audit' read the first %,d messages; closing the queue (restart)", half));
        }
        try (RocksMq mq = step("reopened the queue", () -> RocksMq.open(data))) {
            check(mq.consumerGroups(TOPIC).equals(List.of("audit", "billing")),
                    "groups after restart: " + mq.consumerGroups(TOPIC));
            check(mq.position(TOPIC, "audit") == auditResumeAt, "'audit' position was not kept over the restart");
            List<ConsumerMessage> rest = drain(mq, "audit", half);
            checkSequence(rest, half, firstId[0]);
            check(mq.consume(TOPIC, "audit", 10).isEmpty() && mq.consume(TOPIC, "billing", 10).isEmpty(),
                    "groups should have nothing left to read");
            say(String.format("'audit' resumed at id %d and read the other %,d: nothing lost, nothing repeated",
                    auditResumeAt, half));
        }
        out.println("All checks passed. Data is kept in " + data + ".");
        out.println("Next, try:");
        nextCommands().forEach(c -> out.println("  " + c));
        out.flush();
        return 0;
    }

    /** Commands that work on the directory the quickstart just filled (its test runs each one). */
    List<String> nextCommands() {
        Path given = Rmq.root(spec).dataOption;
        String data = given == null ? "" : " --data " + shellQuoted(given.toString());
        return List.of("./rmq topics describe " + TOPIC + data,
                "./rmq tail " + TOPIC + " -n 3 --meta" + data,
                "./rmq groups list" + data,
                "./rmq consume " + TOPIC + " --from-id 100 -n 2 --format json" + data,
                "./rmq check --quick" + data,
                "./rmq --help");
    }

    private static String shellQuoted(String s) {
        return s.matches("[A-Za-z0-9_./:=@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /** Text payloads, so that printing them (the next commands) shows something readable. */
    private static byte[] payload(long order) {
        return ("order " + order).getBytes(StandardCharsets.UTF_8);
    }

    private static long order(ConsumerMessage m) {
        String text = new String(m.payload(), StandardCharsets.UTF_8);
        return text.startsWith("order ") ? Long.parseLong(text.substring(6)) : -1;
    }

    private static void consumeAll(RocksMq mq, long expected, AtomicLong count, AtomicReference<String> problem) {
        try (ConsumerRegistration reg = mq.registerConsumer(TOPIC, "billing")) {
            long nextOrder = 0;
            while (nextOrder < expected) {
                List<ConsumerMessage> got = mq.consume(TOPIC, "billing", 1000);
                if (got.isEmpty()) {
                    AwaitResult r = reg.await(Duration.ofSeconds(30));
                    if (r != AwaitResult.SIGNALLED) {
                        problem.set("woken with " + r + " after " + nextOrder + " messages");
                        return;
                    }
                    continue;
                }
                for (ConsumerMessage m : got) {
                    long order = order(m);
                    if (order != nextOrder) {
                        problem.set("expected message " + nextOrder + " but got " + order);
                        return;
                    }
                    nextOrder++;
                    count.incrementAndGet();
                }
            }
        } catch (RuntimeException e) {
            problem.set(e.toString());
        }
    }

    private static List<ConsumerMessage> drain(RocksMq mq, String group, long count) {
        List<ConsumerMessage> out = new ArrayList<>();
        while (out.size() < count) {
            List<ConsumerMessage> got = mq.consume(TOPIC, group, (int) Math.min(1000, count - out.size()));
            if (got.isEmpty()) {
                break;
            }
            out.addAll(got);
        }
        return out;
    }

    private void checkSequence(List<ConsumerMessage> got, long fromOrder, long firstId) {
        check(got.size() * 2L == messages, "expected " + messages / 2 + " messages, got " + got.size());
        for (int i = 0; i < got.size(); i++) {
            ConsumerMessage m = got.get(i);
            long order = fromOrder + i;
            check(m.id() == firstId + order && order(m) == order
                            && m.properties().get("order").equals(Long.toString(order)),
                    "message " + order + " is wrong: id " + m.id());
        }
    }

    private interface Step<T> {
        T run();
    }

    private <T> T step(String what, Step<T> step) {
        long start = System.nanoTime();
        T result = step.run();
        say(String.format("%s (%d ms)", what, (System.nanoTime() - start) / 1_000_000));
        return result;
    }

    private void say(String line) {
        out.println("  [ok] " + line);
        out.flush();
    }

    private static void check(boolean ok, String failure) {
        if (!ok) {
            throw new QuickstartFailure(failure);
        }
    }

    /** A failed self-check: reported as one line, exit code 1. */
    static final class QuickstartFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QuickstartFailure(String message) {
            super("quickstart check failed: " + message);
        }
    }
}
