package dev.wanhybrid.gateway.e2e.support;

import dev.wanhybrid.gateway.budget.SpendLedger;
import dev.wanhybrid.gateway.routing.RoutePlanner;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Test doubles for the router and the ledger, marked {@code @Primary} so they win over the real ones in tests that
 * exercise the API and the dispatcher alone, and two scripted backends that the real backend registry decorates.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestBackends {

    /** Test keys (never real): {@code sk-test-alpha}, {@code sk-test-beta}, {@code sk-test-gamma}. */
    /**
     * Ids of the scripted backends: distinct from the real {@code local} and {@code cloud} beans, which stay in
     * the context (not ready: no weights, no key) and are never routed to by the test planner.
     */
    public static final String LOCAL = "scripted-local";
    public static final String CLOUD = "scripted-cloud";

    /** Properties every test context needs besides the tenants. */
    public static final String FREE_BACKENDS = "gateway.jobs.free-backends=" + LOCAL;

    public static final String ALPHA_KEY = "sk-test-alpha";
    public static final String BETA_KEY = "sk-test-beta";
    /** A tenant limited to three requests an hour. */
    public static final String GAMMA_KEY = "sk-test-gamma";

    /** Properties for two tenants with the hashes of the keys above. */
    public static final String[] TENANTS = {
        FREE_BACKENDS,
        "gateway.tenants[0].id=alpha",
        "gateway.tenants[0].api-key-sha256=5a44ee831beb11795ca9e062551a912f66aaa8043e59ded9eaf05a337784dec8",
        "gateway.tenants[0].rate-limit.limit=100000",
        "gateway.tenants[1].id=beta",
        "gateway.tenants[1].api-key-sha256=626c85f21d77b087cbbba33378b2da9f7d02b084f1af1ea9f8a113861926e62c",
        "gateway.tenants[1].rate-limit.limit=100000",
        "gateway.tenants[2].id=gamma",
        "gateway.tenants[2].api-key-sha256=0ab9b7da9f5e65d230a20141c837ae90ac84b3c968f20d050a8e461ba294c036",
        "gateway.tenants[2].rate-limit.limit=3",
        "gateway.tenants[2].rate-limit.period=1h",
    };

    /** The test tenants and a fresh result folder, for a {@code @DynamicPropertySource} of a demo-profile test. */
    public static void registerTenantsAndResults(org.springframework.test.context.DynamicPropertyRegistry registry,
            String resultsPrefix) throws java.io.IOException {
        java.nio.file.Path results = java.nio.file.Files.createTempDirectory(resultsPrefix);
        registry.add("gateway.storage.local.root", results::toString);
        for (String tenant : TENANTS) {
            String[] kv = tenant.split("=", 2);
            registry.add(kv[0], () -> kv[1]);
        }
    }

    /** The two scripted backends, as the tests see them (the application sees them through its registry). */
    public record Scripted(ScriptedBackend local, ScriptedBackend cloud) {

        public void reset() {
            local.reset();
            cloud.reset();
        }
    }

    /** Registered as VideoBackend beans, so the real registry wraps them in the real resilience decorators. */
    @Bean
    ScriptedBackend testLocalBackend() {
        return new ScriptedBackend(LOCAL);
    }

    @Bean
    ScriptedBackend testCloudBackend() {
        return new ScriptedBackend(CLOUD);
    }

    @Bean
    Scripted testScriptedBackends(ScriptedBackend testLocalBackend, ScriptedBackend testCloudBackend) {
        return new Scripted(testLocalBackend, testCloudBackend);
    }

    @Bean
    @Primary
    RoutePlanner testRoutePlanner() {
        return new FixedRoutePlanner();
    }

    @Bean
    RecordingLedger testRecordingLedger() {
        return new RecordingLedger();
    }

    /** The interface type as well, so an ObjectProvider&lt;SpendLedger&gt; picks the double. */
    @Bean
    @Primary
    SpendLedger testSpendLedger(RecordingLedger recordingLedger) {
        return recordingLedger;
    }
}
