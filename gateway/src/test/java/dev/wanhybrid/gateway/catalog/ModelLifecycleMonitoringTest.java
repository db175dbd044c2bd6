package dev.wanhybrid.gateway.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wanhybrid.cloud.simulator.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/** The health page and the gauge warn ahead of a retirement and follow the clock without a restart. */
class ModelLifecycleMonitoringTest {

    @Test
    void theHealthPageAndTheGaugeWarnAheadOfARetirement() throws Exception {
        ModelCatalog catalog = CatalogFixtures.shippedWithCloudLifecycle("wan2.6-i2v",
                "    retires-on: 2027-01-01\n    successor: wan2.7-i2v\n",
                LocalDate.of(2026, 11, 1));
        MutableClock clock = new MutableClock(Instant.parse("2026-11-01T12:00:00Z"));
        var beans = new StaticListableBeanFactory(Map.of("clock", clock));
        var monitoring = new ModelLifecycleMonitoring();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        monitoring.cloudModelRetirementGauges(catalog, registry, beans.getBeanProvider(java.time.Clock.class));
        var indicator = monitoring.cloudModelsHealthIndicator(catalog, beans.getBeanProvider(java.time.Clock.class));

        var early = indicator.health(true);
        assertThat(early.getStatus().getCode()).isEqualTo("UP");
        assertThat(early.getDetails()).containsEntry("warnings", 0);
        assertThat(registry.get("gateway_cloud_model_retirement_days").tag("model", "wan2.6-i2v").gauge().value())
                .isEqualTo(61);

        clock.advance(Duration.ofDays(45));
        var soon = indicator.health(true);
        assertThat(soon.getStatus().getCode()).as("a coming retirement is no outage").isEqualTo("UP");
        assertThat(soon.getDetails()).containsEntry("warnings", 1);
        assertThat(soon.getDetails().get("models").toString()).contains("RETIRING", "wan2.6-i2v retires on 2027-01-01",
                "move callers to wan2.7-i2v");
        assertThat(registry.get("gateway_cloud_model_retirement_days").tag("model", "wan2.6-i2v").gauge().value())
                .isEqualTo(16);

        clock.advance(Duration.ofDays(30));
        assertThat(indicator.health(true).getDetails().get("models").toString()).contains("RETIRED",
                "is retired and never sent");
        assertThat(registry.get("gateway_cloud_model_retirement_days").gauge().value()).isZero();
        assertThat(catalog.lifecycle("wan2.6-i2v", LocalDate.of(2027, 1, 1)).orElseThrow().sendable()).isFalse();
    }

}
