package io.rocksmq.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;
import org.rocksdb.PerfContext;
import org.rocksdb.PerfLevel;
import org.rocksdb.RocksDBException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13 item 5: one big message, once flushed to a table file, must not be read by calls on other
 * topics. Measured in bytes of table blocks read from files (RocksDB's perf context, which counts per
 * thread, and every call here runs on the test's thread), never in time. The block cache is 1 MiB, so a
 * big block is never cached and every call that touches it reads it again.
 */
class BigMessageReadTest {
    private static final int BIG_BYTES = 4 << 20;
    /** Far below the big block, far above the few small blocks a call needs. */
    private static final long MAX_BYTES_PER_CALL = 256 << 10;

    @TempDir
    Path dir;
    RocksMq mq;

    @BeforeEach
    void open() throws RocksDBException {
        mq = RocksMq.open(RocksMqConfig.builder(dir).blockCacheBytes(1 << 20)
                .retentionInterval(Duration.ZERO).build());
        for (String t : List.of("before", "big", "after")) {
            mq.createTopic(t); // internal ids, so key order: before < big < after
        }
        List<ProducerMessage> small = List.of(ProducerMessage.of(new byte[100]), ProducerMessage.of(new byte[100]));
        for (int i = 0; i < 100; i++) {
            mq.produce("before", small);
            mq.produce("after", small);
        }
        byte[] big = new byte[BIG_BYTES];
        new SplittableRandom(5).nextBytes(big); // incompressible: the block stays as big as the message
        mq.produce("big", List.of(ProducerMessage.of(big)));
        for (int i = 0; i < 100; i++) {
            mq.produce("after", small);
        }
        try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
            mq.store().db().flush(wait, mq.store().messages());
        }
    }

    @AfterEach
    void close() {
        mq.close();
    }

    @Test
    void callsOnOtherTopicsDoNotReadTheBigMessage() {
        for (String t : List.of("before", "after")) {
            assertThat(blockBytesRead(() -> mq.earliestMessageId(t))).as(t + " earliestMessageId")
                    .isLessThan(MAX_BYTES_PER_CALL);
            long latest = mq.latestMessageId(t);
            assertThat(blockBytesRead(() -> mq.read(t, latest - 5, 100).size())).as(t + " read of the newest")
                    .isLessThan(MAX_BYTES_PER_CALL);
            assertThat(blockBytesRead(() -> mq.read(t, latest + 1, 100).size())).as(t + " read caught up")
                    .isLessThan(MAX_BYTES_PER_CALL);
            // The client consumer's steady state: a message arrives (in the memtable) and is read at once.
            long id = mq.produce(t, List.of(ProducerMessage.of(new byte[10])))[0];
            assertThat(blockBytesRead(() -> mq.read(t, id, 100).size())).as(t + " produce then read")
                    .isLessThan(MAX_BYTES_PER_CALL);
        }
    }

    @Test
    void theBigMessageItselfIsReadWhole() {
        // Shows the measurement sees the big block: reading the big message does read it.
        long id = mq.earliestMessageId("big");
        assertThat(blockBytesRead(() -> mq.read("big", id, 1).get(0).payloadSize())).isGreaterThan(BIG_BYTES);
    }

    private long blockBytesRead(LongSupplier call) {
        mq.store().db().setPerfLevel(PerfLevel.ENABLE_COUNT);
        try {
            PerfContext perf = mq.store().db().getPerfContext();
            perf.reset();
            call.getAsLong();
            return perf.getBlockReadByte();
        } finally {
            mq.store().db().setPerfLevel(PerfLevel.DISABLE);
        }
    }
}
