package dev.wanhybrid.gateway.backend.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cloud.simulator.DashScopeSimulator;
import dev.wanhybrid.gateway.backend.BackendRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;

/** The {@code demo} profile starts the DashScope simulator in-process and the cloud backend is ready against it. */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:cloud-demo;DB_CLOSE_DELAY=-1",
    "gateway.storage.local.root=${java.io.tmpdir}/cloud-demo-results"})
@ActiveProfiles("demo")
class DemoProfileIT {

    @Autowired
    DashScopeSimulator simulator;

    @Autowired
    BackendRegistry backends;

    @Autowired
    dev.wanhybrid.gateway.api.SourceLinkProperties sourceLinks;

    @Test
    void theDemoProfileRunsTheCloudBackendAgainstTheInProcessSimulator() {
        var cloud = backends.find("cloud").orElseThrow();

        assertThat(cloud.readiness().ready()).isTrue();
        assertThat(cloud.readiness().detail()).contains("simulator").contains(simulator.baseUrl().toString());
    }

    @Test
    void theDemoSignsLinksToItsStoredVideosSoEditsWork() {
        assertThat(sourceLinks.publicBaseUrl()).hasToString("http://127.0.0.1:8080");
        assertThat(sourceLinks.secret()).hasSize(64).matches("[0-9a-f]+");
    }
}
