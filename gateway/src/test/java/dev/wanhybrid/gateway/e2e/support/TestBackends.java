package dev.wanhybrid.gateway.e2e.support;

import dev.wanhybrid.gateway.backend.BackendRegistry;
import dev.wanhybrid.gateway.backend.VideoBackend;
import dev.wanhybrid.gateway.budget.SpendLedger;
import dev.wanhybrid.gateway.routing.RoutePlanner;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Test doubles for the teammates' beans (router, ledger, backends), marked {@code @Primary} so they win over the
 * real ones in tests that exercise the API and the dispatcher alone.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestBackends {

    /** Test keys (never real): {@code sk-test-alpha}, {@code sk-test-beta}, {@code sk-test-gamma}. */
    public static final String ALPHA_KEY = "sk-test-alpha";
    public static final String BETA_KEY = "sk-test-beta";
    /** A tenant limited to three requests an hour. */
    public static final String GAMMA_KEY = "sk-test-gamma";

    /** Properties for two tenants with the hashes of the keys above. */
    public static final String[] TENANTS = {
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

    /** Holds the two scripted backends; not beans of type VideoBackend, so no real registry collects them. */
    public record Scripted(ScriptedBackend local, ScriptedBackend cloud) {

        public void reset() {
            local.reset();
            cloud.reset();
        }
    }

    @Bean
    Scripted scriptedBackends() {
        return new Scripted(new ScriptedBackend("local"), new ScriptedBackend("cloud"));
    }

    @Bean
    @Primary
    BackendRegistry scriptedBackendRegistry(Scripted scripted) {
        return new BackendRegistry() {
            @Override
            public Optional<VideoBackend> find(String backendId) {
                return all().stream().filter(b -> b.id().equals(backendId)).findFirst();
            }

            @Override
            public List<VideoBackend> all() {
                return List.of(scripted.local(), scripted.cloud());
            }
        };
    }

    @Bean
    @Primary
    RoutePlanner fixedRoutePlanner() {
        return new FixedRoutePlanner();
    }

    @Bean
    RecordingLedger recordingLedger() {
        return new RecordingLedger();
    }

    /** The interface type as well, so an ObjectProvider&lt;SpendLedger&gt; picks the double. */
    @Bean
    @Primary
    SpendLedger spendLedger(RecordingLedger recordingLedger) {
        return recordingLedger;
    }
}
