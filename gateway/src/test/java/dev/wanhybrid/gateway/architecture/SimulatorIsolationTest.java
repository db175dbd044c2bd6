package dev.wanhybrid.gateway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The DashScope simulator is a test tool that the {@code demo} profile starts from the same jar: only the
 * gateway's {@code demo} package may use it, so no production path can come to depend on it.
 */
class SimulatorIsolationTest {

    private static final JavaClasses GATEWAY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.wanhybrid.gateway");

    @Test
    void onlyTheDemoPackageUsesTheSimulator() {
        noClasses().that().resideInAPackage("dev.wanhybrid.gateway..")
                .and().resideOutsideOfPackage("dev.wanhybrid.gateway.demo..")
                .should().dependOnClassesThat().resideInAPackage("dev.wanhybrid.cloud.simulator..")
                .because("the simulator is a test tool; the demo configuration is its only production user")
                .check(GATEWAY);
    }
}
