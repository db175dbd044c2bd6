package dev.wanhybrid.gateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TenantDirectoryTest {

    static TenantProperties.TenantConfig tenant(String id, String key, int limit) {
        return new TenantProperties.TenantConfig(id, TenantDirectory.sha256Hex(key),
                new TenantProperties.RateLimit(limit, Duration.ofHours(1)), null);
    }

    static TenantProperties properties(List<TenantProperties.TenantConfig> tenants, TenantProperties.Demo demo) {
        return new TenantProperties(tenants, new TenantProperties.Admin("", ""), demo);
    }

    static final TenantProperties.RateLimit DEMO_RATE = new TenantProperties.RateLimit(50, Duration.ofSeconds(1));
    static final TenantProperties.Demo NO_DEMO = new TenantProperties.Demo(false, "demo", "", DEMO_RATE);

    @Test
    void aKeyFindsItsTenantByHashAndAnyOtherKeyFindsNone() {
        TenantDirectory directory = new TenantDirectory(properties(
                List.of(tenant("acme", "sk-acme", 10), tenant("globex", "sk-globex", 10)), NO_DEMO));
        assertThat(directory.authenticate("sk-acme")).hasValueSatisfying(t -> assertThat(t.id()).isEqualTo("acme"));
        assertThat(directory.authenticate("sk-globex")).hasValueSatisfying(t -> assertThat(t.id()).isEqualTo("globex"));
        assertThat(directory.authenticate("sk-acme ")).isEmpty();
        assertThat(directory.authenticate("")).isEmpty();
        assertThat(directory.authenticate(null)).isEmpty();
    }

    @Test
    void aTenantOverItsLimitIsToldHowLongToWait() {
        TenantDirectory directory = new TenantDirectory(properties(List.of(tenant("acme", "sk-acme", 2)), NO_DEMO));
        Tenant acme = directory.authenticate("sk-acme").orElseThrow();
        assertThat(directory.throttle(acme)).isEmpty();
        assertThat(directory.throttle(acme)).isEmpty();
        assertThat(directory.throttle(acme)).hasValueSatisfying(wait -> assertThat(wait).isPositive());
    }

    @Test
    void theDemoProfileAddsATenantWithTheGivenKey() {
        TenantDirectory directory = new TenantDirectory(properties(List.of(),
                new TenantProperties.Demo(true, "demo", "sk-demo-chosen", DEMO_RATE)));
        assertThat(directory.authenticate("sk-demo-chosen")).hasValueSatisfying(t -> assertThat(t.id()).isEqualTo("demo"));
    }

    @Test
    void theDemoTenantsRateLimitIsTheConfiguredOne() {
        TenantDirectory directory = new TenantDirectory(properties(List.of(), new TenantProperties.Demo(true, "demo",
                "sk-demo-chosen", new TenantProperties.RateLimit(2, Duration.ofHours(1)))));
        var demo = directory.authenticate("sk-demo-chosen").orElseThrow();
        assertThat(directory.throttle(demo)).isEmpty();
        assertThat(directory.throttle(demo)).isEmpty();
        assertThat(directory.throttle(demo)).hasValueSatisfying(wait -> assertThat(wait).isPositive());
    }

    @Test
    void twoTenantsWithOneKeyAreAConfigurationError() {
        assertThatThrownBy(() -> new TenantDirectory(properties(
                List.of(tenant("a", "sk-same", 1), tenant("b", "sk-same", 1)), NO_DEMO)))
                .hasMessageContaining("share one API key");
    }

    @Test
    void theDemoKeyNeverAppearsInToString() {
        assertThat(new TenantProperties.Demo(true, "demo", "sk-demo-secret", DEMO_RATE).toString()).doesNotContain("secret");
    }
}
