package io.rocksmq.core;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.rocksmq.api.ApiUsingTheEngine;
import io.rocksmq.core.client.ClientUsingRocksDb;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The layering, enforced: the engine ({@code io.rocksmq.core}) never depends on the embedded client
 * ({@code io.rocksmq.core.client}); the client uses only the client API, the engine's public types and the
 * JDK; {@code rocksmq-api} depends on no backend; and the engine's public surface is exactly
 * {@link #PUBLIC_ENGINE_TYPES}. Each rule is also run on a fixture kept in test sources that breaks it, so
 * the rules are shown to fail on a forbidden import.
 */
class ArchitectureTest {
    /**
     * The public top-level types of {@code io.rocksmq.core}. Adding one is a decision about the engine's API:
     * add it here in the same change.
     */
    static final Set<String> PUBLIC_ENGINE_TYPES = Set.of(
            "AwaitResult", "Compression", "ConsumerMessage", "ConsumerRegistration", "Durability",
            "ExpiredIds",
            "MessageSettings", "PayloadBlock", "ProducerMessage", "QueueAdmin", "QueueListener", "RecoveryReport", "RetentionPolicy", "RocksMq", "RocksMqConfig",
            "SharedGroup", "SharedGroupOptions", "TopicStats", "ScheduleHandle", "ScheduledMessage");

    static final ArchRule ENGINE_NEVER_DEPENDS_ON_THE_CLIENT = noClasses()
            .that().resideInAPackage("io.rocksmq.core")
            .should().dependOnClassesThat().resideInAPackage("io.rocksmq.core.client..");

    private static final DescribedPredicate<JavaClass> PUBLIC_ENGINE_TYPE = DescribedPredicate.describe(
            "public types of io.rocksmq.core",
            c -> c.getPackageName().equals("io.rocksmq.core") && c.getModifiers().contains(JavaModifier.PUBLIC));

    static final ArchRule CLIENT_USES_ONLY_API_PUBLIC_ENGINE_AND_JDK = classes()
            .that().resideInAPackage("io.rocksmq.core.client..")
            .should().onlyDependOnClassesThat(resideInAnyPackage("io.rocksmq.api..", "io.rocksmq.core.client..", "java..")
                    .or(PUBLIC_ENGINE_TYPE));

    static final ArchRule API_DEPENDS_ON_NO_BACKEND = noClasses()
            .that().resideInAPackage("io.rocksmq.api..")
            .should().dependOnClassesThat(resideInAnyPackage("io.rocksmq..").and(DescribedPredicate.not(resideInAPackage("io.rocksmq.api.."))))
            .orShould().dependOnClassesThat().resideInAnyPackage("org.rocksdb..", "org.apache.kafka..");

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.rocksmq.api", "io.rocksmq.core");
    }

    static Set<String> publicEngineTypes(JavaClasses classes) {
        Set<String> out = new TreeSet<>();
        for (JavaClass c : classes) {
            if (c.getPackageName().equals("io.rocksmq.core") && c.isTopLevelClass()
                    && c.getModifiers().contains(JavaModifier.PUBLIC)) {
                out.add(c.getSimpleName());
            }
        }
        return out;
    }

    @Test
    void theEngineNeverDependsOnTheClient() {
        ENGINE_NEVER_DEPENDS_ON_THE_CLIENT.check(production);
    }

    @Test
    void theClientUsesOnlyTheApiThePublicEngineAndTheJdk() {
        CLIENT_USES_ONLY_API_PUBLIC_ENGINE_AND_JDK.check(production);
    }

    @Test
    void theApiDependsOnNoBackend() {
        assertThat(production.that(resideInAPackage("io.rocksmq.api.."))).as("the API classes were imported").isNotEmpty();
        API_DEPENDS_ON_NO_BACKEND.check(production);
    }

    @Test
    void thePublicTypesOfTheEngineAreExactlyTheAllowList() {
        assertThat(publicEngineTypes(production)).isEqualTo(new TreeSet<>(PUBLIC_ENGINE_TYPES));
    }

    // ------------------------------------------------------------------ each rule fails on a forbidden import

    private static JavaClasses fixtures(Class<?>... violators) {
        return new ClassFileImporter().importClasses(violators);
    }

    @Test
    void anEngineClassImportingTheClientIsCaught() {
        assertThatThrownBy(() -> ENGINE_NEVER_DEPENDS_ON_THE_CLIENT.check(fixtures(EngineUsingTheClient.class)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("RocksMqClient");
    }

    @Test
    void aClientClassImportingAnythingElseIsCaught() {
        assertThatThrownBy(() -> CLIENT_USES_ONLY_API_PUBLIC_ENGINE_AND_JDK.check(fixtures(ClientUsingRocksDb.class)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("org.rocksdb");
    }

    @Test
    void anApiClassImportingABackendIsCaught() {
        assertThatThrownBy(() -> API_DEPENDS_ON_NO_BACKEND.check(fixtures(ApiUsingTheEngine.class)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("io.rocksmq.core.RocksMq");
    }

    @Test
    void aNewPublicEngineTypeIsCaught() {
        assertThat(publicEngineTypes(fixtures(EngineUsingTheClient.class))).containsExactly("EngineUsingTheClient")
                .doesNotContainAnyElementsOf(PUBLIC_ENGINE_TYPES);
    }
}
