package io.rocksmq.core;

import io.rocksmq.api.StorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real full disk: the queue lives on a 48 MiB tmpfs mounted by each test (needs root on Linux;
 * skipped with a message elsewhere); files written beside it take the space and give it back.
 */
class DiskFullTest {
    private static final int PAYLOAD = 16 * 1024;

    @TempDir
    Path tmp;
    private Path mountPoint;

    @AfterEach
    void unmount() throws Exception {
        if (mountPoint != null) {
            if (run("umount", mountPoint.toString()) != 0) {
                run("umount", "-l", mountPoint.toString());
            }
        }
    }

    /** The usual path: the queue refuses produce while less than its reserve is free. */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void produceFailsWhenFullLosesNothingKeepsServingAndWorksAgainOnceSpaceReturns() throws Exception {
        mountSmallTmpfs();
        Path ballast = mountPoint.resolve("ballast");
        Files.write(ballast, new byte[16 << 20]);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<byte[]> acknowledged = new ArrayList<>();
        RocksMqConfig config = config();
        try (RocksMq mq = RocksMq.open(config)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            StorageException full = fill(mq, random, acknowledged);
            assertThat(full).as("48 MiB must fill up (seed %d)", seed).isNotNull();
            assertThat(full.getMessage()).contains("disk full");
            assertThat(full.status()).startsWith("NoSpace");
            assertThat(acknowledged).isNotEmpty();

            // Nothing acknowledged is lost, nothing unacknowledged appears, reads and consumers keep working.
            assertThat(mq.latestMessageId("t")).isEqualTo(acknowledged.size() - 1);
            assertStored(mq, acknowledged);
            assertThat(mq.consume("t", "g", 10)).hasSize(Math.min(10, acknowledged.size()));

            // Space returns: produce works again at once, and the failed produces used no ids.
            Files.delete(ballast);
            byte[] after = "after the disk was full".getBytes(StandardCharsets.UTF_8);
            assertThat(mq.produce("t", List.of(ProducerMessage.of(after)))[0]).isEqualTo(acknowledged.size());
            acknowledged.add(after);
            assertStored(mq, acknowledged);
        }
        try (RocksMq mq = RocksMq.open(config)) {
            assertStored(mq, acknowledged);
            assertThat(mq.position("t", "g")).isEqualTo(Math.min(10, acknowledged.size() - 1));
        }
    }

    /**
     * The disk fills behind the queue's back (another file grows between two free-space checks), so
     * RocksDB itself hits "no space left". Produce fails saying so, nothing acknowledged is lost, reads
     * keep working; once space returns, writes work again, by themselves or after a reopen, which is
     * what RocksDB 10 needs after a failed write-ahead-log append.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void whenRocksDbItselfRunsOutOfSpaceNothingIsLostAndReopeningRestoresWrites() throws Exception {
        mountSmallTmpfs();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<byte[]> acknowledged = new ArrayList<>();
        Path filler = mountPoint.resolve("filler");
        RocksMqConfig config = config();
        RocksMq mq = RocksMq.open(config);
        try {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            produceOne(mq, random, acknowledged); // the guard checks free space: plenty
            fillDisk(filler);
            StorageException full = fill(mq, random, acknowledged);
            assertThat(full).as("seed %d", seed).isNotNull();
            assertThat(full.getMessage()).contains("disk full");
            assertStored(mq, acknowledged);

            Files.delete(filler);
            byte[] after = "after the disk was full".getBytes(StandardCharsets.UTF_8);
            Long id = produceWithin(mq, after, 15);
            if (id == null) {
                System.out.println("disk full test: RocksDB stayed read-only after '" + full.status()
                        + "'; reopening, as documented");
                mq.close();
                mq = RocksMq.open(config);
                assertStored(mq, acknowledged);
                id = mq.produce("t", List.of(ProducerMessage.of(after)))[0];
            } else {
                System.out.println("disk full test: RocksDB resumed writes by itself after '" + full.status() + "'");
            }
            assertThat(id).isEqualTo(acknowledged.size());
            acknowledged.add(after);
            assertStored(mq, acknowledged);
        } finally {
            mq.close();
        }
        try (RocksMq reopened = RocksMq.open(config)) {
            assertStored(reopened, acknowledged);
        }
    }

    private RocksMqConfig config() {
        // 1 MiB memtables: the reserve is 2 x the 8 MiB metadata memtable = 16 MiB.
        return RocksMqConfig.builder(mountPoint.resolve("q")).writeBufferBytes(1 << 20)
                .compression(Compression.NONE).durability(Durability.FSYNC).build();
    }

    private static void produceOne(RocksMq mq, Random random, List<byte[]> acknowledged) {
        byte[] payload = new byte[PAYLOAD];
        random.nextBytes(payload);
        long id = mq.produce("t", List.of(ProducerMessage.of(payload)))[0];
        assertThat(id).isEqualTo(acknowledged.size());
        acknowledged.add(payload);
    }

    /** Produces until a StorageException (returned), or null after 10,000 messages. */
    private static StorageException fill(RocksMq mq, Random random, List<byte[]> acknowledged) {
        for (int i = 0; i < 10_000; i++) {
            try {
                produceOne(mq, random, acknowledged);
            } catch (StorageException e) {
                return e;
            }
        }
        return null;
    }

    private static void fillDisk(Path filler) throws IOException {
        byte[] chunk = new byte[1 << 20];
        try (var out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
    }

    private static Long produceWithin(RocksMq mq, byte[] payload, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try {
                return mq.produce("t", List.of(ProducerMessage.of(payload)))[0];
            } catch (StorageException e) {
                Thread.sleep(200);
            }
        }
        return null;
    }

    private static void assertStored(RocksMq mq, List<byte[]> expected) {
        List<ConsumerMessage> all = new ArrayList<>();
        long from = 0;
        List<ConsumerMessage> batch;
        while (!(batch = mq.read("t", from, 500)).isEmpty()) {
            all.addAll(batch);
            from = batch.get(batch.size() - 1).id() + 1;
        }
        assertThat(all).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(all.get(i).id()).isEqualTo(i);
            assertThat(all.get(i).payload()).as("payload of id %d", i).isEqualTo(expected.get(i));
        }
    }

    private void mountSmallTmpfs() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("small-disk"));
        boolean linux = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux");
        assumeTrue(linux, "skipped: the disk-full test mounts a tmpfs, which needs Linux");
        int rc = run("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", target.toString());
        assumeTrue(rc == 0, "skipped: cannot mount a 48 MiB tmpfs at " + target
                + " (needs root or CAP_SYS_ADMIN; mount exit code " + rc + ")");
        mountPoint = target;
    }

    private static int run(String... cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        }
    }
}
