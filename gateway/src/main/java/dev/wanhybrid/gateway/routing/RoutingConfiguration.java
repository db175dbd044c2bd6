package dev.wanhybrid.gateway.routing;

import dev.wanhybrid.cloud.Region;
import dev.wanhybrid.cost.local.LocalCostModel;
import dev.wanhybrid.cost.routing.LocalAdmission;
import dev.wanhybrid.cost.routing.ServiceTimeModel;
import dev.wanhybrid.gateway.backend.LocalCapacity;
import dev.wanhybrid.gateway.backend.ResilientBackendRegistry;
import dev.wanhybrid.gateway.budget.BudgetCaps;
import dev.wanhybrid.cost.Backend;
import dev.wanhybrid.gateway.catalog.CloudSourcePrices;
import dev.wanhybrid.gateway.catalog.CostEstimator;
import dev.wanhybrid.gateway.catalog.CostModelEstimator;
import dev.wanhybrid.gateway.catalog.ModelCatalog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The route planner and what it reads: cost estimates, recent cloud latency, routing meters. */
@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    /**
     * Cloud list prices from the cost model's dated DashScope list (through the cloud adapter's catalog), local
     * marginal cost from the cost model; the catalog's own prices wherever those have no figure.
     */
    @Bean
    @ConditionalOnMissingBean
    CostEstimator costEstimator(ObjectProvider<dev.wanhybrid.cloud.catalog.ModelCatalog> cloudPrices,
            ObjectProvider<LocalCostModel> localCost, Environment environment, ObjectProvider<Clock> clock,
            ObjectProvider<CloudSourcePrices.Configured> sources) {
        Region region = Region.parse(environment.getProperty("gateway.cloud.region", "international"));
        double risk = environment.getProperty("gateway.routing.risk", Double.class, ServiceTimeModel.DEFAULT_RISK);
        LocalCostModel local = localCost.getIfAvailable();
        ServiceTimeModel times;
        try {
            times = local == null ? null : new ServiceTimeModel(local, risk, ServiceTimeModel.DEFAULT_PRIOR_SPREAD);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("gateway.routing.risk: " + e.getMessage(), e);
        }
        CostModelEstimator estimator = CostModelEstimator.withServiceTimes(cloudPrices.getIfAvailable(), region,
                times, clock.getIfAvailable(Clock::systemUTC));
        // The default account: its own prices (gateway.cloud.account-prices) and, for a mainland account, the rate
        // its CNY prices are converted at (gateway.cloud.usd-per-cny).
        estimator = estimator.withSource(new CloudSourcePrices(Backend.CLOUD.id(), region,
                CloudSourcePrices.loadAccountPrices("gateway.cloud.account-prices",
                        environment.getProperty("gateway.cloud.account-prices")),
                environment.getProperty("gateway.cloud.usd-per-cny", java.math.BigDecimal.class)));
        // Each further source (gateway.cloud.sources[]) by its own region, account prices and rate.
        for (CloudSourcePrices source : sources.getIfAvailable(() -> List::of).sources()) {
            estimator = estimator.withSource(source);
        }
        return estimator;
    }

    /**
     * Learns cloud latency from the jobs every instance finished in the last 30 minutes, read through the source
     * the job store provides (none in tests without one: then from this instance's own observations only).
     */
    @Bean
    @ConditionalOnMissingBean
    CloudLatencyTracker cloudLatencyTracker(ObjectProvider<Clock> clock,
            ObjectProvider<CloudLatencyTracker.Source> finishedJobs) {
        return new CloudLatencyTracker(clock.getIfAvailable(Clock::systemUTC), Duration.ofMinutes(30), 3, 200,
                finishedJobs.getIfAvailable(), Duration.ofSeconds(30));
    }

    @Bean
    @ConditionalOnMissingBean
    RoutingMetrics routingMetrics(MeterRegistry registry) {
        return new RoutingMetrics(registry);
    }

    /**
     * With hedging on, the guard that pauses it while routed cloud jobs take more than the rescue margin times their
     * plan too often ({@code gateway.routing.hedge-pause-share}, default 0.25).
     */
    @Bean
    // matchIfMissing: LocalAdmission.DEFAULT_HEDGING
    @ConditionalOnProperty(name = "gateway.routing.hedging", havingValue = "true", matchIfMissing = true)
    HedgeGuard hedgeGuard(Environment environment, MeterRegistry registry) {
        return new HedgeGuard(rescueMargin(environment), environment.getProperty("gateway.routing.hedge-pause-share",
                Double.class, HedgeGuard.DEFAULT_PAUSE_SHARE)).withGauge(registry);
    }

    @Bean
    @ConditionalOnMissingBean(RoutePlanner.class)
    DefaultRoutePlanner routePlanner(ModelCatalog catalog, ResilientBackendRegistry backends,
            ObjectProvider<LocalCapacity> local, ObjectProvider<BudgetCaps> caps, CostEstimator costs,
            CloudLatencyTracker latency, RoutingMetrics metrics, ObjectProvider<Clock> clock,
            ObjectProvider<HedgeGuard> hedgeGuard, Environment environment) {
        // gateway.routing.hedging: admit local runs on their expected time with a hedge point (docs/routing.md).
        boolean hedging = environment.getProperty("gateway.routing.hedging", Boolean.class,
                LocalAdmission.DEFAULT_HEDGING);
        LocalAdmission admission = admission(hedging, rescueMargin(environment));
        // gateway.routing.preemption: suspend a running local job at a step boundary for one due earlier.
        admission = preemption(admission, environment.getProperty("gateway.routing.preemption", Boolean.class,
                LocalAdmission.DEFAULT_PREEMPTION),
                environment.getProperty("gateway.routing.suspend-overhead", Duration.class,
                        Duration.ofMillis(Math.round(LocalAdmission.DEFAULT_SUSPEND_OVERHEAD_SECONDS * 1000))));
        return new DefaultRoutePlanner(catalog, backends, local, caps, costs, latency, metrics,
                clock.getIfAvailable(Clock::systemUTC), admission, hedgeGuard.getIfAvailable());
    }

    /** {@code gateway.routing.hedge-rescue-margin}: the hedge points' margin, which the hedge guard judges by too. */
    private static double rescueMargin(Environment environment) {
        return environment.getProperty("gateway.routing.hedge-rescue-margin", Double.class,
                LocalAdmission.DEFAULT_RESCUE_MARGIN);
    }

    /**
     * With pre-emption on, the watch that suspends a run for a queued task at its latest start (the routing core's
     * second occasion to pre-empt); a round every {@code gateway.routing.latest-start-check} (default 1 s).
     */
    @Bean(destroyMethod = "close")
    // matchIfMissing: LocalAdmission.DEFAULT_PREEMPTION
    @ConditionalOnProperty(name = "gateway.routing.preemption", havingValue = "true", matchIfMissing = true)
    LatestStartWatch latestStartWatch(ObjectProvider<DefaultRoutePlanner> planner, Environment environment) {
        Duration every = environment.getProperty("gateway.routing.latest-start-check", Duration.class,
                Duration.ofSeconds(1));
        DefaultRoutePlanner routingCore = planner.getIfAvailable();
        if (routingCore == null) {
            return LatestStartWatch.idle(every); // another RoutePlanner bean replaced the routing core's
        }
        LatestStartWatch watch = new LatestStartWatch(routingCore, every);
        watch.start();
        return watch;
    }

    /**
     * The routing core's rule from the hedging settings; a rescue margin outside [1, 5] fails start-up naming
     * {@code gateway.routing.hedge-rescue-margin}.
     */
    static LocalAdmission admission(boolean hedging, double rescueMargin) {
        try {
            return new LocalAdmission().withHedging(hedging).withRescueMargin(rescueMargin);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gateway.routing.hedge-rescue-margin: " + e.getMessage(), e);
        }
    }

    /**
     * The rule with pre-emption on or off: suspension of running jobs and the pricing of a job's whole window that
     * goes with it ({@link LocalAdmission#withPreemptibleWork}); an overhead below zero fails start-up naming
     * {@code gateway.routing.suspend-overhead}.
     */
    static LocalAdmission preemption(LocalAdmission admission, boolean on, Duration overhead) {
        try {
            return admission.withPreemptibleWork(on).withSuspendOverhead(overhead.toMillis() / 1000.0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gateway.routing.suspend-overhead: " + e.getMessage(), e);
        }
    }
}
