package io.cxrpipeline.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape every capability keeps: cores (services, models, ports) know neither the HTTP edge nor the AWS SDK;
 * AWS types live in {@code <capability>/aws/} adapters and the {@code *Beans} wiring; the edge is the {@code api}
 * package plus each capability's thin {@code *Route}, {@code *Routes} (helpers shared by a capability's routes)
 * and {@code *Function} classes.
 */
class ArchitectureTest {

    static final String BASE = "io.cxrpipeline";
    static final String[] CAPABILITIES = {"catalog", "ingest", "distribution", "splits", "training", "inference",
            "imaging", "common"};

    static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(BASE);
    }

    /** A capability's core: not an adapter, not wiring, not the edge. */
    static final DescribedPredicate<JavaClass> CORE = new DescribedPredicate<>("capability cores") {
        @Override
        public boolean test(JavaClass c) {
            String pkg = c.getPackageName();
            String name = c.getSimpleName().isEmpty() ? c.getName() : outermost(c).getSimpleName();
            boolean capability = false;
            for (String cap : CAPABILITIES) {
                capability |= pkg.equals(BASE + "." + cap);
            }
            return capability && !name.endsWith("Route") && !name.endsWith("Routes") && !name.endsWith("Function")
                    && !name.endsWith("Beans");
        }
    };

    static JavaClass outermost(JavaClass c) {
        JavaClass o = c;
        while (o.getEnclosingClass().isPresent()) {
            o = o.getEnclosingClass().get();
        }
        return o;
    }

    @Test
    void capabilityCoresDoNotDependOnTheHttpEdge() {
        noClasses().that(CORE).should().dependOnClassesThat().resideInAPackage(BASE + ".api..")
                .because("cores throw domain exceptions; the api package maps them to problem+json")
                .check(main);
    }

    @Test
    void capabilityCoresDoNotDependOnTheAwsSdk() {
        noClasses().that(CORE).should().dependOnClassesThat().resideInAnyPackage("software.amazon..",
                "com.amazonaws..").because("AWS types belong in <capability>/aws/ adapters").check(main);
    }

    @Test
    void capabilityCoresDoNotDependOnTheirAdapters() {
        noClasses().that(CORE).should().dependOnClassesThat().resideInAPackage(BASE + ".*.aws..")
                .because("cores see ports; adapters are wired by the *Beans class").check(main);
    }

    @Test
    void onlyAdaptersAndWiringUseTheAwsSdk() {
        noClasses().that().resideOutsideOfPackage(BASE + ".*.aws..").and().haveSimpleNameNotEndingWith("Beans")
                .should().dependOnClassesThat().resideInAnyPackage("software.amazon..")
                .because("SDK types stay at the edges of each capability").check(main);
    }

    @Test
    void theEdgeKnowsNoCapability() {
        noClasses().that().resideInAPackage(BASE + ".api..").should().dependOnClassesThat()
                .resideInAnyPackage(BASE + ".ingest..", BASE + ".splits..", BASE + ".training..",
                        BASE + ".inference..", BASE + ".distribution..", BASE + ".catalog..")
                .because("capabilities contribute routes; the edge stays generic").check(main);
    }

    @Test
    void theLocalStackIsNotInTheMainClasses() {
        noClasses().should().resideInAPackage(BASE + ".local..").check(main);
    }
}
