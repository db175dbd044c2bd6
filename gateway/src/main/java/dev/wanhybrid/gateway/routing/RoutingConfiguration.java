package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.gateway.backend.ResilientBackendRegistry;
import dev.wanhybrid.gateway.backend.local.LocalBackend;
import dev.wanhybrid.gateway.budget.SpendLedger;
import dev.wanhybrid.gateway.catalog.CostEstimator;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The route planner and what it reads: cost estimates, recent cloud latency, routing meters. */
@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    @Bean
    @ConditionalOnMissingBean
    CostEstimator costEstimator() {
        return CostEstimator.FROM_CATALOG;
    }

    @Bean
    @ConditionalOnMissingBean
    CloudLatencyTracker cloudLatencyTracker(ObjectProvider<Clock> clock) {
        return new CloudLatencyTracker(clock.getIfAvailable(Clock::systemUTC), Duration.ofMinutes(30), 3, 200);
    }

    @Bean
    @ConditionalOnMissingBean
    RoutingMetrics routingMetrics(MeterRegistry registry) {
        return new RoutingMetrics(registry);
    }

    @Bean
    @ConditionalOnMissingBean(RoutePlanner.class)
    DefaultRoutePlanner routePlanner(ModelCatalog catalog, ResilientBackendRegistry backends,
            ObjectProvider<LocalBackend> local, ObjectProvider<SpendLedger> ledger, CostEstimator costs,
            CloudLatencyTracker latency, RoutingMetrics metrics, ObjectProvider<Clock> clock) {
        return new DefaultRoutePlanner(catalog, backends, local, ledger, costs, latency, metrics,
                clock.getIfAvailable(Clock::systemUTC));
    }
}
