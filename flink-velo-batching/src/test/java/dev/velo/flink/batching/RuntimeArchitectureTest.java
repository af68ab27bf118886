package dev.velo.flink.batching;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Architecture rules of the batching runtime. */
class RuntimeArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.velo.flink.batching");
    }

    @Test
    void batchingNeverDependsOnTheSqlLayer() {
        noClasses()
                .that()
                .resideInAPackage("dev.velo.flink.batching..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.velo.flink.sql..")
                .check(classes);
    }

    @Test
    void publicRuntimeClassesDeclareTheirStability() {
        classes()
                .that()
                .resideInAnyPackage(
                        "dev.velo.flink.batching.batcher",
                        "dev.velo.flink.batching.operator",
                        "dev.velo.flink.batching.failure",
                        "dev.velo.flink.batching.dlq",
                        "dev.velo.flink.batching.metrics",
                        "dev.velo.flink.batching.sink",
                        "dev.velo.flink.batching.api")
                .and()
                .areTopLevelClasses()
                .and()
                .haveModifier(JavaModifier.PUBLIC)
                .should()
                .beAnnotatedWith(PublicEvolving.class)
                .orShould()
                .beAnnotatedWith(Internal.class)
                .check(classes);
    }
}
