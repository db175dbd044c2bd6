package dev.wanhybrid.gateway.cost;

import dev.wanhybrid.cost.Money;
import dev.wanhybrid.cost.local.FleetCost;
import dev.wanhybrid.cost.local.GpuFleet;
import dev.wanhybrid.cost.local.LocalConfigLoader;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.cost.local.ThroughputModel;
import dev.wanhybrid.gateway.budget.BudgetCaps;
import dev.wanhybrid.gateway.budget.SettlementPricer;
import dev.wanhybrid.gateway.budget.SpendReports;
import dev.wanhybrid.gateway.catalog.CostEstimator;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Currency;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The cost model in the gateway: fleet economics, throughput, settlement prices, break-even and the meters. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CostProperties.class)
class CostConfiguration {

    @Bean
    @ConditionalOnMissingBean
    GpuFleet gpuFleet(CostProperties properties) {
        return toFleet(properties.fleet());
    }

    /** The published reference figures; the settlement pricer corrects them from measured local runs. */
    @Bean
    @ConditionalOnMissingBean
    ThroughputModel throughputModel() {
        return LocalConfigLoader.defaultThroughput();
    }

    @Bean
    @ConditionalOnMissingBean
    LocalCostModel localCostModel(GpuFleet fleet, ThroughputModel throughput) {
        if (!throughput.gpuSpeeds().containsKey(fleet.gpu())) {
            throw new IllegalArgumentException("gateway.cost.fleet.gpu '" + fleet.gpu() + "' is unknown; known: "
                    + throughput.gpuSpeeds().keySet());
        }
        return new LocalCostModel(fleet, throughput);
    }

    @Bean
    @ConditionalOnMissingBean
    SettlementPricer settlementPricer(ModelCatalog catalog, LocalCostModel local, CostEstimator estimator,
            Clock clock, dev.wanhybrid.gateway.budget.BudgetProperties budget,
            org.springframework.beans.factory.ObjectProvider<dev.wanhybrid.gateway.backend.ResilientBackendRegistry> backends) {
        // The same dated list (and region) the router's estimates read, through the same estimator, so estimate
        // and actual agree. A remote engine's GPU time is priced by its own fleet, read through the registry.
        return new CatalogSettlementPricer(catalog, local,
                CatalogSettlementPricer.DatedPrices.of(estimator), clock, budget.timeZone())
                .withRemoteEngines(id -> java.util.Optional.ofNullable(backends.getIfAvailable())
                        .flatMap(r -> r.decorated(id))
                        .map(d -> d.delegate() instanceof dev.wanhybrid.gateway.backend.RemoteLoad.Source s
                                ? s.load() : null));
    }

    @Bean
    @ConditionalOnMissingBean
    BreakEvenService breakEvenService(CostProperties properties, LocalCostModel local, ModelCatalog catalog) {
        return new BreakEvenService(properties.reference(), local, catalog);
    }

    @Bean
    CostMeters costMeters(MeterRegistry registry, SpendReports reports, BudgetCaps caps, BreakEvenService breakEven,
            Clock clock, CostProperties properties, dev.wanhybrid.gateway.budget.BudgetProperties budget) {
        return new CostMeters(registry, reports, caps, breakEven, clock, properties.meterRefresh(), budget.timeZone());
    }

    /** The first snapshot is taken once the migrations have run and the application is up. */
    @Bean
    ApplicationListener<ApplicationReadyEvent> costMetersFirstRead(org.springframework.beans.factory.ObjectProvider<CostMeters> meters) {
        return event -> meters.ifAvailable(CostMeters::refreshNow);
    }

    static GpuFleet toFleet(CostProperties.Fleet f) {
        Currency currency;
        try {
            currency = Currency.getInstance(f.currency());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gateway.cost.fleet.currency must be an ISO code, was '" + f.currency() + "'");
        }
        if (!"USD".equals(currency.getCurrencyCode())) {
            throw new IllegalArgumentException("gateway.cost.fleet.currency must be USD: the ledger and the catalog are in USD");
        }
        if ((f.rented() == null) == (f.owned() == null)) {
            throw new IllegalArgumentException("gateway.cost.fleet: give exactly one of 'rented' or 'owned'");
        }
        FleetCost cost;
        if (f.rented() != null) {
            CostProperties.Rented r = f.rented();
            cost = new FleetCost.Rented(Money.of(r.hourlyPerGpu(), currency),
                    r.opsStaffPerYear() == null ? null : Money.of(r.opsStaffPerYear(), currency),
                    r.overheadPerYear() == null ? null : Money.of(r.overheadPerYear(), currency));
        } else {
            CostProperties.Owned o = f.owned();
            cost = new FleetCost.Owned(Money.of(o.capexPerGpu(), currency), o.amortizationYears(), o.busyWattsPerGpu(),
                    o.idleWattsPerGpu(), Money.of(o.energyPerKwh(), currency), o.pue(),
                    Money.of(o.opsStaffPerYear(), currency), Money.of(o.overheadPerYear(), currency));
        }
        return new GpuFleet(f.gpu(), f.count(), cost);
    }
}
