package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import org.rocksdb.FlushOptions;

/**
 * Child-process main of {@link FaultInjectionTest}: runs one scenario against a queue while the
 * {@link FaultShim} (preloaded into this JVM) fails chosen writes, fsyncs or renames, and records
 * what happened for the parent to check.
 *
 * <p>Arguments: scenario, data directory, control file, result file; for {@code matrix} also the rule
 * ({@code OP SUBSTRING SKIP COUNT ERRNO}, one argument), a seed and when to arm it ({@code open}:
 * before the queue opens, {@code run}: once it is open). Result lines:
 * <ul>
 *   <li>{@code ACK topic id crc32 length}: a message whose produce returned (acknowledged);</li>
 *   <li>{@code STEP name OK [detail]} or {@code STEP name REFUSED exception-class message}: an
 *       operation and its outcome;</li>
 *   <li>{@code HITS n}: failures the shim injected; {@code DONE} at the end.</li>
 * </ul>
 * Lines are written with one write each and not forced: the child exits normally (a crash would still
 * leave what reached the OS).
 *
 * <p>Not thread-safe: one thread.
 */
public final class FaultChild {
    static final String TOPIC = "t";
    static final String GROUP = "g";

    private final Path data;
    private final FaultShim.Control control;
    private final Path result;
    private final Random random;
    private RocksMq mq;

    private FaultChild(Path data, FaultShim.Control control, Path result, long seed) {
        this.data = data;
        this.control = control;
        this.result = result;
        this.random = new Random(seed);
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.exitWhenParentDies();
        String scenario = args[0];
        FaultChild child = new FaultChild(Path.of(args[1]), new FaultShim.Control(Path.of(args[2])),
                Path.of(args[3]), args.length > 5 ? Long.parseLong(args[5]) : 1);
        try {
            switch (scenario) {
                case "fsync" -> child.failedFsync();
                case "wal-write" -> child.failedWalWrite();
                case "flush-write" -> child.failedFlushWrite();
                case "rename-open" -> child.failedRenameAtOpen();
                case "matrix" -> child.matrix(args[4], args.length > 6 && args[6].equals("run"));
                default -> throw new IllegalArgumentException("unknown scenario " + scenario);
            }
            child.line("HITS " + child.control.hits().size());
            child.line("DONE");
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(2);
        }
        System.exit(0);
    }

    /** A failed fsync of the write-ahead log: the produce waiting for it and every later one fail. */
    private void failedFsync() throws IOException {
        open(Durability.FSYNC);
        produceSteps("before", 5, Durability.FSYNC);
        control.arm("fsync .log 0 1 " + FaultShim.EIO); // the next fsync of the log fails, once
        produce("fsync-fails", Durability.FSYNC);
        produce("fsync-after-failure", Durability.FSYNC);
        produce("wal-after-failure", Durability.WAL);
        control.disarm();
        produce("fsync-after-disarm", Durability.FSYNC);
        produce("wal-after-disarm", Durability.WAL);
        reopenAndProduce();
    }

    /** Every append to the write-ahead log fails: nothing is stored, and writes stay refused until reopen. */
    private void failedWalWrite() throws IOException {
        open(Durability.WAL);
        step("create-group", () -> {
            mq.createConsumerGroup(TOPIC, GROUP);
            return "";
        });
        produceSteps("before", 5, Durability.WAL);
        control.arm("write .log 0 -1 " + FaultShim.EIO);
        produce("write-fails", Durability.WAL);
        produce("write-fails-fsync", Durability.FSYNC);
        control.disarm();
        produce("wal-after-disarm", Durability.WAL);
        produce("fsync-after-disarm", Durability.FSYNC);
        step("read-after-failure", () -> String.valueOf(mq.read(TOPIC, 0, 1000).size()));
        step("consume-after-failure", () -> String.valueOf(mq.consume(TOPIC, GROUP, 1000).size()));
        reopenAndProduce();
    }

    /** Writing a table file fails during a flush: the data stays in the log; nothing acknowledged is lost. */
    private void failedFlushWrite() throws IOException {
        open(Durability.WAL);
        produceSteps("before", 20, Durability.WAL);
        control.arm("write .sst 0 -1 " + FaultShim.EIO);
        step("flush-fails", this::flush);
        produce("wal-after-flush-failure", Durability.WAL);
        produce("fsync-after-flush-failure", Durability.FSYNC);
        control.disarm();
        produce("wal-after-disarm", Durability.WAL);
        reopenAndProduce();
    }

    /** The rename that installs a new CURRENT at open fails: the open fails, and the next one works. */
    private void failedRenameAtOpen() throws IOException {
        open(Durability.WAL);
        produceSteps("before", 5, Durability.WAL);
        close();
        control.arm("rename CURRENT 0 -1 " + FaultShim.EIO);
        step("open-fails", () -> {
            mq = RocksMq.open(config(Durability.WAL));
            return "";
        });
        control.disarm();
        if (mq != null) {
            close();
        }
        reopenAndProduce();
    }

    /**
     * The long matrix: the rule is armed before the queue opens (or, with {@code afterOpen}, once it is
     * open) and stays armed through a mixed workload (WAL and FSYNC produces, flushes); then it is
     * lifted and the queue reopened.
     */
    private void matrix(String rule, boolean afterOpen) throws IOException {
        if (!afterOpen) {
            control.arm(rule);
        }
        if (!step("first-open", () -> {
            mq = RocksMq.open(config(Durability.WAL));
            mq.createTopic(TOPIC);
            return "";
        })) {
            if (mq != null) {
                close();
            }
        } else {
            if (afterOpen) {
                control.arm(rule);
            }
            for (int i = 0; i < 120; i++) {
                produce("p" + i, i % 4 == 3 ? Durability.FSYNC : Durability.WAL);
                if (i % 30 == 29) {
                    step("flush" + i, this::flush);
                }
            }
            control.disarm();
            produce("after-disarm", Durability.WAL);
            close();
        }
        control.disarm();
        reopenAndProduce();
    }

    private void reopenAndProduce() throws IOException {
        if (mq != null) {
            close();
        }
        open(Durability.WAL);
        produce("after-reopen", Durability.WAL);
        produce("after-reopen-fsync", Durability.FSYNC);
        close();
    }

    private void open(Durability durability) {
        mq = RocksMq.open(config(durability));
        mq.createTopic(TOPIC);
        line("STEP open OK");
    }

    private RocksMqConfig config(Durability durability) {
        // A small write buffer: flushes (table-file writes) happen within the scenarios.
        return RocksMqConfig.builder(data).durability(durability).writeBufferBytes(1 << 20)
                .retentionInterval(Duration.ZERO).build();
    }

    private void close() {
        RocksMq q = mq;
        mq = null;
        step("close", () -> {
            q.close();
            return "";
        });
    }

    private String flush() {
        try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
            mq.store().db().flush(wait, mq.store().messages());
            return "";
        } catch (org.rocksdb.RocksDBException e) {
            throw RocksStore.storage("flush failed", e);
        }
    }

    private void produceSteps(String name, int times, Durability durability) {
        for (int i = 0; i < times; i++) {
            produce(name + i, durability);
        }
    }

    /** Produces 1-3 random payloads; logs ACK lines only if produce returned. */
    private void produce(String name, Durability durability) {
        List<ProducerMessage> batch = new ArrayList<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            byte[] p = new byte[1 + random.nextInt(2000)];
            random.nextBytes(p);
            batch.add(ProducerMessage.of(p));
        }
        step(name, () -> {
            long[] ids = mq.produce(TOPIC, batch, durability);
            StringBuilder acks = new StringBuilder();
            for (int i = 0; i < ids.length; i++) {
                byte[] p = batch.get(i).payload();
                acks.append("ACK ").append(TOPIC).append(' ').append(ids[i]).append(' ')
                        .append(CrashChild.crc(p)).append(' ').append(p.length).append('\n');
            }
            line(acks.substring(0, acks.length() - 1));
            return durability.name();
        });
    }

    /** Runs an operation and records its outcome; true if it returned. */
    private boolean step(String name, Supplier<String> op) {
        try {
            String detail = op.get();
            line("STEP " + name + " OK" + (detail.isEmpty() ? "" : " " + detail));
            return true;
        } catch (RuntimeException e) {
            line("STEP " + name + " REFUSED " + e.getClass().getSimpleName() + " "
                    + String.valueOf(e.getMessage()).replace('\n', ' '));
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            System.err.println("step " + name + ": " + trace);
            return false;
        }
    }

    private void line(String s) {
        try {
            Files.writeString(result, s + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
