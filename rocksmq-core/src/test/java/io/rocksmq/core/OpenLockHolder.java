package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;

import java.nio.file.Path;
import java.util.List;

/**
 * Child-process main for {@link OpenLockTest}: opens the queue in {@code args[0]}, produces one message
 * so the directory holds real data, prints {@value ChildJvm#READY}, and keeps the queue open until
 * it is killed (or its parent dies).
 */
public final class OpenLockHolder {
    private OpenLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.exitWhenParentDies();
        RocksMq mq = RocksMq.open(Path.of(args[0]));
        mq.createTopic("held");
        mq.produce("held", List.of(ProducerMessage.of(new byte[] {42})), Durability.FSYNC);
        System.out.println(ChildJvm.READY);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
