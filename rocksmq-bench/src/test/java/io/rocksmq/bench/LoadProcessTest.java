package io.rocksmq.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The busy-machine mode's load process: it starts, burns CPU, and is gone after stop. No timing asserted. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LoadProcessTest {

    @Test
    void loadBurnsCpuUntilStoppedAndThenIsGone(@TempDir Path dir) throws Exception {
        LoadProcess load = LoadProcess.start(1, 50, dir.resolve("load.log"));
        try {
            assertThat(load.alive()).isTrue();
            // Waited for, not slept: on a loaded machine the burner may get no CPU tick in a fixed 300 ms.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (load.cpuSecondsSoFar() == 0) {
                assertThat(System.nanoTime()).as("the load used some CPU within 60 s").isLessThan(deadline);
                Thread.sleep(20);
            }
        } finally {
            LoadProcess.Usage usage = load.stop();
            // Some CPU went to the burner (how much depends on the machine, so only "some" is asserted).
            assertThat(usage.cpuSeconds()).isPositive();
            assertThat(usage.wallSeconds()).isPositive();
        }
        assertThat(load.alive()).isFalse();
        load.close(); // a second stop is harmless
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingStarts(@TempDir Path dir) {
        assertThatThrownBy(() -> LoadProcess.start(0, 50, dir.resolve("load.log")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 thread");
        assertThatThrownBy(() -> LoadProcess.start(1, 0, dir.resolve("load.log")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..100");
        assertThatThrownBy(() -> LoadProcess.start(1, 101, dir.resolve("load.log")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..100");
    }
}
