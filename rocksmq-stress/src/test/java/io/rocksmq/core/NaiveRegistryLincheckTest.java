package io.rocksmq.core;

import io.rocksmq.api.ConsumerGroupExistsException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StringGen;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The registry check of {@link RegistryLincheckTest}, same operations and spec, run on the naive
 * Milvus-like registry: model checking must find a failing interleaving (notify racing destroy sends
 * on a closed channel), which shows the check can catch the seed bug.
 *
 * <p>Not thread-safe, on purpose (that is what the check finds).
 */
@Param(name = "group", gen = StringGen.class, conf = "1:ab")
public class NaiveRegistryLincheckTest {
    private final NaiveRegistry registry = new NaiveRegistry();

    public NaiveRegistryLincheckTest() {
        registry.createTopic("t");
    }

    @Operation
    public String create(@Param(name = "group") String group) {
        try {
            registry.createGroup("t", group);
            return "ok";
        } catch (ConsumerGroupExistsException e) {
            return "exists";
        }
    }

    @Operation
    public void destroy(@Param(name = "group") String group) {
        registry.destroyGroup("t", group);
    }

    @Operation
    public boolean exists(@Param(name = "group") String group) {
        return registry.groupExists("t", group);
    }

    @Operation
    public String register(@Param(name = "group") String group) {
        try {
            registry.register("t", group);
            return "ok";
        } catch (ConsumerGroupNotFoundException e) {
            return "not found";
        }
    }

    @Operation
    public void notifyGroup(@Param(name = "group") String group) {
        registry.notifyGroup("t", group);
    }

    /** The same hand-written destroy-vs-notify scenario that passes on RocksMq. */
    @Test
    void modelCheckingFindsTheSeedBug() {
        assertThatThrownBy(() -> new ModelCheckingOptions().iterations(0).invocationsPerIteration(1_000)
                .addCustomScenario(LincheckScenarios.destroyVsNotify(getClass()))
                .sequentialSpecification(RegistryLincheckTest.Spec.class).check(getClass()))
                .isInstanceOf(LincheckAssertionError.class)
                .satisfies(e -> System.out.println("Lincheck on the naive registry: " + e.getMessage()
                        .lines().limit(12).reduce("", (a, b) -> a + "\n" + b)));
    }
}
