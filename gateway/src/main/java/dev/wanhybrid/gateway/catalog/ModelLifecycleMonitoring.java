package dev.wanhybrid.gateway.catalog;

import dev.wanhybrid.cloud.catalog.ModelLifecycle;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Warns ahead of a cloud model's retirement: {@code /actuator/health/cloudModels} lists every routed cloud model
 * with a retirement date (state, date, days left, successor) and stays {@code UP} (a coming retirement is a task
 * for the operator, not an outage), and the gauge {@code gateway_cloud_model_retirement_days{model}} counts the
 * days left (0 once retired), for an alert below {@link ModelCatalog#RETIREMENT_WARNING_DAYS}. Both read the clock
 * on every look, so a date passes without a restart.
 */
@Configuration(proxyBeanMethods = false)
class ModelLifecycleMonitoring {

    @Bean
    HealthIndicator cloudModelsHealthIndicator(ModelCatalog catalog, ObjectProvider<Clock> clock) {
        Clock c = clock.getIfAvailable(Clock::systemUTC);
        return () -> health(catalog, LocalDate.now(c));
    }

    /** The models a retirement gauge was registered for. */
    record RetirementGauges(java.util.List<String> models) {}

    @Bean
    RetirementGauges cloudModelRetirementGauges(ModelCatalog catalog, MeterRegistry registry,
            ObjectProvider<Clock> clock) {
        Clock c = clock.getIfAvailable(Clock::systemUTC);
        java.util.List<String> gauged = new java.util.ArrayList<>();
        for (CatalogModel model : catalog.models()) {
            var dated = catalog.lifecycle(model.id(), LocalDate.now(c)).filter(l -> l.retiresOn() != null);
            if (dated.isEmpty() || gauged.contains(model.id())) { // one gauge per model, however many sources
                continue;
            }
            ModelLifecycle life = dated.get();
            Gauge.builder("gateway_cloud_model_retirement_days", () -> daysLeft(life, LocalDate.now(c)))
                    .description("Days until the cloud model is retired (0 once retired)")
                    .tag("model", model.id())
                    .register(registry);
            gauged.add(model.id());
        }
        return new RetirementGauges(gauged);
    }

    static Health health(ModelCatalog catalog, LocalDate today) {
        Map<String, Object> dated = new LinkedHashMap<>();
        int warnings = 0;
        for (CatalogModel model : catalog.models()) {
            var life = catalog.lifecycle(model.id(), today).orElse(null);
            if (life == null || life.retiresOn() == null) {
                continue;
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("state", life.state().name());
            detail.put("retiresOn", life.retiresOn().toString());
            detail.put("daysLeft", daysLeft(life, today));
            if (life.successor() != null) {
                detail.put("successor", life.successor());
            }
            if (life.state() != ModelLifecycle.State.ACTIVE) {
                warnings++;
                detail.put("warning", life.state() == ModelLifecycle.State.RETIRED
                        ? model.id() + " is retired and never sent; requests naming it are refused"
                                + (catalog.usesSuccessors() && life.successor() != null ? " or run on "
                                + life.successor() : "")
                        : model.id() + " retires on " + life.retiresOn() + "; move callers to "
                                + (life.successor() == null ? "another model" : life.successor()));
            }
            dated.put(model.id(), detail);
        }
        return Health.up().withDetail("warnings", warnings).withDetail("models", dated).build();
    }

    private static long daysLeft(ModelLifecycle life, LocalDate today) {
        return Math.max(0, ChronoUnit.DAYS.between(today, life.retiresOn()));
    }
}
