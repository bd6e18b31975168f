package io.rocksmq.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every lock of the engine belongs to the class whose state it guards: no field holding a lock, a
 * condition or a lifecycle is reachable from another class (the lock order in {@code package-info} can
 * only hold if each lock is taken through its owner's methods). Checked by reflection over every
 * compiled class of {@code io.rocksmq.core}, nested ones included.
 *
 * <p>Shown to fail on the code before the fields were made private ({@code Topic.adminLock},
 * {@code Topic.produceLock}, {@code Topic.lifecycle}, {@code ConsumerGroup.readLock} and
 * {@code ConsumerGroup.lifecycle} were package-private).
 */
class LockPrivacyTest {

    @Test
    void noLockOrLifecycleFieldIsReachableFromOutsideItsClass() throws Exception {
        List<Class<?>> classes = engineClasses();
        assertThat(classes).as("the scan found the engine's classes").contains(Topic.class, ConsumerGroup.class,
                TopicRegistry.class, RocksMq.class);
        List<String> reachable = new ArrayList<>();
        int guarded = 0;
        for (Class<?> c : classes) {
            for (Field f : c.getDeclaredFields()) {
                if (isLockLike(f.getType())) {
                    guarded++;
                    if (!Modifier.isPrivate(f.getModifiers())) {
                        reachable.add(c.getSimpleName() + "." + f.getName());
                    }
                }
            }
        }
        assertThat(guarded).as("lock fields found (Topic's two, ConsumerGroup's, the registry's at least)")
                .isGreaterThanOrEqualTo(4);
        assertThat(reachable).as("lock or lifecycle fields that are not private").isEmpty();
    }

    private static boolean isLockLike(Class<?> type) {
        return Lock.class.isAssignableFrom(type) || ReadWriteLock.class.isAssignableFrom(type)
                || Condition.class.isAssignableFrom(type) || type == Lifecycle.class;
    }

    /** The classes compiled from rocksmq-core's main sources in this package. */
    private static List<Class<?>> engineClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(RocksMq.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve("io/rocksmq/core");
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String simple = p.getFileName().toString().replace(".class", "");
                if (!simple.equals("package-info")) {
                    out.add(Class.forName("io.rocksmq.core." + simple, false, LockPrivacyTest.class.getClassLoader()));
                }
            }
        }
        return out;
    }
}
