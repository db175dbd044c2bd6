package dev.wanhybrid.gateway.e2e.support;

import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One application context for the API tests: in-memory H2, a temporary result folder, three test tenants, fast
 * dispatcher timings, and the scripted backends. Subclasses share the cached context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.url=jdbc:h2:mem:api-tests;DB_CLOSE_DELAY=-1",
    "gateway.jobs.tick=40ms", "gateway.jobs.poll-min=40ms", "gateway.jobs.poll-max=200ms",
    "gateway.jobs.reconcile-interval=100ms", "gateway.jobs.retry-interval=100ms", "gateway.events.poll-interval=50ms",
    "gateway.admin.token-sha256=16175223c8ddce5ace0493c948569c211b03c4c6bb3d3e484434999448cffe01",
})
@Import(TestBackends.class)
public abstract class ApiTestBase {

    protected static final Path RESULTS;

    static {
        try {
            RESULTS = Files.createTempDirectory("api-tests");
        } catch (java.io.IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("gateway.storage.local.root", RESULTS::toString);
        registerTenants(registry);
    }

    /** Adds the test tenants of {@link TestBackends#TENANTS} to a context's properties. */
    public static void registerTenants(DynamicPropertyRegistry registry) {
        for (String tenant : TestBackends.TENANTS) {
            String[] kv = tenant.split("=", 2);
            registry.add(kv[0], () -> kv[1]);
        }
    }
}
