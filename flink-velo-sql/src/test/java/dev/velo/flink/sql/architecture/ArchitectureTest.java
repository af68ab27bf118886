package dev.velo.flink.sql.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.members;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.annotation.Experimental;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.Public;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.annotation.VisibleForTesting;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Architecture rules across flink-velo's modules (production classes of batching and sql). */
class ArchitectureTest {

    private static final String VELO = "dev.velo.flink";
    private static final String SQL = VELO + ".sql";

    /** The connector: what runs in a Flink job. */
    private static final String[] CONNECTOR = {
        VELO + ".batching..",
        SQL + ".factory..",
        SQL + ".format..",
        SQL + ".dlq..",
        SQL + ".internal.."
    };

    /** The layers above the connector: the dialect, the command line and the docs generator. */
    private static final String[] ABOVE_CONNECTOR = {
        SQL + ".dialect..", SQL + ".cli..", SQL + ".docs.."
    };

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages(VELO);
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching(VELO + ".(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void connectorNeverDependsOnTheDialectTheCliOrTheDocs() {
        noClasses()
                .that()
                .resideInAnyPackage(CONNECTOR)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(ABOVE_CONNECTOR)
                .check(classes);
    }

    /** Each layer depends only on the layers below it (bottom first in the list). */
    @Test
    void packagesFollowTheLayering() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                // a layer may be empty (e.g. a package moved to another module or to test scope)
                .withOptionalLayers(true)
                .layer("batching")
                .definedBy(VELO + ".batching..")
                .layer("proxy")
                .definedBy(SQL + ".internal.proxy..")
                .layer("dlq")
                .definedBy(SQL + ".dlq..")
                .layer("runtime")
                .definedBy(SQL + ".internal")
                .layer("format")
                .definedBy(SQL + ".format..")
                .layer("factory")
                .definedBy(SQL + ".factory..")
                .layer("dialect")
                .definedBy(SQL + ".dialect..")
                .layer("cli")
                .definedBy(SQL + ".cli..")
                .layer("docs")
                .definedBy(SQL + ".docs..")
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("docs")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("dialect")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("factory")
                .mayOnlyBeAccessedByLayers("dialect", "cli", "docs")
                .whereLayer("format")
                .mayOnlyBeAccessedByLayers("factory", "dialect", "cli", "docs")
                .whereLayer("runtime")
                .mayOnlyBeAccessedByLayers("format", "factory", "dialect", "cli", "docs")
                .whereLayer("dlq")
                .mayOnlyBeAccessedByLayers("runtime", "format", "factory", "dialect", "cli", "docs")
                .whereLayer("proxy")
                .mayOnlyBeAccessedByLayers(
                        "dlq", "runtime", "format", "factory", "dialect", "cli", "docs")
                .whereLayer("batching")
                .mayOnlyBeAccessedByLayers(
                        "proxy", "dlq", "runtime", "format", "factory", "dialect", "cli", "docs")
                .check(classes);
    }

    @Test
    void publicTopLevelClassesDeclareTheirStability() {
        classes()
                .that()
                .resideInAPackage(VELO + "..")
                .and()
                .areTopLevelClasses()
                .and()
                .arePublic()
                .should()
                .beAnnotatedWith(PublicEvolving.class)
                .orShould()
                .beAnnotatedWith(Internal.class)
                .check(classes);
    }

    @Test
    void classesOfInternalPackagesAreInternal() {
        classes()
                .that()
                .resideInAPackage(VELO + "..internal..")
                .and()
                .areTopLevelClasses()
                .and()
                .doNotHaveSimpleName("package-info")
                .should()
                .beAnnotatedWith(Internal.class)
                .check(classes);
    }

    /**
     * Flink's own connectors may depend only on Flink's public API ({@code @Public},
     * {@code @PublicEvolving}) outside their packages (Flink's {@code ConnectorRules}); the same
     * holds for velo's connector, but for the Flink types listed in {@link FlinkInternalsInUse}:
     * there is no public type for what they do. A new dependency on a Flink type outside the public
     * API fails here until it is either replaced or listed with its reason.
     */
    @Test
    void connectorUsesFlinksPublicApi() {
        classes()
                .that()
                .resideInAnyPackage(CONNECTOR)
                .should()
                .onlyDependOnClassesThat(
                        DescribedPredicate.not(resideInAPackage("org.apache.flink.."))
                                .or(flinkPublicApi())
                                .or(resideInAPackage("org.apache.flink.util.."))
                                .or(resideInAPackage("org.apache.flink.annotation.."))
                                .or(FlinkInternalsInUse.PREDICATE)
                                .or(resideInAPackage(VELO + "..")))
                .check(classes);
    }

    @Test
    void everyListedFlinkInternalIsStillUsed() {
        Set<String> used =
                classes.that(resideInAnyPackage(CONNECTOR)).stream()
                        .flatMap(c -> c.getDirectDependenciesFromSelf().stream())
                        .map(d -> d.getTargetClass().getBaseComponentType().getName())
                        .collect(Collectors.toSet());
        assertThat(used)
                .as("Flink internals listed in FlinkInternalsInUse but no longer used")
                .containsAll(FlinkInternalsInUse.CLASSES.keySet());
    }

    /**
     * Flink's rule {@code NO_CALLS_TO_VISIBLE_FOR_TESTING_METHODS}, for velo's classes: a method
     * widened for tests is not called by other production classes.
     */
    @Test
    void productionCodeCallsNoMethodWidenedForTests() {
        noClasses()
                .that()
                .resideInAPackage(VELO + "..")
                .should()
                .callMethodWhere(
                        DescribedPredicate.describe(
                                "the target is @VisibleForTesting and of another class",
                                call ->
                                        call.getTarget().isAnnotatedWith(VisibleForTesting.class)
                                                && !call.getOrigin()
                                                        .isAnnotatedWith(VisibleForTesting.class)
                                                && !topLevel(call.getOriginOwner())
                                                        .equals(topLevel(call.getTargetOwner()))))
                .check(classes);
    }

    /** Public members of velo's public API show no internal velo type in their signature. */
    @Test
    void publicApiSignaturesShowNoInternalType() {
        members()
                .that()
                .areDeclaredInClassesThat(veloPublicApi())
                .and()
                .arePublic()
                .and()
                .areNotAnnotatedWith(Internal.class)
                .should(useNoInternalVeloType())
                .check(classes);
    }

    private static JavaClass topLevel(JavaClass c) {
        JavaClass k = c;
        while (k.getEnclosingClass().isPresent()) {
            k = k.getEnclosingClass().get();
        }
        return k;
    }

    /** Public velo classes marked {@code @Public(Evolving)}, directly or by an enclosing class. */
    static DescribedPredicate<JavaClass> veloPublicApi() {
        return DescribedPredicate.describe(
                "are velo's public API",
                c -> {
                    if (!c.getPackageName().startsWith(VELO)
                            || !c.getModifiers().contains(JavaModifier.PUBLIC)) {
                        return false;
                    }
                    for (JavaClass k = c; k != null; k = k.getEnclosingClass().orElse(null)) {
                        if (k.isAnnotatedWith(Internal.class)) {
                            return false;
                        }
                        if (k.isAnnotatedWith(Public.class)
                                || k.isAnnotatedWith(PublicEvolving.class)) {
                            return true;
                        }
                    }
                    return false;
                });
    }

    static boolean isInternalVeloType(JavaClass c) {
        if (!c.getPackageName().startsWith(VELO)) {
            return false;
        }
        if (c.getPackageName().contains(".internal")) {
            return true;
        }
        for (JavaClass k = c; k != null; k = k.getEnclosingClass().orElse(null)) {
            if (k.isAnnotatedWith(Internal.class)) {
                return true;
            }
        }
        return false;
    }

    static ArchCondition<JavaMember> useNoInternalVeloType() {
        return new ArchCondition<>("use no internal velo type in their signature") {
            @Override
            public void check(JavaMember member, ConditionEvents events) {
                List<JavaClass> types = new ArrayList<>();
                if (member instanceof JavaCodeUnit) {
                    types.add(((JavaCodeUnit) member).getRawReturnType());
                    types.addAll(((JavaCodeUnit) member).getRawParameterTypes());
                } else if (member instanceof JavaField) {
                    types.add(((JavaField) member).getRawType());
                }
                for (JavaClass type : types) {
                    if (isInternalVeloType(type.getBaseComponentType())) {
                        events.add(
                                SimpleConditionEvent.violated(
                                        member,
                                        member.getFullName()
                                                + " shows the internal type "
                                                + type.getBaseComponentType().getName()));
                    }
                }
            }
        };
    }

    /**
     * A Flink class marked {@code @Public}, {@code @PublicEvolving} or {@code @Experimental}, or
     * inside one.
     */
    static DescribedPredicate<JavaClass> flinkPublicApi() {
        return DescribedPredicate.describe(
                "are Flink's public API",
                c -> {
                    JavaClass base = c.getBaseComponentType();
                    for (JavaClass k = base; k != null; k = k.getEnclosingClass().orElse(null)) {
                        if (k.isAnnotatedWith(Public.class)
                                || k.isAnnotatedWith(PublicEvolving.class)
                                || k.isAnnotatedWith(Experimental.class)) {
                            return true;
                        }
                    }
                    return false;
                });
    }
}
