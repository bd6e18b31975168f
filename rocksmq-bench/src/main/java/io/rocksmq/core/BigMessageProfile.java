package io.rocksmq.core;

import io.rocksmq.bench.peer.Dirs;
import org.rocksdb.FlushOptions;
import org.rocksdb.PerfContext;
import org.rocksdb.PerfLevel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * A diagnostic, not a benchmark of record (issue 13 item 5): what one big message in one topic costs
 * the reads of <em>other</em> topics once it is flushed to a table file. Topics {@code before} and
 * {@code after} (internal ids below and above the big message's topic) hold small messages; topic
 * {@code big} holds one message of the given size. After a flush it times, per call, a caught-up
 * {@code read} (the client consumer's read-ahead when there is nothing new), {@code earliestMessageId},
 * a read of the newest message and a produce-then-read round trip, on both neighbours, a read from inside
 * a batch of a topic created after the flush (its positioning looks backwards), and reports the
 * median and the RocksDB block bytes each call read from files (perf context).
 *
 * <p>Usage: {@code BigMessageProfile [big message MiB, default 32] [calls per case, default 200]}. Run
 * on the code before and after a change to compare, e.g. from the project root:
 * <pre>
 * mvn -q -pl rocksmq-bench -am -Djcstress.skip=true compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp rocksmq-bench/target/classes:$(cat /tmp/cp.txt) io.rocksmq.core.BigMessageProfile 32 100
 * </pre>
 * Measured (2-core VM, 32 MiB, 100 calls): before the table settings of issue 13 item 5, a neighbouring
 * topic's {@code earliestMessageId} and produce-then-read read the whole 33.6 MB block on every call
 * (28-74 ms median, depending on the machine's load); after, 8-48 us and no block read.
 *
 * <p>Not thread-safe; a command-line program.
 */
public final class BigMessageProfile {
    private BigMessageProfile() {
    }

    public static void main(String[] args) throws Exception {
        int bigMiB = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        SplittableRandom random = new SplittableRandom(13);
        byte[] big = new byte[bigMiB << 20];
        random.nextBytes(big); // incompressible, like an embedding blob
        List<ProducerMessage> small = List.of(ProducerMessage.of(new byte[100]), ProducerMessage.of(new byte[100]));
        Path dir = Files.createTempDirectory("rocksmq-big-message");
        try (RocksMq mq = RocksMq.open(bigQueue(dir, bigMiB))) {
            for (String t : List.of("before", "big", "after")) {
                mq.createTopic(t); // internal ids in this order: "before" < "big" < "after"
            }
            for (int i = 0; i < 100; i++) {
                mq.produce("before", small);
                mq.produce("after", small);
            }
            mq.produce("big", List.of(ProducerMessage.of(big)));
            for (int i = 0; i < 100; i++) {
                mq.produce("before", small);
                mq.produce("after", small);
            }
            RocksStore store = mq.store();
            try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
                store.db().flush(wait, store.messages());
            }
            System.out.printf(Locale.ROOT, "big message %d MiB, %d calls per case; median us/call, block bytes read/call%n",
                    bigMiB, calls);
            for (String t : List.of("before", "after")) {
                long latest = mq.latestMessageId(t);
                profile(store, t + " read caught up", calls, () -> mq.read(t, latest + 1, 100).size());
                profile(store, t + " earliestMessageId", calls, () -> mq.earliestMessageId(t));
                profile(store, t + " read newest", calls, () -> mq.read(t, latest, 100).size());
                profile(store, t + " produce+read", calls, () -> {
                    long id = mq.produce(t, small.subList(0, 1))[0];
                    return mq.read(t, id, 100).size();
                });
            }
            // A topic created after the flush: its keys sort after the big message and none is in a table
            // file, so a read from inside a batch (seek misses, seekForPrev) looks backwards past its range.
            mq.createTopic("later");
            List<ProducerMessage> thousand = java.util.Collections.nCopies(1000, small.get(0));
            long first = mq.produce("later", thousand)[0];
            long[] next = {0};
            profile(store, "later read inside a batch", calls,
                    () -> mq.read("later", first + 1 + next[0]++ % 998, 1).size()); // a new start each call: no shared read
            profile(store, "big read (the big message itself)", Math.min(calls, 20),
                    () -> mq.read("big", 0, 1).size());
        } finally {
            Dirs.deleteTree(dir);
        }
    }

    private static RocksMqConfig bigQueue(Path dir, int bigMiB) {
        return RocksMqConfig.builder(dir).retentionInterval(java.time.Duration.ZERO)
                .maxMessageBytes(Math.max(RocksMqConfig.DEFAULT_MAX_MESSAGE_BYTES, bigMiB << 20)).build();
    }

    private static void profile(RocksStore store, String name, int calls, LongSupplier call) {
        long sink = 0;
        for (int i = 0; i < Math.min(calls, 10); i++) {
            sink += call.getAsLong(); // warm-up
        }
        long[] nanos = new long[calls];
        long bytes = 0;
        store.db().setPerfLevel(PerfLevel.ENABLE_COUNT);
        PerfContext perf = store.db().getPerfContext();
        perf.reset();
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            sink += call.getAsLong();
            nanos[i] = System.nanoTime() - t0;
        }
        bytes = perf.getBlockReadByte();
        store.db().setPerfLevel(PerfLevel.DISABLE);
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "%-40s %10.1f us %14d B   (%d)%n", name, nanos[calls / 2] / 1e3,
                bytes / calls, sink % 2);
    }
}
