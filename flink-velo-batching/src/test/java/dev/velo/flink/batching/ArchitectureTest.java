package dev.velo.flink.batching;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.members;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

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
import java.util.Optional;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.Public;
import org.apache.flink.annotation.PublicEvolving;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Architecture rules of the batching runtime: its packages form no cycle, the runtime machinery
 * lives in {@code ..internal..} packages marked {@code @Internal}, and the public API (the classes
 * marked {@code @PublicEvolving}) shows no internal type in its signatures. The rules across both
 * modules (layering of the SQL packages, Flink API use) are in the SQL module's {@code
 * ArchitectureTest}.
 */
class ArchitectureTest {

    private static final String BATCHING = "dev.velo.flink.batching";

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages(BATCHING);
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching(BATCHING + ".(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void batchingNeverDependsOnTheSqlLayer() {
        noClasses()
                .that()
                .resideInAPackage(BATCHING + "..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.velo.flink.sql..")
                .check(classes);
    }

    @Test
    void publicTopLevelClassesDeclareTheirStability() {
        classes()
                .that()
                .resideInAPackage(BATCHING + "..")
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

    @Test
    void classesOfInternalPackagesAreInternal() {
        classes()
                .that()
                .resideInAPackage(BATCHING + ".internal..")
                .and()
                .areTopLevelClasses()
                .and()
                .doNotHaveSimpleName("package-info")
                .should()
                .beAnnotatedWith(Internal.class)
                .check(classes);
    }

    @Test
    void publicApiSignaturesShowNoInternalType() {
        members()
                .that()
                .areDeclaredInClassesThat(publicApi())
                .and()
                .arePublic()
                .and()
                .areNotAnnotatedWith(Internal.class)
                .should(useNoInternalTypeInTheirSignature())
                .allowEmptyShould(false)
                .check(classes);
    }

    /** Public classes marked {@code @Public(Evolving)}, directly or by an enclosing class. */
    static DescribedPredicate<JavaClass> publicApi() {
        return DescribedPredicate.describe(
                "are public API (public, marked @Public or @PublicEvolving)",
                c -> c.getModifiers().contains(JavaModifier.PUBLIC) && stability(c).isPresent());
    }

    /** The nearest stability annotation of {@code c} or of a class enclosing it. */
    static Optional<Class<?>> stability(JavaClass c) {
        for (JavaClass k = c; k != null; k = k.getEnclosingClass().orElse(null)) {
            if (k.isAnnotatedWith(Internal.class)) {
                return Optional.empty();
            }
            if (k.isAnnotatedWith(Public.class) || k.isAnnotatedWith(PublicEvolving.class)) {
                return Optional.of(PublicEvolving.class);
            }
        }
        return Optional.empty();
    }

    /** A type of this project in an internal package or marked {@code @Internal}. */
    static boolean isInternal(JavaClass c) {
        if (!c.getPackageName().startsWith("dev.velo.flink")) {
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

    static ArchCondition<JavaMember> useNoInternalTypeInTheirSignature() {
        return new ArchCondition<>("use no internal type of flink-velo in their signature") {
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
                    JavaClass base = type.getBaseComponentType();
                    if (isInternal(base)) {
                        events.add(
                                SimpleConditionEvent.violated(
                                        member,
                                        member.getFullName()
                                                + " shows the internal type "
                                                + base.getName()));
                    }
                }
            }
        };
    }
}
