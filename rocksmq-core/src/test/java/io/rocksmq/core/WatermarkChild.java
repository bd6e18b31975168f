package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;

import java.nio.file.Path;
import java.util.List;

/**
 * Child-process main for {@link RecoveryReportTest}: opens the queue in {@code args[0]} (default 64 MiB
 * write buffer: nothing is flushed to a table file), produces {@code args[1]} messages of 1 KB to topic "t" (WAL durability, no fsync),
 * waits until the watermark covers all of them, prints {@value ChildJvm#READY} and waits to be
 * killed: so the newest messages are acknowledged, recorded in the watermark, and only in the WAL.
 */
public final class WatermarkChild {
    private WatermarkChild() {
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.exitWhenParentDies();
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        RocksMq mq = RocksMq.open(dir);
        mq.createTopic("t");
        for (int i = 0; i < count; i++) {
            mq.produce("t", List.of(ProducerMessage.of(RecoveryReportTest.payload(i))));
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!covered(dir, count) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        System.out.println(covered(dir, count) ? ChildJvm.READY : "watermark never covered " + count);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static boolean covered(Path dir, int count) {
        return Watermark.read(dir).values().stream().anyMatch(e -> e.topic().equals("t") && e.nextId() == count);
    }
}
