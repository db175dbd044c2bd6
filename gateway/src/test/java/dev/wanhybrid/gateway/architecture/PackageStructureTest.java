package dev.wanhybrid.gateway.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/**
 * Keeps the gateway's packages a directed graph: no package may import one that (directly or through others)
 * imports it back. Every package is its own slice, so {@code backend} and {@code backend.local} count apart.
 */
class PackageStructureTest {

    private static final String ROOT = "dev.wanhybrid.gateway";

    static ArchRule noPackageCycles(String root) {
        return slices().matching(root + ".(**)").should().beFreeOfCycles();
    }

    private static JavaClasses production() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(ROOT);
    }

    @Test
    void gatewayPackagesHaveNoCycles() {
        JavaClasses classes = production();
        assertThat(classes.size()).as("production classes imported").isGreaterThan(100);
        noPackageCycles(ROOT).check(classes);
    }

    @Test
    void theCycleCheckFailsOnACycle() {
        // cyclefixture.a -> b -> c -> a is a loop of three packages, as the gateway's loop was.
        JavaClasses fixture = new ClassFileImporter().importPackages(ROOT + ".architecture.cyclefixture");
        EvaluationResult result = noPackageCycles(ROOT + ".architecture.cyclefixture").evaluate(fixture);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains("cyclefixture.a", "cyclefixture.b",
                "cyclefixture.c");
        assertThatThrownBy(() -> noPackageCycles(ROOT + ".architecture.cyclefixture").check(fixture))
                .isInstanceOf(AssertionError.class);
    }
}
