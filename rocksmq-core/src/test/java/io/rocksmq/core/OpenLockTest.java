package io.rocksmq.core;

import io.rocksmq.testkit.process.ChildJvm;

import io.rocksmq.api.QueueAlreadyOpenException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Opening a directory that is, or was, held by another queue instance or process. */
class OpenLockTest {
    @TempDir
    Path tmp;

    @Test
    void secondOpenInTheSameProcessFailsClearlyAndWorksAfterClose() throws Exception {
        Path dir = tmp.resolve("q");
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            assertThatThrownBy(() -> RocksMq.open(dir))
                    .isInstanceOf(QueueAlreadyOpenException.class)
                    .hasMessageContaining("already open")
                    .hasMessageContaining(dir.toRealPath().toString());
            // The same directory through another spelling of its path is the same directory.
            assertThatThrownBy(() -> RocksMq.open(tmp.resolve("x").resolve("..").resolve("q")))
                    .isInstanceOf(QueueAlreadyOpenException.class);
            // The failed opens changed nothing for the open instance.
            assertThat(mq.produce("t", List.of(ProducerMessage.of(new byte[] {1})))).containsExactly(0L);
        }
        try (RocksMq again = RocksMq.open(dir)) {
            assertThat(again.latestMessageId("t")).isEqualTo(0L);
        }
    }

    @Test
    void liveProcessHoldingTheDirectoryGivesQueueAlreadyOpenAndAStaleLockNeverBlocks() throws Exception {
        Path dir = tmp.resolve("q");
        try (ChildJvm child = ChildJvm.start(OpenLockHolder.class, tmp.resolve("child.err"),
                dir.toString())) {
            assertThat(child.awaitReady(120_000)).as("child ready; stderr: %s", child.stderr()).isTrue();

            assertThatThrownBy(() -> RocksMq.open(dir))
                    .isInstanceOf(QueueAlreadyOpenException.class)
                    .hasMessageContaining("already open by another queue instance or process")
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("LOCK");
            assertThat(child.isAlive()).as("a failed open must not disturb the holder").isTrue();

            child.kill(); // SIGKILL: the holder never closes, its LOCK file stays behind
        }
        assertThat(dir.resolve("LOCK")).exists();
        try (RocksMq mq = RocksMq.open(dir)) {
            assertThat(mq.read("held", 0, 10)).singleElement()
                    .satisfies(m -> assertThat(m.payload()).containsExactly(42));
        }
    }
}
