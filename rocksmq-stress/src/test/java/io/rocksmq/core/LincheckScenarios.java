package io.rocksmq.core;

import kotlin.Unit;
import kotlin.reflect.KFunction;
import kotlin.reflect.jvm.ReflectJvmMapping;
import org.jetbrains.lincheck.datastructures.DSLScenarioBuilder;

import java.util.function.Consumer;

/** Hand-written Lincheck scenarios shared by the registry checks. Stateless. */
final class LincheckScenarios {
    private LincheckScenarios() {
    }

    /**
     * The seed bug: a group with a registered consumer, then destroy on one thread and notify on the
     * other. The test class must have {@code create, register, destroy, notifyGroup(String)}.
     */
    static kotlin.jvm.functions.Function1<DSLScenarioBuilder, Unit> destroyVsNotify(Class<?> test) {
        return b -> {
            b.initial(t -> {
                t.actor(op(test, "create"), "a");
                t.actor(op(test, "register"), "a");
                return Unit.INSTANCE;
            });
            b.parallel(p -> {
                thread(p, t -> t.actor(op(test, "destroy"), "a"));
                thread(p, t -> t.actor(op(test, "notifyGroup"), "a"));
                return Unit.INSTANCE;
            });
            return Unit.INSTANCE;
        };
    }

    private static void thread(org.jetbrains.lincheck.datastructures.DSLParallelScenario p,
                               Consumer<org.jetbrains.lincheck.datastructures.DSLThreadScenario> body) {
        p.thread(t -> {
            body.accept(t);
            return Unit.INSTANCE;
        });
    }

    private static KFunction<?> op(Class<?> test, String name) {
        try {
            return ReflectJvmMapping.getKotlinFunction(test.getMethod(name, String.class));
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
