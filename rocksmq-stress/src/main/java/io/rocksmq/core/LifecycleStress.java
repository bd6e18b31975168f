package io.rocksmq.core;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * jcstress tests of {@link Lifecycle}: the "refuse new, wait for in-flight" step every destroy and
 * close relies on. Run with the rest of the module's jcstress tests (see the module pom).
 *
 * <p>Each state is driven by jcstress: one thread per actor, the arbiter after them.
 */
public final class LifecycleStress {
    private LifecycleStress() {
    }

    /** An operation racing the closer either is refused or finishes before the closer goes on. */
    @JCStressTest
    @Description("tryEnter/exit vs beginClose/awaitQuiescent/remove")
    @Outcome(id = "0, 0", expect = Expect.ACCEPTABLE, desc = "operation refused: the closer won")
    @Outcome(id = "1, 0", expect = Expect.ACCEPTABLE, desc = "operation ran before the closer removed the thing")
    @Outcome(id = "1, 1", expect = Expect.FORBIDDEN, desc = "operation ran after removal")
    @Outcome(expect = Expect.FORBIDDEN, desc = "impossible")
    @State
    public static class EnterVsClose {
        final Lifecycle lifecycle = new Lifecycle();
        volatile boolean removed;

        @Actor
        public void operation(II_Result r) {
            if (lifecycle.tryEnter()) {
                r.r1 = 1;
                r.r2 = removed ? 1 : 0;
                lifecycle.exit();
            }
        }

        @Actor
        public void closer() {
            if (lifecycle.beginClose()) {
                lifecycle.awaitQuiescent();
                removed = true;
                lifecycle.markClosed();
            }
        }
    }

    /** The closer parks with no timeout: the last exiting operation must unpark it (no lost wake-up). */
    @JCStressTest(Mode.Termination)
    @Description("awaitQuiescent is woken by the last exit, with no polling")
    @Outcome(id = "TERMINATED", expect = Expect.ACCEPTABLE, desc = "closer saw the operation leave")
    @Outcome(id = "STALE", expect = Expect.FORBIDDEN, desc = "closer hangs: exit's unpark was lost")
    @State
    public static class CloserWakeup {
        final Lifecycle lifecycle = new Lifecycle();

        public CloserWakeup() {
            lifecycle.tryEnter();
        }

        @Actor
        public void closer() {
            lifecycle.beginClose();
            lifecycle.awaitQuiescent();
        }

        @Signal
        public void operationEnds() {
            lifecycle.exit();
        }
    }
}
